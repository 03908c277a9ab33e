"""Lazy wiring for the action server: settings, database, gazetteer, routing index.

Built on first use (never at import), once per process. The routing index is
rebuilt whenever the facility directory changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from referral.config import Settings
from referral.facilities import directory_version, routing_points
from referral.gazetteer import Gazetteer
from referral.hotlines import Hotline, load_hotlines
from referral.routing import FacilityIndex, RoutingConfig
from referral.storage import make_engine, make_session_factory


@dataclass
class Services:
    settings: Settings
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    _index: tuple[tuple, FacilityIndex] | None = None
    _gazetteer_lock: threading.Lock = field(default_factory=threading.Lock)
    _gazetteer: Gazetteer | None = None

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(make_engine(self.settings.database_url))

    @cached_property
    def hotlines(self) -> list[Hotline]:
        return load_hotlines(self.settings.config_dir / "hotlines.yml")

    @property
    def gazetteer(self) -> Gazetteer:
        with self._gazetteer_lock:  # the warm-up thread and a request may ask at once
            if self._gazetteer is None:
                self._gazetteer = Gazetteer.load()
            return self._gazetteer

    @cached_property
    def routing_config(self) -> RoutingConfig:
        return RoutingConfig.load(self.settings.config_dir / "routing.yml")

    def routing_index(self, session: Session) -> FacilityIndex:
        version = directory_version(session)
        with self._index_lock:
            if self._index is None or self._index[0] != version:
                index = FacilityIndex(routing_points(session, self.gazetteer), self.routing_config)
                self._index = (version, index)
            return self._index[1]

    def warm_up(self) -> None:
        """Load the gazetteer in the background so the first reporter does not wait for it."""
        threading.Thread(target=lambda: self.gazetteer, name="gazetteer-warm-up", daemon=True).start()


_lock = threading.Lock()
_services: Services | None = None


def get_services() -> Services:
    global _services
    with _lock:
        if _services is None:
            _services = Services(Settings.from_env())
            _services.warm_up()
        return _services


def set_services(services: Services | None) -> None:
    """Tests hand in their own wiring (a test database, say)."""
    global _services
    with _lock:
        _services = services
