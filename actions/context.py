"""What the actions work with: settings, the database, the gazetteer, the routing index.

Built on first use (never at import), once per process, through bot/bootstrap.py.
The routing index is rebuilt whenever the facility directory changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from bot.bootstrap import connect
from bot.settings import Settings
from messaging.store import find_conversation
from referral.facilities import directory_version, routing_points
from referral.gazetteer import Gazetteer
from referral.hotlines import Hotline, load_hotlines
from referral.reports import Report
from referral.routing import FacilityIndex, RoutingConfig
from referral.service_hours import ServiceHours


@dataclass
class ActionContext:
    settings: Settings
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    _index: tuple[tuple, FacilityIndex] | None = None
    _gazetteer_lock: threading.Lock = field(default_factory=threading.Lock)
    _gazetteer: Gazetteer | None = None

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return connect(self.settings).sessions

    @cached_property
    def hotlines(self) -> list[Hotline]:
        return load_hotlines(self.settings.config_dir / "hotlines.yml")

    @cached_property
    def service_hours(self) -> ServiceHours:
        return ServiceHours.load(self.settings.config_dir / "service_hours.yml")

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
_context: ActionContext | None = None


def get_context() -> ActionContext:
    global _context
    with _lock:
        if _context is None:
            _context = ActionContext(Settings.from_env())
            _context.warm_up()
        return _context


def set_context(context: ActionContext | None) -> None:
    """Tests hand in their own (a test database, say)."""
    global _context
    with _lock:
        _context = context


def reporter_of(session: Session, sender_id: str) -> tuple[int | None, int | None]:
    """(reporter id, conversation id) for the sender id Rasa knows a conversation by."""
    conversation = find_conversation(session, sender_id)
    return (conversation.reporter_id, conversation.id) if conversation else (None, None)


def with_reporter(session: Session, report: Report, sender_id: str, message_id: object = None) -> Report:
    """The report with the reporter and conversation that Rasa's sender id stands for, and
    the gateway's id of the message it comes from (so a turn run twice opens one case)."""
    reporter_id, conversation_id = reporter_of(session, sender_id)
    source = message_id if isinstance(message_id, int) and not isinstance(message_id, bool) else None
    return replace(report, reporter_id=reporter_id, conversation_id=conversation_id, source_message_id=source)
