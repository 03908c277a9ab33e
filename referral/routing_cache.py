"""The gazetteer and the routing index a process routes cases with, loaded on first use.

Shared by the action server (a new report) and the gateway (a facility declined a
referral, a coordinator re-routed one). The index is rebuilt whenever the facility
directory changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy.orm import Session

from referral.facilities import directory_version, routing_points
from referral.gazetteer import Gazetteer
from referral.routing import FacilityIndex, RoutingConfig


class RoutingCache:
    def __init__(self, routing_config_path: Path) -> None:
        self.routing_config_path = routing_config_path
        self._gazetteer_lock = threading.Lock()
        self._gazetteer: Gazetteer | None = None
        self._index_lock = threading.Lock()
        self._index: tuple[tuple, FacilityIndex] | None = None
        self._config: RoutingConfig | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        with self._gazetteer_lock:  # a warm-up thread and a request may ask at once
            if self._gazetteer is None:
                self._gazetteer = Gazetteer.load()
            return self._gazetteer

    def routing_index(self, session: Session) -> FacilityIndex:
        version = directory_version(session)
        with self._index_lock:
            if self._config is None:
                self._config = RoutingConfig.load(self.routing_config_path)
            if self._index is None or self._index[0] != version:
                self._index = (version, FacilityIndex(routing_points(session, self.gazetteer), self._config))
            return self._index[1]
