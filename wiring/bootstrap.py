"""The one place that opens the app's database for every process.

The gateway's lifespan (which then wires its services in bot/gateway/app.py's
`start_gateway`), the action server (actions/context.py) and the `helpline` command
all get their database here, with the whole schema's models loaded and the schema
checked; nothing is built at import time. Migrations are an explicit step
(`helpline db upgrade`, and `helpline run` before it starts anything); every
other entry point refuses a database whose schema is behind, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import wiring.schedule_models  # noqa: F401  the scheduler's tables
import messaging.models  # noqa: F401  the schema is both packages' tables (cases refer to reporters)
from wiring.settings import Settings
from referral.storage import make_engine, make_session_factory, schema_is_current, upgrade


class SchemaOutOfDate(RuntimeError):
    """The database has not been migrated to this version of the code."""


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def connect(settings: Settings, *, require_current_schema: bool = True) -> Database:
    """The app database, checked to be at the code's schema version."""
    engine = make_engine(settings.database_url)
    if require_current_schema and not schema_is_current(engine):
        engine.dispose()
        raise SchemaOutOfDate("the database schema is not up to date; run `helpline db upgrade`")
    return Database(engine, make_session_factory(engine))


def migrate(settings: Settings) -> None:
    """Bring the database schema up to date (safe to repeat)."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
