"""Keep the `language` slot in step with the gateway's detection (message metadata)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

SUPPORTED = ("id", "en")


class ActionSetLanguage(Action):
    """Runs on every user message (the slot's custom mapping names it)."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = (tracker.latest_message.get("metadata") or {}).get("language")
        if language in SUPPORTED and language != tracker.get_slot("language"):
            return [SlotSet("language", language)]
        return []
