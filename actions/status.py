"""'How is my report?': answer only about the reporter's own cases."""

from __future__ import annotations

import asyncio

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import get_context, reporter_of
from actions.texts import action_text, tracker_language
from referral.lifecycle import CaseError
from referral.reports import case_for_reporter
from referral.storage import unit_of_work
from referral.tickets import find_ticket

def _status_of(sender_id: str, ticket: str) -> str:
    with unit_of_work(get_context().sessions) as session:
        reporter_id, _ = reporter_of(session, sender_id)
        return case_for_reporter(session, reporter_id, ticket).status


class ActionCaseStatus(Action):
    def name(self) -> str:
        return "action_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = (
            find_ticket(tracker.get_slot("case_id") or "")
            or find_ticket(tracker.latest_message.get("text") or "")
            or tracker.get_slot("ticket")
        )
        language = tracker_language(tracker)
        if not ticket:
            dispatcher.utter_message(text=action_text("status_which", language))
            return []
        try:
            status = await asyncio.to_thread(_status_of, tracker.sender_id, ticket)
        except CaseError:
            dispatcher.utter_message(text=action_text("status_not_found", language, ticket=ticket))
            return []
        state = action_text(f"state_{status}", language)
        dispatcher.utter_message(text=action_text("status", language, ticket=ticket, state=state))
        return []
