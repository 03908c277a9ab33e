"""The scheduler's tables, on the app's one Base so the migrations own them (0008):
APScheduler's job store, in the shape its SQLAlchemyJobStore expects, and a row per job
run for `helpline jobs list`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, Float, Index, LargeBinary, String, Table, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from referral.models import Base, utcnow

JOB_STORE_TABLE = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class JobRun(Base):
    """One run of a scheduled job: when, whether it worked, and a one-line result."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job", "job_id", "ran_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[str | None] = mapped_column(String(300))
