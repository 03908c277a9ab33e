"""Danger now: give the hotlines first, open an emergency case (or add to the one still
open), alert officers; the report form then asks at most where.

Two tiers. The safety net's rules (danger now, reviewed) are the authority: the full
path at once. When only the classifier says `emergency`, the hotlines go out at once
too, and the report form first asks "is anyone in danger now?": *Ya*, or any further
danger signal, is the full path; *Tidak* goes on with the report, or ends kindly when
nothing was reported; no answer within a few minutes is a case marked as a possible
emergency (referral/emergency_checks.py, run by the gateway's worker).

When the database fails, the hotlines still go out and the gateway tries the turn again
(messaging/turns.py): the retried turn records the question or the case (and its alert)
without giving the numbers a second time."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import SKIPPED, VICTIMS
from actions.context import get_context, reporter_of, with_reporter
from actions.report import start_report_events
from actions.texts import action_text, text_for_kind, tracker_language
from actions.tracker_utils import (
    danger_kind,
    category_from_ranking,
    gateway_message_id,
    latest_route,
    report_description,
    reported,
    shared_location,
)
from messaging.turns import HOTLINES, TURN_DONE, retry_marker, urgent_marker
from referral import emergency_checks
from referral.hotlines import format_hotlines
from referral.reports import Report, add_to_case, recent_emergency, report_emergency
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
MAX_STORY_CHARS = 2000
# What follows a "Tidak" to "is anyone in danger now?" (the value of the emergency_check slot).
THEN_REPORT, THEN_END = "then_report", "then_end"


def _report(context, report: Report, sender_id: str, message_id: object) -> tuple[str, bool, str | None]:
    """Returns (ticket, is_new, the place the case already has)."""
    with unit_of_work(context.sessions) as session:
        report = with_reporter(session, report, sender_id, message_id)
        case, is_new = report_emergency(session, report)
        emergency_checks.settle(session, report.conversation_id, emergency_checks.CONFIRMED, case=case)
        place = case.location_text or (f"{case.latitude:.5f}, {case.longitude:.5f}" if case.latitude is not None else None)
        return case.ticket, is_new, place


def _ask(context, report: Report, sender_id: str, message_id: object) -> None:
    with unit_of_work(context.sessions) as session:
        emergency_checks.ask(session, with_reporter(session, report, sender_id, message_id))


def _settle(context, sender_id: str, outcome: str) -> None:
    with unit_of_work(context.sessions) as session:
        _, conversation_id = reporter_of(session, sender_id)
        if outcome == emergency_checks.EXPIRED:
            emergency_checks.expire_open(session, conversation_id)
        else:
            emergency_checks.settle(session, conversation_id, outcome)


async def settle_emergency_check(tracker: Tracker, outcome: str) -> None:
    """The reporter's answer to "is anyone in danger now?": denied (nobody is), or expired
    (no answer we can read: a possible-emergency case for the officers, now)."""
    await asyncio.to_thread(_settle, get_context(), tracker.sender_id, outcome)


def _done_before(tracker: Tracker) -> set[str]:
    """What an earlier run of this turn did before it was undone (the gateway says so)."""
    done = (tracker.latest_message.get("metadata") or {}).get(TURN_DONE) or []
    return set(done) if isinstance(done, list) else set()


def _hotlines(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, kind: str | None) -> None:
    """The hotline numbers, unless an earlier run of this turn gave them already; marked
    urgent, so the gateway has the outbox send this turn's replies before ordinary messages.
    The words and the order of the numbers follow the kind of danger (medical: 119 first;
    suicide: the mental-health line)."""
    if HOTLINES not in _done_before(tracker):
        hotlines = format_hotlines(get_context().hotlines, kind)
        text = action_text(text_for_kind(key, kind), tracker_language(tracker), hotlines=hotlines)
        dispatcher.utter_message(text=text, json_message=urgent_marker())


def _ask_for_retry(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """After the hotlines, a database failure: the reporter is asked to wait a moment and
    the gateway to try this turn again. False when no gateway sent the message (nobody
    would retry it: `rasa shell`, a story test)."""
    if gateway_message_id(tracker) is None:
        return False
    if HOTLINES not in _done_before(tracker):
        dispatcher.utter_message(text=action_text("still_recording", tracker_language(tracker)))
    dispatcher.utter_message(json_message=retry_marker({HOTLINES}))
    return True


async def check_emergency(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Only the classifier says danger now: the hotlines at once, the question recorded
    (so that no answer still reaches an officer); the report form asks it next. Returns
    the slots that make it ask, and what follows a "Tidak"."""
    context = get_context()
    kind = danger_kind(tracker)
    _hotlines(dispatcher, tracker, "check_hotlines", kind)
    in_report = bool(tracker.active_loop.get("name"))
    category = (tracker.get_slot("category") if in_report else None) or category_from_ranking(tracker)
    latest = (tracker.latest_message.get("text") or "").strip()
    # This message is part of the story: of the case a Ya opens, or of the report a Tidak goes on with.
    story = "\n".join(dict.fromkeys(p for p in (_description_so_far(tracker), latest) if p))[:MAX_STORY_CHARS] or None
    try:
        await asyncio.to_thread(
            _ask, context, Report(category=category, description=story), tracker.sender_id, gateway_message_id(tracker)
        )
    except Exception:
        log.exception("the emergency check could not be recorded")
        if _ask_for_retry(dispatcher, tracker):
            return {}  # this turn is undone and tried again: nothing to set
        # Nobody retries: the question still goes out; a Ya is then the full path.
    then = THEN_REPORT if in_report or reported(tracker) else THEN_END
    asked = [slot for slot in tracker.get_slot("asked_again") or [] if slot != "danger_now"]
    return {"emergency_check": then, "danger_now": None, "category": category, "description": story,
            "report_offer": None, "asked_again": asked, "danger_kind": kind}


