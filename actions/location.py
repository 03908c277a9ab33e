"""Where it happened: a shared location, a place name the gazetteer knows, "which one?"
when the name is ambiguous, or a skip. Used by the report form's location question."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import SKIPPED, is_skip
from actions.context import get_context
from actions.emergency import note_for_recent_emergency
from actions.tracker_utils import danger_for_the_rules, intent_confidence, latest_intent, shared_location
from referral.gazetteer import Lookup
from referral.lifecycle import INTENT_TO_CATEGORY

LOCATION_SKIPPED = SKIPPED
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
# (An emergency the classifier is unsure of is not among them: the reply is read as the place.)
NOT_A_PLACE = frozenset(
    {
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


def choice_buttons(places: list[str]) -> list[dict[str, str]]:
    """One button per place; pressing it sends the place as a `location` entity."""
    return [
        {"title": place, "payload": "/provide_location" + json.dumps({"location": place}, ensure_ascii=False)}
        for place in places
    ]


async def extract_place(tracker: Tracker) -> dict[str, Any]:
    """While we ask where, take the reply as the place unless it is clearly something else."""
    if tracker.get_slot("requested_slot") != "location":
        return {}
    coordinates = shared_location(tracker)
    if coordinates:
        return {"location": "{:.5f}, {:.5f}".format(*coordinates)}
    intent = latest_intent(tracker)
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/") or danger_for_the_rules(tracker):
        return {}  # button payloads fill the slot themselves; danger has its own rule
    if is_skip(text) or (intent == "deny" and (SKIP_WORDS.search(text) or intent_confidence(tracker) >= CONFIDENT_DENY)):
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


async def validate_place(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    if value == LOCATION_SKIPPED:
        return {"location": LOCATION_SKIPPED}
    text = str(value)[:MAX_LOCATION_CHARS]
    # rasa-sdk returns only the validated required slots: the coordinates of a shared
    # location are set here, alongside the validated place.
    coordinates = shared_location(tracker)
    if coordinates:
        return {"location": text, "latitude": coordinates[0], "longitude": coordinates[1]}

    lookup: Lookup = await asyncio.to_thread(get_context().gazetteer.lookup, text)
    # Ask at most once more (action_ask_location words it); then keep what they wrote. In an
    # emergency "where?" is the one question: what they wrote is kept for the officers.
    if not tracker.get_slot("location_retry") and not tracker.get_slot("emergency_ticket"):
        if lookup.best is None:
            return {"location": None, "location_retry": True, "location_choices": None}
        if lookup.ambiguous:
            places = [match.full_name for match in lookup.candidates[:3]]
            return {"location": None, "location_retry": True, "location_choices": places}
    return {"location": text, "location_choices": None}


class ActionRememberLocation(Action):
    """A place given outside a report: kept for the report that follows (or added to the
    emergency case still open)."""

    def name(self) -> str:
        return "action_remember_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if await note_for_recent_emergency(dispatcher, tracker):
            return []
        dispatcher.utter_message(response="utter_ask_what_happened")
        coordinates = shared_location(tracker)
        if not coordinates:
            return []  # a typed place is in the `location` slot already (its entity)
        latitude, longitude = coordinates
        return [
            SlotSet("location", f"{latitude:.5f}, {longitude:.5f}"),
            SlotSet("latitude", latitude),
            SlotSet("longitude", longitude),
        ]
