"""How the report form asks each question: one action per question (Rasa calls
`action_ask_<slot>`), with buttons whose payloads are the plain answers actions/answers.py
reads, and the summary to confirm."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import CONTACTS, EDITABLE, SKIPPED, VICTIMS
from actions.flows import flow_for
from actions.location import choice_buttons
from actions.texts import action_text, text_for_kind, tracker_language


def button(key: str, payload: str, language: str) -> dict[str, str]:
    return {"title": action_text(key, language), "payload": payload}


def skip_button(language: str) -> dict[str, str]:
    return button("button_skip", "lewati", language)


def asked_again(tracker: Tracker, slot: str) -> bool:
    return slot in (tracker.get_slot("asked_again") or [])


def shown(value: object, language: str) -> str:
    """A slot's value as the reporter reads it in the summary."""
    if value in (None, SKIPPED):
        return action_text("not_given", language)
    return str(value)


def summary(tracker: Tracker, language: str) -> str:
    flow = flow_for(tracker)
    victim = tracker.get_slot("victim")
    lines = [action_text("summary_intro", language)]
    description = tracker.get_slot("description")
    if description and len(description) > 300:
        description = description[:300].rstrip() + "…"
    lines.append(f"• {action_text('label_description', language)}: {shown(description, language)}")
    if victim in VICTIMS:
        lines.append(f"• {action_text('label_victim', language)}: {action_text(f'victim_{victim}', language)}")
    elif flow.implied_victim is None:
        lines.append(f"• {action_text('label_victim', language)}: {action_text('not_given', language)}")
    situation = tracker.get_slot("situation")
    if flow.asks_situation:
        value = action_text(f"situation_{situation}", language) if situation in ("ongoing", "safe", "danger") else None
        lines.append(f"• {action_text('label_situation', language)}: {shown(value, language)}")
    lines.append(f"• {action_text('label_location', language)}: {shown(tracker.get_slot('location'), language)}")
    contact = tracker.get_slot("contact")
    phone = tracker.get_slot("contact_phone")
    if contact == "telepon" and phone and phone != SKIPPED:
        contact_text = action_text("contact_phone_number", language, phone=phone)
    elif contact in CONTACTS:
        contact_text = action_text(f"contact_{contact}", language)
    else:
        contact_text = None
    lines.append(f"• {action_text('label_contact', language)}: {shown(contact_text, language)}")
    lines.append(action_text("summary_question", language))
    return "\n".join(lines)


class AskQuestion(Action):
    """The shared shape: the question's text (with "sorry, once more" before a repeat) and buttons."""

    slot = "question"

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def text(self, tracker: Tracker, language: str) -> str:
        return action_text(f"ask_{self.slot}", language)

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        return [skip_button(language)]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker_language(tracker)
        text = self.text(tracker, language)
        if asked_again(tracker, self.slot):
            text = action_text("ask_again", language) + "\n" + text
        dispatcher.utter_message(text=text, buttons=self.buttons(tracker, language))
        return []


class AskDangerNow(AskQuestion):
    """After the hotlines, when only the classifier took the message for danger now."""

    slot = "danger_now"

    def text(self, tracker: Tracker, language: str) -> str:
        return action_text(text_for_kind("ask_danger_now", tracker.get_slot("danger_kind")), language)

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        yes = text_for_kind("button_danger_yes", tracker.get_slot("danger_kind"))
        return [button(yes, "ya", language), button("button_danger_no", "tidak", language)]


class AskWantsReport(AskQuestion):
    """Before a report form, when the message says little of anything reported."""

    slot = "wants_report"

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        return [button("button_report_yes", "ya", language), button("button_report_no", "tidak", language)]


class AskDescription(AskQuestion):
    slot = "description"


class AskVictim(AskQuestion):
    slot = "victim"

    def text(self, tracker: Tracker, language: str) -> str:
        return action_text(flow_for(tracker).victim_question, language)

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        return [button(f"victim_{value}", value, language) for value in VICTIMS] + [skip_button(language)]


class AskSituation(AskQuestion):
    slot = "situation"

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        choices = [("situation_ongoing", "masih berlangsung"), ("situation_safe", "sudah aman"), ("situation_danger", "dalam bahaya sekarang")]
        return [button(key, payload, language) for key, payload in choices] + [skip_button(language)]


class AskContact(AskQuestion):
    slot = "contact"

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        return [button(f"contact_{value}", value, language) for value in CONTACTS] + [skip_button(language)]


class AskContactPhone(AskQuestion):
    """Asked again with what was wrong: the number did not look Indonesian."""

    slot = "contact_phone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker_language(tracker)
        key = "phone_invalid" if asked_again(tracker, self.slot) else "ask_contact_phone"
        dispatcher.utter_message(text=action_text(key, language), buttons=[skip_button(language)])
        return []


class AskConfirmed(AskQuestion):
    slot = "confirmed"

    def text(self, tracker: Tracker, language: str) -> str:
        return summary(tracker, language)

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        return [button("button_yes", "benar", language), button("button_change", "ubah", language)]


class AskEditItem(AskQuestion):
    slot = "edit_item"

    def buttons(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        flow = flow_for(tracker)
        items = [item for item in EDITABLE if (item != "situation" or flow.asks_situation) and (item != "victim" or flow.implied_victim is None)]
        return [button(f"label_{item}", item, language) for item in items]


class ActionAskLocation(Action):
    """How the form asks where: plainly, again when the place was not recognised,
    or "which one?" with a button per candidate when the name is ambiguous."""

    def name(self) -> str:
        return "action_ask_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        choices = tracker.get_slot("location_choices") or []
        language = tracker_language(tracker)
        if tracker.get_slot("emergency_ticket") and not choices and not tracker.get_slot("location_retry"):
            dispatcher.utter_message(text=action_text("emergency_where", language), buttons=[skip_button(language)])
        elif choices:
            dispatcher.utter_message(response="utter_ask_which_place", buttons=choice_buttons(choices))
        elif tracker.get_slot("location_retry"):
            dispatcher.utter_message(response="utter_location_not_found", buttons=[skip_button(language)])
        else:
            dispatcher.utter_message(response="utter_ask_location", buttons=[skip_button(language)])
        return []
