from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing

import pytest
from sqlalchemy.orm import Session, sessionmaker

import messaging.models  # noqa: F401  the app's schema: referral's tables and messaging's, on one Base
from referral.storage import make_engine, make_session_factory, upgrade
from tests.helpers import fresh_postgres_database


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> str:
    """One SQLite file migrated to head per test session (per worker): each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "helpline.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    """One PostgreSQL database migrated to head per test session (per worker), the template
    each test's own database is created from: a copy takes a tenth of a migration's time."""
    with fresh_postgres_database() as url:
        _migrate(url)
        yield url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """The app database, migrated to head: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "helpline.db"
        with closing(sqlite3.connect(request.getfixturevalue("migrated_sqlite"))) as source, \
                closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
        yield f"sqlite:///{path}"
    else:
        with fresh_postgres_database(template=request.getfixturevalue("migrated_postgres")) as url:
            yield url


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


@pytest.fixture
def sessions(database_url) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()
