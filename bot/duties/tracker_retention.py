"""Retention for Rasa's tracker store (SQL): its `events` rows older than the retention
period are deleted, so what reporters typed does not outlive the app's own erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL

from wiring.settings import Settings
from referral.models import utcnow


def tracker_store_url(settings: Settings) -> str | URL:
    return settings.engine.tracker_store_url or f"sqlite:///{settings.data_dir / 'tracker.db'}"


def erase_old_tracker_events(settings: Settings, *, days: int, now: datetime | None = None) -> int:
    """Returns how many events were deleted (0 when Rasa has not created its store yet)."""
    cutoff = ((now or utcnow()) - timedelta(days=days)).timestamp()
    url = str(tracker_store_url(settings)).replace("postgresql://", "postgresql+psycopg://", 1)
    if url.startswith("sqlite:///") and not settings.data_dir.joinpath("tracker.db").exists() and not settings.engine.tracker_store_url:
        return 0
    engine = create_engine(url, hide_parameters=True)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            return connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}).rowcount
    finally:
        engine.dispose()
