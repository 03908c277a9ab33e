"""The case domain's tables, in SQLAlchemy 2.0 declarative style, and the app's one Base.

Reporters, conversations and messages are in messaging/models.py, on the same Base;
a case refers to them by table name only, so whoever opens a session on the app's
schema imports both (wiring/bootstrap.py does). Schema changes go through Alembic
(referral/migrations); keep the two in step.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the zone; SQLite drops it, so naive values read from it
    are UTC by construction and get their zone back here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC times")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class TicketCounter(Base):
    """Last ticket sequence handed out per year; updated under a row lock."""

    __tablename__ = "ticket_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status", "status"),
        Index("ix_cases_created_at", "created_at"),
        # One case per reporter message: a turn Rasa runs twice (a cut-off call retried)
        # finds the case its first run opened.
        UniqueConstraint("conversation_id", "source_message_id", name="uq_case_source_message"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(24), unique=True)
    category: Mapped[str] = mapped_column(String(16))  # violence | bullying | elderly_care | aid
    is_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency: Mapped[str] = mapped_column(String(16))  # emergency | high | normal
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    victim: Mapped[str | None] = mapped_column(String(16))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    source_message_id: Mapped[int | None] = mapped_column(Integer)  # the inbound message that opened it
    location_text: Mapped[str | None] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(String(2))
    regency_code: Mapped[str | None] = mapped_column(String(5))
    district_code: Mapped[str | None] = mapped_column(String(8))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The report flow's contact question: may an officer contact them, and how
    # (chat | phone | none); the number only with consent. Shown by `helpline cases show`.
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_preference: Mapped[str | None] = mapped_column(String(16))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    # The officer a coordinator asked to handle this case (the console's "Tugaskan").
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", use_alter=True, name="fk_cases_assigned_officer"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    referrals: Mapped[list["Referral"]] = relationship(
        back_populates="case", order_by="Referral.id", cascade="all, delete-orphan"
    )


class CaseEvent(Base):
    """One change to a case: who did what, when, from which status to which."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[dict[str, Any] | None]

    case: Mapped[Case] = relationship(back_populates="events")


class CaseAlert(Base):
    """Something duty officers must hear about, kept until it has been sent (a restart does
    not lose it) and, for an emergency, until someone has taken the conversation over.

    Reasons: new_case, possible_emergency (a "danger now?" question nobody answered),
    emergency, emergency_repeated, handoff (a reporter asked for a
    person), waiting (a reporter waited too long), referral (to a facility's contact),
    idle_takeover (an officer holding a conversation went quiet).
    """

    __tablename__ = "case_alerts"
    __table_args__ = (Index("ix_case_alerts_pending", "sent_at", "id"), Index("ix_case_alerts_open", "resolved_at", "reason"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    reason: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]  # first handed to the outbox
    last_sent_at: Mapped[datetime | None]  # an emergency is alerted again until taken
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]  # the coordinators were told nobody took it
    resolved_at: Mapped[datetime | None]  # somebody took it over (or the case closed)
    # A staff message of it was sent (a refused or failed one is no delivery: the alert moves on).
    reached_at: Mapped[datetime | None]
    # Since when nobody could be reached (no linked staff, Telegram down): /healthz and the console show it.
    unreached_since: Mapped[datetime | None]

    case: Mapped[Case | None] = relationship()


class AlertDelivery(Base):
    """One staff message that carried an alert to one officer: whether the alert reached
    anybody is read from these messages' statuses, and an officer whose chat refused it is
    passed over for the next rung."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("case_alerts.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The officer's remit did not cover the case when it was sent (a fallback rung), and where
    # the case lay then (its regency, else province): see `case_in_remit` for what it grants.
    beyond_remit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case_place: Mapped[str | None] = mapped_column(String(5))


class EmergencyCheck(Base):
    """A message only the classifier took for danger now: the reporter was given the
    hotlines and asked whether anyone is in danger. Settled by their answer (confirmed:
    the emergency path; denied); unanswered for a few minutes, it becomes a case marked
    as a possible emergency for officers to look at (expired). The message's words are
    kept only while the question is open."""

    __tablename__ = "emergency_checks"
    __table_args__ = (Index("ix_emergency_checks_open", "settled_at", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id"))
    source_message_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # confirmed | denied | expired
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # the case it led to, if any


class Facility(Base):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # PSKM | AUMSOS | PARTNER
    services: Mapped[str] = mapped_column(String(400))  # ';'-separated contract service names
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    province_code: Mapped[str | None] = mapped_column(String(2))
    regency_code: Mapped[str | None] = mapped_column(String(5))
    district_code: Mapped[str | None] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def service_list(self) -> list[str]:
        return [s for s in self.services.split(";") if s]


class Referral(Base):
    """A case sent to a facility, and what the facility answered."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_sent_at", "sent_at"),)  # the weekly digest reads a week of them

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    status: Mapped[str] = mapped_column(String(16))  # sent | accepted | declined
    distance_km: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="referrals")
    facility: Mapped[Facility] = relationship()


