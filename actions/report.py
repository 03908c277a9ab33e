"""The report flow: acknowledge, ask where, open the case."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import get_services
from actions.tracker_utils import (
    category_from_ranking,
    latest_intent,
    report_description,
    shared_location,
)
from referral.lifecycle import INTENT_TO_CATEGORY
from referral.reports import Report, add_location, open_report
from referral.storage import unit_of_work

LOCATION_SKIPPED = "(tidak disebutkan)"
MAX_LOCATION_CHARS = 200
# Intents whose text is never taken as a place name while we ask for one.
NOT_A_PLACE = frozenset(
    {
        "emergency",
        "ask_services",
        "request_human",
        "bot_challenge",
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "ask_case_status",
        *INTENT_TO_CATEGORY,
    }
)


class ActionStartReport(Action):
    def name(self) -> str:
        return "action_start_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # The acknowledgement itself is uttered by the rule, before this action.
        category = INTENT_TO_CATEGORY.get(latest_intent(tracker) or "", "violence")
        return [SlotSet("category", category), SlotSet("ticket", None)]


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "location":
            return {}
        coordinates = shared_location(tracker)
        if coordinates:
            return {"location": "{:.5f}, {:.5f}".format(*coordinates)}
        intent = latest_intent(tracker)
        if intent == "deny":
            return {"location": LOCATION_SKIPPED}
        text = (tracker.latest_message.get("text") or "").strip()
        if intent in NOT_A_PLACE or not text or text.startswith("/"):
            return {}
        return {"location": text[:MAX_LOCATION_CHARS]}

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == LOCATION_SKIPPED:
            dispatcher.utter_message(response="utter_location_skipped")
            return {"location": LOCATION_SKIPPED}
        slots: dict[str, Any] = {"location": str(value)[:MAX_LOCATION_CHARS]}
        # rasa-sdk keeps only required slots from extraction; the coordinates of
        # a shared location are set here, alongside the validated place.
        coordinates = shared_location(tracker)
        if coordinates:
            slots["latitude"], slots["longitude"] = coordinates
        return slots


class ActionRememberLocation(Action):
    """A place given before the story: keep it for the report that follows."""

    def name(self) -> str:
        return "action_remember_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        coordinates = shared_location(tracker)
        if coordinates:
            latitude, longitude = coordinates
            return [
                SlotSet("location", f"{latitude:.5f}, {longitude:.5f}"),
                SlotSet("latitude", latitude),
                SlotSet("longitude", longitude),
            ]
        return []


class ActionOpenCase(Action):
    def name(self) -> str:
        return "action_open_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        location = tracker.get_slot("location")
        report = Report(
            sender_id=tracker.sender_id,
            category=tracker.get_slot("category") or category_from_ranking(tracker),
            victim=tracker.get_slot("victim"),
            description=report_description(tracker),
            location_text=None if location == LOCATION_SKIPPED else location,
            latitude=tracker.get_slot("latitude"),
            longitude=tracker.get_slot("longitude"),
        )
        existing_ticket = tracker.get_slot("ticket")
        with unit_of_work(get_services().sessions) as session:
            if existing_ticket:
                case = add_location(session, existing_ticket, report)
            else:
                case = open_report(session, report)
            ticket = case.ticket
        if existing_ticket:
            dispatcher.utter_message(
                text=f"Lokasi sudah kami tambahkan ke laporan {ticket}. Petugas kami sedang menindaklanjuti."
            )
        else:
            dispatcher.utter_message(
                text=(
                    f"Laporan Anda sudah kami terima dengan nomor {ticket}. "
                    "Simpan nomor ini untuk menanyakan perkembangannya. "
                    "Petugas kami akan meneruskannya ke PSKM atau layanan Muhammadiyah terdekat "
                    "dan menghubungi Anda lewat percakapan ini."
                )
            )
        return [
            SlotSet("ticket", ticket),
            SlotSet("category", None),
            SlotSet("location", None),
            SlotSet("latitude", None),
            SlotSet("longitude", None),
            SlotSet("victim", None),
        ]
