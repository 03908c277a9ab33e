"""A report's start and end: set the report up from its first message, and, when the form
is done, open and route the case (or complete the emergency case it began with, or stop
kindly when the reporter cancelled)."""

from __future__ import annotations

import asyncio

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import SKIPPED, says_enough, victim_from, victim_in_story
from actions.context import ActionContext, get_context, with_reporter
from actions.flows import FLOWS
from actions.texts import TEXTS, action_text, tracker_language
from actions.tracker_utils import category_from_ranking, gateway_message_id, latest_intent, latest_route
from referral import emergency_checks
from referral.lifecycle import INTENT_TO_CATEGORY, CaseError
from referral.models import CaseEvent
from referral.referrals import refer_case
from referral.reports import Report, complete_emergency, open_report
from referral.routing import RouteResult
from referral.storage import unit_of_work

# Everything a report collects; cleared when one starts and when one ends, so nothing of
# one report carries over into the next.
REPORT_SLOTS = (
    "category", "description", "victim", "situation", "location", "latitude", "longitude", "contact",
    "contact_phone", "confirmed", "edit_item", "editing", "report_cancelled", "asked_again",
    "location_retry", "location_choices", "emergency_ticket",
    # the first questions of the two-tier triage (actions/emergency.py, validate_report_form)
    "emergency_check", "danger_now", "danger_kind", "report_offer", "wants_report", "quiet_end",
)


def cleared_report(keep: tuple[str, ...] = ()) -> list[EventType]:
    return [SlotSet(slot, None) for slot in REPORT_SLOTS if slot not in keep]


def start_report_events(tracker: Tracker, category: str) -> list[EventType]:
    """The slots a report starts with, from its first message: a new report is its own
    case, even right after an emergency (officers see both); a place or a victim named
    before the report (or in this message) is kept."""
    text = (tracker.latest_message.get("text") or "").strip()
    events = cleared_report(keep=("location", "latitude", "longitude", "victim"))
    events += story_events(category, text)
    # Who, as the story says it plainly; the classifier's guess only when our reading of
    # the same words agrees (else the question is asked: asking is safe, a wrong guess not).
    if not (FLOWS[category].implied_victim or victim_in_story(text)):
        if tracker.get_slot("victim") and victim_from(text) != tracker.get_slot("victim"):
            events.append(SlotSet("victim", None))
    return events


def story_events(category: str, text: str) -> list[EventType]:
    """A report's category, its story when the message tells one, and who, when the
    category or the story says it plainly."""
    events: list[EventType] = [SlotSet("category", category)]
    if says_enough(text):
        events.append(SlotSet("description", text))
    victim = FLOWS[category].implied_victim or victim_in_story(text)
    if victim:
        events.append(SlotSet("victim", victim))
    return events


def next_report_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A report of its own told while this one was taken (actions/report_form.py,
    ActionAddToStory): now that this one is done, the form starts again with it."""
    waiting = [item for item in tracker.get_slot("next_reports") or [] if isinstance(item, dict)]
    if not waiting:
        return []
    first, rest = waiting[0], waiting[1:]
    category = first.get("category") if first.get("category") in FLOWS else "violence"
    dispatcher.utter_message(text=action_text("next_report", tracker_language(tracker)))
    acknowledge(dispatcher, category)
    return [SlotSet("next_reports", rest or None), *story_events(category, str(first.get("text") or "")),
            FollowupAction("report_form")]


def acknowledge(dispatcher: CollectingDispatcher, category: str) -> None:
    """The warm first words of a report of this category (domain.yml, both languages)."""
    dispatcher.utter_message(response=f"utter_ack_{category}")


class ActionStartReport(Action):
    """A report intent: the form starts with the acknowledgement, or, when the NLU's gate
    finds little evidence that anything is reported, with "do you want to report
    something?" (the form's first question then)."""

    def name(self) -> str:
        return "action_start_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        get_context()  # start loading the gazetteer while the reporter answers
        category = INTENT_TO_CATEGORY.get(latest_intent(tracker) or "", "violence")
        events = start_report_events(tracker, category)
        if latest_route(tracker) == "offer_report":
            events.append(SlotSet("report_offer", "pending"))
        else:
            acknowledge(dispatcher, category)
        return events


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
    kind_key = f"facility_kind_{candidate.facility.kind.upper()}"
    kind = action_text(kind_key, language) if kind_key in TEXTS else candidate.facility.kind
    return action_text("referred", language, facility=candidate.facility.name, kind=kind, distance=distance)