class Officer(Base):
    """Staff who use the bot's officer side on Telegram.

    Roles: officer (duty officer), coordinator, admin, facility (a facility's contact
    person: hears only of its referrals). The remit is a list of region codes
    (OfficerRegion) or, for coordinators and admins, everything (`remit_all`).
    """

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    telegram_chat_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="officer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    remit_all: Mapped[bool] = mapped_column(Boolean, default=False)
    # /siaga and /selesai_siaga: on or off duty outside the roster, until the given time.
    duty_override: Mapped[str | None] = mapped_column(String(8))
    duty_override_until: Mapped[datetime | None]
    # The conversation the officer's plain messages go to (their latest takeover, or /pilih).
    current_conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", use_alter=True, name="fk_officers_current_conversation")  # the two refer to each other
    )
    # A question the bot asked the officer and waits for (the reason for declining a referral).
    awaiting: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The web console's login: a unique lower-case username and an argon2id hash.
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # the second factor, once enrolled
    totp_last_step: Mapped[int | None]  # the last 30-second step a code was accepted for: no replay

    regions: Mapped[list["OfficerRegion"]] = relationship(cascade="all, delete-orphan", order_by="OfficerRegion.code")
    facility: Mapped[Facility | None] = relationship()
    shifts: Mapped[list["DutyShift"]] = relationship(cascade="all, delete-orphan", order_by="DutyShift.id")

    @property
    def first_name(self) -> str:
        return (self.name.split() or ["Petugas"])[0]


class OfficerRegion(Base):
    """One region code of an officer's remit: a province (2 digits) or a kabupaten/kota (NN.NN)."""

    __tablename__ = "officer_regions"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class OfficerLinkCode(Base):
    """A one-time code that links a Telegram account to an officer (`/daftar KODE`).
    Only a keyed hash is kept; a code expires and works once."""

    __tablename__ = "officer_link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class DutyShift(Base):
    """One line of the duty roster, in Asia/Jakarta time.

    A weekly shift has a weekday (0 = Monday); an exception has a date instead and says
    whether the officer is on (`on_duty`) or off in that time. A shift whose end is not
    after its start runs past midnight into the next day.
    """

    __tablename__ = "duty_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    weekday: Mapped[int | None] = mapped_column(Integer)
    on_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    starts: Mapped[str] = mapped_column(String(5))  # HH:MM
    ends: Mapped[str] = mapped_column(String(5))  # HH:MM; 24:00 is midnight at the end of the day
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)


class Takeover(Base):
    """An officer talking with a reporter in person, from taking over to handing back."""

    __tablename__ = "takeovers"
    __table_args__ = (Index("ix_takeovers_open", "ended_at", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The officer's last message to the reporter (or the start): what "idle" is measured from.
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    officer: Mapped[Officer] = relationship()
    case: Mapped[Case | None] = relationship()


class AuditEvent(Base):
    """Who looked at or did what, to which case, when, from where: the safeguarding trail.

    Append-only: the database refuses UPDATE and DELETE on this table (migration 0015).
    No foreign keys, so the trail outlives whatever retention removes.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    officer_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(32))
    ticket: Mapped[str | None] = mapped_column(String(24), index=True)
    conversation_id: Mapped[int | None]
    # where it came from: "telegram", "cli", or the web client's address
    source: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None]


class ConsoleSession(Base):
    """A web console login. The cookie carries a random token; only its hash is kept. It ends
    at logout, after the idle time, or when the officer is disabled."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    source: Mapped[str | None] = mapped_column(String(64))
    # False until the second factor is given (for an officer who has one); nothing is shown before.
    verified: Mapped[bool] = mapped_column(Boolean, default=True)

    officer: Mapped[Officer] = relationship()


class ConsoleLoginLink(Base):
    """A one-time link to choose a console password (24 hours); only a hash is kept."""

    __tablename__ = "console_login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """A console login tried: the lockout counts recent failures per account and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username", "username", "at"), Index("ix_login_attempts_source", "source", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class ConductVersion(Base):
    """A version of the safeguarding code of conduct saved by a coordinator in the console
    (the first version is config/code_of_conduct.yml)."""

    __tablename__ = "conduct_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None]


class ConductAcceptance(Base):
    """An officer accepted a version of the code of conduct (when, from where)."""

    __tablename__ = "conduct_acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    version: Mapped[str] = mapped_column(String(40))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str | None] = mapped_column(String(64))
