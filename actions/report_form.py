"""The report form: what a case worker needs, asked warmly and only once.

What happened, who, (for violence and bullying) whether it is still going on, where,
whether and how we may contact them, then a summary to confirm. Each category is a
thin flow on a shared base that says which questions it asks. Every question can be
skipped ("lewati") and the whole report cancelled ("batal"); an unclear answer is asked
about once more, then taken as skipped, so nobody is kept in a loop. A reply is read as an
answer first, and answers never join the story. A reply that is clearly something else (a
question about the service, asking for a person, more of the story, danger the safety net
or a confident classifier hears) is left to the rules, which answer it and come back here;
another report told meanwhile is taken down when this one is done, and a location shared
at any question is the place.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import (
    CONTACTS,
    EDITABLE,
    SKIPPED,
    VICTIMS,
    another_report,
    confirmation_from,
    contact_from,
    danger_from,
    edit_item_from,
    is_cancel,
    is_skip,
    situation_from,
    victim_from,
    victim_in_story,
    wants_report_from,
)
from actions.emergency import THEN_REPORT, note_for_recent_emergency, raise_emergency, settle_emergency_check
from actions.report import acknowledge
from actions.flows import flow_for
from actions.location import extract_place, validate_place
from actions.texts import action_text, text_for_kind, tracker_language
from actions.tracker_utils import (
    danger_for_the_rules,
    intent_confidence,
    latest_intent,
    latest_route,
    safety_net_fired,
    shared_location,
)
from referral.lifecycle import INTENT_TO_CATEGORY
from referral.phones import find_phone

CANCELLED = "(batal)"
UNCLEAR = "(tidak jelas)"
MAX_DESCRIPTION_CHARS = 2000
CONFIDENT = 0.8
# Replies the rules answer while the form waits (then the form asks its question again).
QUESTIONS = frozenset({"ask_services", "request_human", "bot_challenge", "ask_case_status"})
DIGRESSIONS = QUESTIONS | frozenset(INTENT_TO_CATEGORY)  # ...and more of the story


def _text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def is_digression(tracker: Tracker) -> bool:
    """A reply the classifier is sure is something other than an answer."""
    return latest_intent(tracker) in DIGRESSIONS and intent_confidence(tracker) >= CONFIDENT


def asks_something(tracker: Tracker) -> bool:
    """The classifier is sure the reply asks something of us (the service, a person, a case)."""
    return latest_intent(tracker) in QUESTIONS and intent_confidence(tracker) >= CONFIDENT


def is_their_question(tracker: Tracker, text: str) -> bool:
    """A question of theirs ("ini bot ya?", "gratis gak?", "bisa bicara dengan petugas?"),
    even when it contains a word that would answer ours. A short reply is an answer."""
    return asks_something(tracker) and ("?" in text or len(text.split()) > 3)


def story_so_far(tracker: Tracker) -> str | None:
    """What the reporter told us happened (answers to the other questions never join it)."""
    current = tracker.get_slot("description")
    return current if current not in (None, SKIPPED) else None


def with_more_story(tracker: Tracker, text: str) -> str | None:
    """The description with one more message of the reporter's added (more of the story,
    told while a question waits)."""
    parts = [p for p in (story_so_far(tracker), text) if p]
    return "\n".join(parts)[:MAX_DESCRIPTION_CHARS] or None


def answer(tracker: Tracker, slot: str, read) -> dict[str, Any]:
    """The common reading of a reply to the question about `slot`: skip, cancel, a
    digression (left to the rules), an answer (`read` gives its value), or unclear."""
    if tracker.get_slot("requested_slot") != slot or shared_location(tracker):
        return {}  # a shared location is taken as the place, whatever was asked
    text = _text(tracker)
    if not text:
        return {}
    if latest_intent(tracker) == "emergency" and (slot == "danger_now" or danger_for_the_rules(tracker)):
        # Danger the safety net saw, a reply the classifier is sure is danger now, or any sign
        # of danger in answer to "in danger now?": the emergency rule takes it. Only the
        # classifier, on a one- or two-word reply that is one of the answers we offered
        # ("myself"): that answer. (Unsure, the classifier is not heard over the answer.)
        if safety_net_fired(tracker) or slot == "description" or len(text.split()) > 2:
            return {}
        value = read(text)
        return {slot: value} if value is not None else {}
    if is_their_question(tracker, text):
        return {}
    if is_cancel(text):
        return {slot: CANCELLED}
    if is_skip(text):
        return {slot: SKIPPED}
    value = read(text)
    if value is not None:
        return {slot: value}
    if is_digression(tracker):
        return {}
    return {slot: UNCLEAR}


def asked_once_more(tracker: Tracker, slot: str) -> dict[str, Any] | None:
    """For an unclear reply: the slots that ask the question once more, or None when it was
    asked twice already (then the reply counts as skipped)."""
    settled = settle(tracker, slot, UNCLEAR)
    return None if settled.get(slot) == SKIPPED else settled


def settle(tracker: Tracker, slot: str, value: Any) -> dict[str, Any]:
    """What a validated reply sets: a cancel ends the form, an unclear reply is asked
    about once more and then taken as skipped."""
    if value == CANCELLED:
        return {slot: None, "report_cancelled": True}
    if value == UNCLEAR:
        asked = list(tracker.get_slot("asked_again") or [])
        if slot in asked:
            return {slot: SKIPPED}
        return {slot: None, "asked_again": [*asked, slot]}
    return {slot: value}


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return flow_for(tracker).required_slots(tracker)

    # -- is anyone in danger now? (only the classifier said emergency: actions/emergency.py)
    async def extract_danger_now(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer(tracker, "danger_now", danger_from)

    async def validate_danger_now(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        language = tracker_language(tracker)
        if value == "ya":  # the full path, with the story told so far (our question's message included)
            slots = await raise_emergency(dispatcher, tracker, description=tracker.get_slot("description"), with_latest=False)
            return {"danger_now": "ya", **slots}
        if value == UNCLEAR:
            again = asked_once_more(tracker, "danger_now")
            if again is not None:
                return again
            value = SKIPPED
        then_report = tracker.get_slot("emergency_check") == THEN_REPORT and value != CANCELLED
        done = {"danger_now": "tidak" if value == "tidak" else SKIPPED, "emergency_check": None}
        if value == "tidak":
            await settle_emergency_check(tracker, "denied")
        elif not then_report:
            # Skipped, cancelled or unclear twice, and nothing more to ask: an officer looks now.
            await settle_emergency_check(tracker, "expired")
        # (With a report going on, its case settles the question when it is opened.)
        key = ("not_in_danger_report" if then_report else "not_in_danger") if value == "tidak" else "danger_unanswered"
        if key == "not_in_danger":
            key = text_for_kind(key, tracker.get_slot("danger_kind"))
        dispatcher.utter_message(text=action_text(key, language))
        if then_report:
            return done
        return done | {"report_cancelled": True, "quiet_end": True}

    # -- do you want to report something? (little evidence that anything was reported)
    async def extract_wants_report(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") == "wants_report" and latest_route(tracker) == "report":
            return {"wants_report": "ya"}  # they went on to tell what happened
        return answer(tracker, "wants_report", wants_report_from)

    async def validate_wants_report(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value == "ya":
            acknowledge(dispatcher, tracker.get_slot("category") or "violence")
            yes: dict[str, Any] = {"wants_report": "ya", "report_offer": None}
            if latest_route(tracker) == "report":  # what they wrote is the story (not asked again)
                yes["description"] = with_more_story(tracker, _text(tracker))
            return yes
        if value == UNCLEAR:
            again = asked_once_more(tracker, "wants_report")
            if again is not None:
                return again
        # No (or twice no clear answer): it was our guess, not their request.
        dispatcher.utter_message(text=action_text("not_a_report", tracker_language(tracker)))
        return {"wants_report": "tidak", "report_offer": None, "report_cancelled": True, "quiet_end": True}

    # -- what happened
    async def extract_description(self, dispatcher, tracker, domain) -> dict[str, Any]:
        # Any text is the story (a report intent too), unless it is clearly a question of theirs.
        return answer(tracker, "description", lambda text: None if asks_something(tracker) else text)

    async def validate_description(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value in (CANCELLED, UNCLEAR, SKIPPED):
            return settle(tracker, "description", value)
        story = {"description": str(value)[:MAX_DESCRIPTION_CHARS]}
        victim = victim_in_story(story["description"])
        if victim and not tracker.get_slot("victim"):  # the story says who: not asked
            story["victim"] = victim
        return story

    # -- who
    async def extract_victim(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer(tracker, "victim", victim_from)

    async def validate_victim(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "victim":
            # Not an answer to our question: the classifier's guess from the story. Kept only
            # when the story's words say the same (else the question is asked).
            text = _text(tracker)
            agreed = value if value in VICTIMS and victim_from(text) == value else None
            return {"victim": flow_for(tracker).implied_victim or victim_in_story(text) or agreed}
        if value in VICTIMS:
            return {"victim": value}
        if value in (CANCELLED, UNCLEAR, SKIPPED):
            return settle(tracker, "victim", value)
        return {"victim": victim_from(str(value)) or "lainnya"}  # an entity the NLU normalised differently

    # -- still going on?
    async def extract_situation(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer(tracker, "situation", situation_from)

    async def validate_situation(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value == "danger":  # danger now: help first, then at most the place (the story so far, not this answer)
            slots = await raise_emergency(dispatcher, tracker, description=story_so_far(tracker), with_latest=False)
            return {"situation": "danger", **slots}
        if value in ("ongoing", "safe"):
            return {"situation": value}
        return settle(tracker, "situation", value)

    # -- where
    async def extract_location(self, dispatcher, tracker, domain) -> dict[str, Any]:
        coordinates = shared_location(tracker)
        if coordinates and tracker.get_slot("requested_slot"):  # shared at any question: that is where
            return {"location": "{:.5f}, {:.5f}".format(*coordinates)}
        if tracker.get_slot("requested_slot") != "location":
            return {}
        text = _text(tracker)
        if is_cancel(text):
            return {"location": CANCELLED}
        place = await extract_place(tracker)
        if place or not text or text.startswith("/") or danger_for_the_rules(tracker) or is_digression(tracker):
            return place
        return {"location": UNCLEAR}  # "makasih", "halo": not a place; asked once more

    async def validate_location(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value in (CANCELLED, UNCLEAR):
            return settle(tracker, "location", value)
        if shared_location(tracker) and tracker.get_slot("requested_slot") not in (None, "location"):
            # Shared while another question waits: said in one line, then that question again.
            dispatcher.utter_message(text=action_text("location_taken", tracker_language(tracker)))
        return await validate_place(value, dispatcher, tracker)

    # -- may we contact them, and how
    async def extract_contact(self, dispatcher, tracker, domain) -> dict[str, Any]:
        phone = find_phone(_text(tracker)) if tracker.get_slot("requested_slot") == "contact" else None
        if phone:  # they simply wrote their number
            return {"contact": "telepon", "contact_phone": phone}
        return answer(tracker, "contact", contact_from)

    async def validate_contact(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value in CONTACTS:
            return {"contact": value}
        return settle(tracker, "contact", value)

    async def extract_contact_phone(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer(tracker, "contact_phone", find_phone)

    async def validate_contact_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        settled = settle(tracker, "contact_phone", value)
        if settled.get("contact_phone") == SKIPPED:
            # No number after all: they agreed to a call, not to anything else, so nobody
            # contacts them (the report is still followed up).
            return {"contact_phone": SKIPPED, "contact": SKIPPED}
        return settled

    # -- the summary, and a correction
    async def extract_confirmed(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer(tracker, "confirmed", confirmation_from)

    async def validate_confirmed(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value == "ubah":
            return {"confirmed": None, "editing": True}
        settled = settle(tracker, "confirmed", value)
        if settled.get("confirmed") == SKIPPED:
            return {"confirmed": "unconfirmed"}  # recorded as told; an officer checks it with them
        return settled

    async def extract_edit_item(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer(tracker, "edit_item", edit_item_from)

    async def validate_edit_item(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        flow = flow_for(tracker)
        if value == "victim" and flow.implied_victim or value == "situation" and not flow.asks_situation:
            value = SKIPPED  # not a question this flow asks: back to the summary
        if value in EDITABLE:  # ask that one again, then the summary again
            cleared: dict[str, Any] = {value: None, "edit_item": None, "editing": False, "confirmed": None}
            if value == "location":
                cleared |= {"latitude": None, "longitude": None, "location_retry": False, "location_choices": None}
            if value == "contact":
                cleared |= {"contact_phone": None}
            asked = [slot for slot in tracker.get_slot("asked_again") or [] if slot != value]
            return cleared | {"asked_again": asked}
        settled = settle(tracker, "edit_item", value)
        if value == SKIPPED or settled.get("edit_item") == SKIPPED:  # nothing to change after all
            return {"edit_item": None, "editing": False, "confirmed": None}
        return settled


class ActionAddToStory(Action):
    """A report intent while a question waits: more of the story (added to the description,
    or, for the emergency case being completed, to that case for its officers), or, when it
    reports something else (another category or person), a report of its own, taken down
    when this one is done. Then the question is asked again."""

    def name(self) -> str:
        return "action_add_to_story"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker_language(tracker)
        text = _text(tracker)
        told = INTENT_TO_CATEGORY.get(latest_intent(tracker) or "")
        if another_report(tracker.get_slot("category"), tracker.get_slot("victim"), told, text):
            dispatcher.utter_message(text=action_text("report_kept_for_later", language))
            later = [*(tracker.get_slot("next_reports") or []), {"category": told, "text": text[:MAX_DESCRIPTION_CHARS]}]
            return [SlotSet("next_reports", later)]
        if tracker.get_slot("emergency_ticket") and await note_for_recent_emergency(dispatcher, tracker):
            return []  # the emergency case keeps its story; this message is added to it as it is
        dispatcher.utter_message(text=action_text("story_added", language))
        return [SlotSet("description", with_more_story(tracker, text))]

