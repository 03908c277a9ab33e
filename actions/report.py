"""The report flow: acknowledge, ask where (and which one, if unclear), open and route the case."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import ActionContext, get_context, with_reporter
from actions.texts import action_text, tracker_language
from actions.tracker_utils import (
    category_from_ranking,
    gateway_message_id,
    intent_confidence,
    latest_intent,
    report_description,
    shared_location,
)
from referral.gazetteer import Lookup
from referral.lifecycle import INTENT_TO_CATEGORY, CaseError
from referral.referrals import refer_case
from referral.reports import Report, add_location, open_report
from referral.routing import RouteResult
from referral.storage import unit_of_work

LOCATION_SKIPPED = "(tidak disebutkan)"
# A "no" only skips the question when it really says no: nonsense can look like `deny` to the model.
SKIP_WORDS = re.compile(
    r"\b(lewat\w*|skip|tidak|tdk|gak|ga|nggak|ngga|enggak|ogah|emoh|ora|mboten|henteu|teu|no|nope|rahasia|jangan)\b",
    re.IGNORECASE,
)
CONFIDENT_DENY = 0.85
CONFIDENT_OTHER_INTENT = 0.8
MAX_LOCATION_CHARS = 200
# Gazetteer scores: a regency, city or district named in the reply scores 0.75 and more;
# a lone village-name match scores 0.6.
STRONG_PLACE_SCORE = 0.7
# While we ask where, a reply the classifier is sure is one of these (and in which the
# gazetteer finds no place) is answered as such instead of being taken as the place.
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
        get_context()  # start loading the gazetteer while the reporter types where they are
        # The acknowledgement itself is uttered by the rule, before this action.
        category = INTENT_TO_CATEGORY.get(latest_intent(tracker) or "", "violence")
        return [
            SlotSet("category", category),
            SlotSet("emergency_ticket", None),  # a new report opens its own case
            SlotSet("location_retry", False),
            SlotSet("location_choices", None),
        ]


def choice_buttons(places: list[str]) -> list[dict[str, str]]:
    """One button per place; pressing it sends the place as a `location` entity."""
    return [
        {"title": place, "payload": "/provide_location" + json.dumps({"location": place}, ensure_ascii=False)}
        for place in places
    ]


class ActionAskLocation(Action):
    """How the form asks where: plainly, again when the place was not recognised,
    or "which one?" with a button per candidate when the name is ambiguous."""

    def name(self) -> str:
        return "action_ask_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        choices = tracker.get_slot("location_choices") or []
        if choices:
            dispatcher.utter_message(response="utter_ask_which_place", buttons=choice_buttons(choices))
        elif tracker.get_slot("location_retry"):
            dispatcher.utter_message(response="utter_location_not_found")
        else:
            dispatcher.utter_message(response="utter_ask_location")
        return []


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """While we ask where, take the reply as the place unless it is clearly something else."""
        if tracker.get_slot("requested_slot") != "location":
            return {}
        coordinates = shared_location(tracker)
        if coordinates:
            return {"location": "{:.5f}, {:.5f}".format(*coordinates)}
        intent = latest_intent(tracker)
        text = (tracker.latest_message.get("text") or "").strip()
        if not text or text.startswith("/") or intent == "emergency":
            return {}  # button payloads fill the slot themselves; an emergency has its own rule
        if intent == "deny" and (SKIP_WORDS.search(text) or intent_confidence(tracker) >= CONFIDENT_DENY):
            return {"location": LOCATION_SKIPPED}
        # A place the gazetteer knows well is a place, whatever the classifier made of it; a
        # weak match (a village named like an everyday word: "Kasih" in "terima kasih") is not,
        # when the classifier is sure the reply is something else.
        lookup: Lookup = await asyncio.to_thread(get_context().gazetteer.lookup, text)
        something_else = intent in NOT_A_PLACE and intent_confidence(tracker) >= CONFIDENT_OTHER_INTENT
        if lookup.best is not None and (lookup.best.score >= STRONG_PLACE_SCORE or not something_else):
            return {"location": text[:MAX_LOCATION_CHARS]}
        if something_else:
            return {}  # a question or more of the story: the rules answer it, then we ask again
        return {"location": text[:MAX_LOCATION_CHARS]}

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == LOCATION_SKIPPED:
            dispatcher.utter_message(response="utter_location_skipped")
            return {"location": LOCATION_SKIPPED}
        text = str(value)[:MAX_LOCATION_CHARS]
        # rasa-sdk keeps only required slots from extraction; the coordinates of
        # a shared location are set here, alongside the validated place.
        coordinates = shared_location(tracker)
        if coordinates:
            return {"location": text, "latitude": coordinates[0], "longitude": coordinates[1]}

        lookup: Lookup = await asyncio.to_thread(get_context().gazetteer.lookup, text)
        # Ask at most once more (action_ask_location words it); then keep what they wrote.
        if not tracker.get_slot("location_retry"):
            if lookup.best is None:
                return {"location": None, "location_retry": True, "location_choices": None}
            if lookup.ambiguous:
                places = [match.full_name for match in lookup.candidates[:3]]
                return {"location": None, "location_retry": True, "location_choices": places}
        return {"location": text, "location_choices": None}


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


def referral_sentence(result: RouteResult | None, language: str) -> str:
    if result is None:
        return action_text("unrouted", language)
    if result.facility is None:
        level = (result.fallback or {}).get("level")
        return action_text("to_province" if level == "province" else "to_national", language)
    candidate = result.facility
    distance = (
        f"{candidate.distance_km:.0f} km" if candidate.distance_km >= 1 else action_text("distance_under_1km", language)
    )
    return action_text("referred", language, facility=candidate.facility.name, distance=distance)


def open_and_route(
    context: ActionContext, report: Report, sender_id: str, emergency_ticket: str | None, message_id: object = None
) -> tuple[str, RouteResult | None, bool]:
    """One transaction: open the case (or complete the emergency case this report began
    with) and route it. Returns (ticket, route, was_new)."""
    with unit_of_work(context.sessions) as session:
        report = with_reporter(session, report, sender_id, message_id)
        case = None
        if emergency_ticket:
            try:
                case = add_location(session, emergency_ticket, report)
            except CaseError:  # closed meanwhile: this report stands on its own
                emergency_ticket = None
        if case is None:
            case = open_report(session, report)
        result = None
        if case.status == "new":
            result = refer_case(session, case, context.routing_index(session), context.gazetteer, actor="bot")
        return case.ticket, result, emergency_ticket is None


class ActionOpenCase(Action):
    def name(self) -> str:
        return "action_open_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        location = tracker.get_slot("location")
        report = Report(
            category=tracker.get_slot("category") or category_from_ranking(tracker),
            victim=tracker.get_slot("victim"),
            description=report_description(tracker),
            location_text=None if location == LOCATION_SKIPPED else location,
            latitude=tracker.get_slot("latitude"),
            longitude=tracker.get_slot("longitude"),
        )
        ticket, result, was_new = await asyncio.to_thread(
            open_and_route,
            get_context(),
            report,
            tracker.sender_id,
            tracker.get_slot("emergency_ticket"),
            gateway_message_id(tracker),
        )
        language = tracker_language(tracker)
        opening = action_text("case_opened" if was_new else "location_added", language, ticket=ticket)
        dispatcher.utter_message(text=opening + referral_sentence(result, language))
        # The report is complete: nothing of it carries over into the next one.
        return [
            SlotSet("ticket", ticket),  # kept only to answer "how is my report?"
            SlotSet("emergency_ticket", None),
            SlotSet("category", None),
            SlotSet("location", None),
            SlotSet("latitude", None),
            SlotSet("longitude", None),
            SlotSet("victim", None),
            SlotSet("location_retry", False),
            SlotSet("location_choices", None),
        ]
