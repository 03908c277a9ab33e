"""Lazy wiring for the action server: settings, database, configuration.

Built on first use (never at import), once per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from referral.config import Settings
from referral.hotlines import Hotline, load_hotlines
from referral.storage import make_engine, make_session_factory


@dataclass
class Services:
    settings: Settings

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(make_engine(self.settings.database_url))

    @cached_property
    def hotlines(self) -> list[Hotline]:
        return load_hotlines(self.settings.config_dir / "hotlines.yml")


_lock = threading.Lock()
_services: Services | None = None


def get_services() -> Services:
    global _services
    with _lock:
        if _services is None:
            _services = Services(Settings.from_env())
        return _services


def set_services(services: Services | None) -> None:
    """Tests hand in their own wiring (a test database, say)."""
    global _services
    with _lock:
        _services = services
