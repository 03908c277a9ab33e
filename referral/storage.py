"""Database engine, sessions and migrations.

One engine per process, created by the caller (the gateway, the action server, the CLI or a test),
never at import time. Sessions are managed by `unit_of_work`: everything in
one block commits together or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (psycopg2 is not installed)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_private_dir(path: Path) -> Path:
    """A folder only the service's user can enter (it holds reports and keys)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def make_engine(url: str) -> Engine:
    """hide_parameters: a database error's text never carries the values it was given
    (message texts, phone numbers), only the statement."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy manage transactions itself so BEGIN IMMEDIATE below works.
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _begin_sqlite(connection) -> None:
    # A writer takes the write lock up front (see below); a read_only() unit, reading figures for
    # a monitor, need not queue behind the writers for it.
    read_only = connection.get_execution_options().get("read_only")
    connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The gateway and the action server share the file: WAL lets readers and
    # one writer work together; BEGIN IMMEDIATE takes the write lock up front
    # so two writers queue instead of failing half-way.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def insert_for(session: Session):
    """The dialect's INSERT, for ON CONFLICT DO NOTHING (PostgreSQL and SQLite both have it)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def read_only(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reading figures (health, metrics): rolled back at the end, and on SQLite
    without the write lock a unit of work takes."""
    session = factory(bind=factory.kw["bind"].execution_options(read_only=True))
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits at the end of the block, or rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine, metadata=None):
    """Alembic's configuration. `metadata` (the app's Base.metadata, with every model module
    imported) is only needed to autogenerate a migration:
    `alembic.command.revision(alembic_config(engine, Base.metadata), "what", autogenerate=True)`."""
    from alembic.config import Config  # imported here: alembic takes most of a second to import

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    config.attributes["metadata"] = metadata
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date; safe to repeat."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def schema_is_current(engine: Engine) -> bool:
    """Is the database at the newest migration?"""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
