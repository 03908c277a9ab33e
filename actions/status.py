"""'How is my report?': answer only about the reporter's own cases.

The same answer for someone else's ticket as for one that does not exist; with no
ticket, the reporter's own tickets as buttons (or the question which one)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import get_context, reporter_of
from actions.texts import action_text, tracker_language
from referral.lifecycle import CaseError
from referral.reports import case_for_reporter, cases_of_reporter
from referral.storage import unit_of_work
from referral.tickets import find_ticket

MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


@dataclass(frozen=True)
class CaseStatus:
    ticket: str
    status: str
    facility: str | None  # the facility the case is with now
    updated: datetime | None  # the last change the reporter may know of (a status change)


def _status_of(sender_id: str, ticket: str) -> CaseStatus:
    with unit_of_work(get_context().sessions) as session:
        reporter_id, _ = reporter_of(session, sender_id)
        case = case_for_reporter(session, reporter_id, ticket)
        current = next((r for r in reversed(case.referrals) if r.status != "declined"), None)
        changes = [event.at for event in case.events if event.to_status]
        return CaseStatus(case.ticket, case.status, current.facility.name if current else None, max(changes, default=None))


def _own_tickets(sender_id: str) -> list[str]:
    with unit_of_work(get_context().sessions) as session:
        reporter_id, _ = reporter_of(session, sender_id)
        return [case.ticket for case in cases_of_reporter(session, reporter_id)]


def date_text(at: datetime, language: str) -> str:
    return f"{at.day} {MONTHS[language][at.month - 1]} {at.year}"


class ActionCaseStatus(Action):
    def name(self) -> str:
        return "action_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = find_ticket(tracker.get_slot("case_id") or "") or find_ticket(tracker.latest_message.get("text") or "")
        language = tracker_language(tracker)
        if not ticket:
            own = await asyncio.to_thread(_own_tickets, tracker.sender_id)
            if len(own) > 1:
                buttons = [{"title": t, "payload": f"status {t}"} for t in own]
                dispatcher.utter_message(text=action_text("status_list", language), buttons=buttons)
                return []
            if not own:
                dispatcher.utter_message(text=action_text("status_which", language))
                return []
            ticket = own[0]
        try:
            found = await asyncio.to_thread(_status_of, tracker.sender_id, ticket)
        except CaseError:
            dispatcher.utter_message(text=action_text("status_not_found", language, ticket=ticket))
            return []
        state = action_text(f"state_{found.status}", language)
        text = action_text("status", language, ticket=found.ticket, state=state)
        if found.facility:
            text += action_text("status_facility", language, facility=found.facility)
        if found.updated:
            text += action_text("status_updated", language, date=date_text(found.updated, language))
        dispatcher.utter_message(text=text)
        return []
