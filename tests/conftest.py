from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

import messaging.models  # noqa: F401  the app's schema: referral's tables and messaging's, on one Base
from referral.storage import make_engine, make_session_factory, upgrade
from tests.helpers import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """The app database, migrated to head: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'helpline.db'}"
        _migrate(url)
        yield url
    else:
        with fresh_postgres_database() as url:
            _migrate(url)
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