def next_steps(report: Report, urgency: str, ticket: str, language: str) -> str:
    """What happens next, roughly when, and how to ask about it later."""
    when = action_text(f"when_{urgency}", language)
    key = {"chat": "next_steps_chat", "phone": "next_steps_phone", "none": "next_steps_anonymous"}.get(
        report.contact_preference or "", "next_steps_unknown"
    )
    return action_text(key, language, when=when) + action_text("ask_later", language, ticket=ticket)


def open_and_route(
    context: ActionContext, report: Report, sender_id: str, emergency_ticket: str | None, message_id: object = None
) -> tuple[str, str, RouteResult | None, bool]:
    """One transaction: open the case (or complete the emergency case this report began
    with) and route it. Returns (ticket, urgency, route, was_new)."""
    with unit_of_work(context.sessions) as session:
        report = with_reporter(session, report, sender_id, message_id)
        case = None
        if emergency_ticket:
            try:
                case = complete_emergency(session, emergency_ticket, report)
            except CaseError:  # closed meanwhile: this report stands on its own
                emergency_ticket = None
        if case is None:
            case = open_report(session, report)
        # A "danger now?" question left open while the report went on is settled by this
        # case, and the case says so (officers look at it as a possible emergency).
        if emergency_checks.settle(session, report.conversation_id, emergency_checks.REPORTED, case=case):
            case.events.append(CaseEvent(actor="bot", kind="possible_emergency", detail={"unanswered": True}))
        result = None
        if case.status == "new":
            result = refer_case(session, case, context.routing_index(session), context.gazetteer, actor="bot")
        return case.ticket, case.urgency, result, emergency_ticket is None


CONTACT_PREFERENCES = {"chat": "chat", "telepon": "phone", "anonim": "none"}


def report_from_slots(tracker: Tracker) -> Report:
    def given(slot: str) -> str | None:
        value = tracker.get_slot(slot)
        return None if value in (None, SKIPPED) else value

    preference = CONTACT_PREFERENCES.get(given("contact") or "")
    phone = given("contact_phone") if preference == "phone" else None
    if preference == "phone" and phone is None:
        preference = "chat"  # asked for a call but gave no number: this chat
    return Report(
        category=tracker.get_slot("category") or category_from_ranking(tracker),
        victim=given("victim"),
        description=given("description"),
        location_text=given("location"),
        latitude=tracker.get_slot("latitude"),
        longitude=tracker.get_slot("longitude"),
        ongoing=tracker.get_slot("situation") == "ongoing",
        consent_contact=preference in ("chat", "phone"),
        contact_preference=preference,
        contact_phone=phone,
        confirmed={"benar": True, "unconfirmed": False}.get(tracker.get_slot("confirmed") or ""),
    )


class ActionOpenCase(Action):
    """The form is done: open and route the case, or complete the emergency case, or,
    when the reporter cancelled, open nothing and say so kindly."""

    def name(self) -> str:
        return "action_open_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = tracker_language(tracker)
        if tracker.get_slot("report_cancelled") and not tracker.get_slot("emergency_ticket"):
            if not tracker.get_slot("quiet_end"):  # else the form has said its kind last words
                dispatcher.utter_message(text=action_text("report_cancelled", language))
            return cleared_report() + next_report_events(dispatcher, tracker)
        report = report_from_slots(tracker)
        ticket, urgency, result, was_new = await asyncio.to_thread(
            open_and_route,
            get_context(),
            report,
            tracker.sender_id,
            tracker.get_slot("emergency_ticket"),
            gateway_message_id(tracker),
        )
        if was_new:
            text = action_text("case_opened", language, ticket=ticket) + referral_sentence(result, language)
            text += next_steps(report, urgency, ticket, language)
        elif report.location_text or report.latitude is not None:  # the emergency case, now with where it is
            text = action_text("location_added", language, ticket=ticket) + referral_sentence(result, language)
        else:
            text = action_text("emergency_noted", language, ticket=ticket) + referral_sentence(result, language)
        dispatcher.utter_message(text=text)
        # The report is complete: nothing of it carries over into the next one (one told
        # meanwhile starts now).
        return cleared_report() + next_report_events(dispatcher, tracker)