async def raise_emergency(
    dispatcher: CollectingDispatcher, tracker: Tracker, description: str | None = None, *, with_latest: bool = True
) -> dict[str, Any]:
    """Hotlines, then the emergency case (new, or the open one with this message added);
    returns the slots that make the report form ask only where. `with_latest=False` when
    the latest message is only the reporter's "Ya" to our question."""
    context = get_context()
    language = tracker_language(tracker)
    # The numbers first (Rasa sends them with whatever follows, so a failure below is caught).
    # (After a Ya to our question, the kind is the one the question was asked for.)
    kind = (danger_kind(tracker) if with_latest else None) or tracker.get_slot("danger_kind")
    _hotlines(dispatcher, tracker, "emergency_hotlines", kind)
    coordinates = shared_location(tracker)
    latest = (tracker.latest_message.get("text") or "").strip() if with_latest else ""
    parts = [part for part in (description, latest) if part]
    story = "\n".join(dict.fromkeys(parts))  # the story so far and this message, each once
    report = Report(
        category=tracker.get_slot("category") or category_from_ranking(tracker),
        is_emergency=True,
        victim=tracker.get_slot("victim") if tracker.get_slot("victim") in VICTIMS else None,
        description=(story or report_description(tracker) or None),
        latitude=coordinates[0] if coordinates else None,
        longitude=coordinates[1] if coordinates else None,
    )
    try:
        ticket, is_new, place = await asyncio.to_thread(
            _report, context, report, tracker.sender_id, gateway_message_id(tracker)
        )
    except Exception:  # the numbers must still reach them (an action that fails sends nothing)
        log.exception("the emergency case could not be recorded")
        if not _ask_for_retry(dispatcher, tracker):  # the gateway tries again: the case and its alert follow
            dispatcher.utter_message(text=action_text("emergency_not_recorded", language))
        return {"emergency_check": None, "report_offer": None, "danger_kind": kind}
    dispatcher.utter_message(text=action_text("emergency_opened" if is_new else "emergency_repeated", language, ticket=ticket))
    # The form that follows asks where (unless the case knows already), and completes this
    # case (not any earlier one).
    slots: dict[str, Any] = {
        "emergency_ticket": ticket, "category": report.category, "emergency_check": None, "report_offer": None,
        "danger_kind": kind,
    }
    if place and not tracker.get_slot("location"):
        slots["location"] = place
    return slots


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Never skipped because of an earlier report's ticket: every emergency is recorded.
        if latest_route(tracker) == "check_emergency" and not await _danger_already_known(tracker):
            in_report = bool(tracker.active_loop.get("name"))
            events = [] if in_report else start_report_events(tracker, category_from_ranking(tracker))
            slots = await check_emergency(dispatcher, tracker)
            return events + [SlotSet(name, value) for name, value in slots.items()]
        # The safety net, a second sign of danger after our question, or an emergency already open.
        slots = await raise_emergency(dispatcher, tracker, description=_description_so_far(tracker))
        return [SlotSet(name, value) for name, value in slots.items()]


def _open_danger(context, sender_id: str) -> bool:
    with unit_of_work(context.sessions) as session:
        _, conversation_id = reporter_of(session, sender_id)
        return (
            emergency_checks.open_check(session, conversation_id) is not None
            or recent_emergency(session, conversation_id) is not None
        )


async def _danger_already_known(tracker: Tracker) -> bool:
    """A second sign of danger: we asked already (the question is open, even if its slot was
    cleared by a skip), or this conversation's emergency case from the last hours is open."""
    if tracker.get_slot("emergency_check") or tracker.get_slot("emergency_ticket"):
        return True
    try:
        return await asyncio.to_thread(_open_danger, get_context(), tracker.sender_id)
    except Exception:
        log.exception("could not read whether danger is already known; taking it as known")
        return True  # the full path: a false alarm costs a minute


def _description_so_far(tracker: Tracker) -> str | None:
    """The story of the report this emergency interrupts, if one is being taken."""
    if not tracker.active_loop.get("name"):
        return None
    value = tracker.get_slot("description")
    return value if isinstance(value, str) and value != SKIPPED else None


def _note(context, sender_id: str, text: str, message_id: object) -> str | None:
    with unit_of_work(context.sessions) as session:
        _, conversation_id = reporter_of(session, sender_id)
        case = recent_emergency(session, conversation_id)
        if case is None:
            return None
        source = message_id if isinstance(message_id, int) and not isinstance(message_id, bool) else None
        add_to_case(session, case, text, source_message_id=source)
        return case.ticket


async def note_for_recent_emergency(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A message after an emergency, in the hours that follow, belongs to that emergency's
    case: added to it (officers read it there). Returns whether it was."""
    text = (tracker.latest_message.get("text") or "").strip()
    coordinates = shared_location(tracker)
    if coordinates:
        text = "lokasi: {:.5f}, {:.5f}".format(*coordinates)
    if not text:
        return False
    ticket = await asyncio.to_thread(_note, get_context(), tracker.sender_id, text, gateway_message_id(tracker))
    if ticket is None:
        return False
    dispatcher.utter_message(text=action_text("added_to_emergency", tracker_language(tracker), ticket=ticket))
    return True
