"""Danger now: give the hotlines first, open an emergency case, then ask where."""

from __future__ import annotations

import asyncio

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import get_services
from actions.texts import language_of, text
from actions.tracker_utils import category_from_ranking, report_description, shared_location
from referral.hotlines import format_hotlines
from referral.reports import Report, open_report
from referral.storage import unit_of_work


def _open(services, report: Report) -> str:
    with unit_of_work(services.sessions) as session:
        return open_report(session, report).ticket


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        services = get_services()
        # The numbers go out before anything that could fail.
        language = language_of(tracker)
        dispatcher.utter_message(
            text=text("emergency_hotlines", language, hotlines=format_hotlines(services.hotlines))
        )
        ticket = tracker.get_slot("ticket")
        if ticket:
            return []
        coordinates = shared_location(tracker)
        report = Report(
            sender_id=tracker.sender_id,
            category=tracker.get_slot("category") or category_from_ranking(tracker),
            is_emergency=True,
            victim=tracker.get_slot("victim"),
            description=report_description(tracker),
            latitude=coordinates[0] if coordinates else None,
            longitude=coordinates[1] if coordinates else None,
        )
        ticket = await asyncio.to_thread(_open, services, report)
        dispatcher.utter_message(text=text("emergency_opened", language, ticket=ticket))
        return [SlotSet("ticket", ticket), SlotSet("category", report.category)]
