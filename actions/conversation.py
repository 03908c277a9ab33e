"""The conversation around the reports: a greeting (salam answered as salam), asking for a
person (recorded as a handoff request), and a reply the bot did not understand."""

from __future__ import annotations

import asyncio
import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import get_context, reporter_of
from actions.emergency import note_for_recent_emergency
from actions.texts import action_text, tracker_language
from messaging.handoff import request_handoff
from referral.hotlines import format_hotlines
from referral.models import utcnow
from referral.storage import unit_of_work

SALAM = re.compile(r"\b(a?ss?alam+u?\W?\s*'?alai?kum|aslm|askum|ass?alamu|salamu?\s*alaikum|salam)\b", re.IGNORECASE)


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        salam = SALAM.search(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(response="utter_greet_salam" if salam else "utter_greet")
        return []


def _record_handoff(sender_id: str, reason: str) -> bool | None:
    """Returns whether the request is new; None when the conversation is unknown (a test
    talking to Rasa directly, say)."""
    with unit_of_work(get_context().sessions) as session:
        _, conversation_id = reporter_of(session, sender_id)
        if conversation_id is None:
            return None
        _, is_new = request_handoff(session, conversation_id, reason)
        return is_new


class ActionRequestHuman(Action):
    """Connecting them with a person: recorded for the officers, and what to expect
    (within working hours a person greets them here; outside them, the hotlines and a
    follow-up when the officers are back)."""

    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        context = get_context()
        language = tracker_language(tracker)
        is_new = await asyncio.to_thread(_record_handoff, tracker.sender_id, "asked")
        hours = context.service_hours
        if is_new is False:
            key = "handoff_already"
        else:
            key = "handoff_open" if hours.is_open(utcnow()) else "handoff_closed"
        dispatcher.utter_message(
            text=action_text(key, language, hours=hours.describe(language), hotlines=format_hotlines(context.hotlines))
        )
        return []


def _previous_intent(tracker: Tracker) -> str | None:
    """The intent of the reporter's message before the latest one."""
    users = [event for event in tracker.events if event.get("event") == "user"]
    if len(users) < 2:
        return None
    return ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")


class ActionNotUnderstood(Action):
    """Ask to rephrase once; when the next message is not understood either, offer a person
    (a button) instead of asking again. After an emergency, what they write is added to
    its case first."""

    def name(self) -> str:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if await note_for_recent_emergency(dispatcher, tracker):
            return []
        language = tracker_language(tracker)
        if _previous_intent(tracker) == "nlu_fallback":
            dispatcher.utter_message(
                text=action_text("offer_person", language),
                buttons=[
                    {"title": action_text("button_person", language), "payload": "/request_human"},
                    {"title": action_text("button_services", language), "payload": "/ask_services"},
                ],
            )
            return []
        dispatcher.utter_message(response="utter_default")
        return []
