"""What the actions work with: settings, the database, the gazetteer, the routing index.

Built on first use (never at import), once per process, through wiring/bootstrap.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from wiring.bootstrap import connect
from wiring.settings import Settings
from messaging.store import find_conversation
from referral.gazetteer import Gazetteer
from referral.hotlines import Hotline, load_hotlines
from referral.reports import Report
from referral.routing import FacilityIndex
from referral.routing_cache import RoutingCache
from referral.service_hours import ServiceHours


@dataclass
class ActionContext:
    settings: Settings

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return connect(self.settings).sessions

    @cached_property
    def hotlines(self) -> list[Hotline]:
        return load_hotlines(self.settings.config_dir / "hotlines.yml")

    @cached_property
    def service_hours(self) -> ServiceHours:
        return ServiceHours.load(self.settings.config_dir / "service_hours.yml")

    @cached_property
    def routing(self) -> RoutingCache:
        return RoutingCache(self.settings.config_dir / "routing.yml")

    @property
    def gazetteer(self) -> Gazetteer:
        return self.routing.gazetteer

    def routing_index(self, session: Session) -> FacilityIndex:
        return self.routing.routing_index(session)

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
