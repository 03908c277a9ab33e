"""Danger now: give the hotlines first, open an emergency case (or add to the one still
open), alert officers, then ask where."""

from __future__ import annotations

import asyncio

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import get_context, with_reporter
from actions.texts import action_text, tracker_language
from actions.tracker_utils import category_from_ranking, gateway_message_id, report_description, shared_location
from referral.hotlines import format_hotlines
from referral.reports import Report, report_emergency
from referral.storage import unit_of_work


def _report(context, report: Report, sender_id: str, message_id: object) -> tuple[str, bool]:
    with unit_of_work(context.sessions) as session:
        case, is_new = report_emergency(session, with_reporter(session, report, sender_id, message_id))
        return case.ticket, is_new


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = get_context()
        # The numbers go out before anything that could fail.
        language = tracker_language(tracker)
        dispatcher.utter_message(
            text=action_text("emergency_hotlines", language, hotlines=format_hotlines(context.hotlines))
        )
        # Never skipped because of an earlier report's ticket: every emergency is recorded.
        coordinates = shared_location(tracker)
        report = Report(
            category=tracker.get_slot("category") or category_from_ranking(tracker),
            is_emergency=True,
            victim=tracker.get_slot("victim"),
            description=report_description(tracker),
            latitude=coordinates[0] if coordinates else None,
            longitude=coordinates[1] if coordinates else None,
        )
        ticket, is_new = await asyncio.to_thread(_report, context, report, tracker.sender_id, gateway_message_id(tracker))
        dispatcher.utter_message(text=action_text("emergency_opened" if is_new else "emergency_repeated", language, ticket=ticket))
        # The form that follows asks where, and completes this case (not any earlier one).
        return [SlotSet("ticket", ticket), SlotSet("emergency_ticket", ticket), SlotSet("category", report.category)]
