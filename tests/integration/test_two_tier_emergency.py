"""The two tiers of emergencies and the report offer, on hand-built trackers against the real
database (SQLite and PostgreSQL): a classifier-only emergency asks before officers are
alerted; Ya, a further danger signal, Tidak, and no answer at all; a report on weak
evidence is offered first. No Rasa."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import ActionEmergency
from actions.report import ActionOpenCase, ActionStartReport
from actions.report_form import ValidateReportForm
from bot.duties.alerts import OfficerAlerts
from wiring.officer_settings import AlertTimes
from referral.models import Case, CaseAlert, CaseEvent, EmergencyCheck
from referral.storage import unit_of_work
from tests.helpers import Clock
from tests.integration.test_dialogue_actions import DOMAIN, context, conversation, run  # noqa: F401  (fixture)

CHECK = {"route": "check_emergency", "report_evidence": 0.2, "reported": False}


def tracker(sender_id: str, text: str, intent: str | None = None, *, triage: dict | None = None,
            slots: dict | None = None, in_form: bool = False, net: bool = False) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95} if intent else {},
        "intent_ranking": [{"name": intent, "confidence": 0.95}] if intent else [],
        "entities": [],
        "metadata": {},
    }
    if triage is not None:
        latest["triage"] = triage
    if net:
        latest["safety_net"] = {"fired": True, "rules": ["violence_now"]}
    return Tracker(
        sender_id=sender_id, slots=dict(slots or {}), latest_message=latest, events=[], paused=False,
        followup_action=None, active_loop={"name": "report_form"} if in_form else {}, latest_action_name=None,
    )


def validate(slot: str, value: str, t: Tracker) -> tuple[dict, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    validator = getattr(ValidateReportForm(), f"validate_{slot}")
    return asyncio.run(validator(value, dispatcher, t, DOMAIN)), dispatcher


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def checks(sessions) -> list[tuple]:
    with unit_of_work(sessions) as session:
        return [(c.outcome, c.case_id is not None, c.description) for c in session.query(EmergencyCheck).order_by(EmergencyCheck.id)]


def ask(sender: str, text: str = "gue bunuh lu kalo telat lagi") -> dict:
    events, said = run(ActionEmergency(), tracker(sender, text, "emergency", triage=CHECK))
    texts = [m["text"] for m in said.messages]
    assert len(texts) == 1 and "112" in texts[0] and "129" in texts[0]  # the hotlines at once
    assert "diberi tahu" not in texts[0]  # and no promise that officers were alerted
    return slots_of(events)


def test_a_classifier_only_emergency_gives_the_hotlines_and_asks_before_anyone_is_alerted(context, sessions):
    sender, _, _ = conversation(sessions)
    slots = ask(sender)
    assert slots["emergency_check"] == "then_end"  # nothing reported: a Tidak ends kindly
    assert slots["danger_now"] is None and slots["category"] == "violence"
    with unit_of_work(sessions) as session:
        assert session.query(Case).count() == 0 and session.query(CaseAlert).count() == 0
    assert checks(sessions) == [(None, False, "gue bunuh lu kalo telat lagi")]  # open, with the words


def test_ya_is_the_full_emergency_path_and_settles_the_question(context, sessions):
    sender, _, _ = conversation(sessions)
    story = "suami sy bawa pisau tadi"
    slots = ask(sender, story)
    asked = {**slots, "description": story}
    result, said = validate("danger_now", "ya", tracker(sender, "ya", "affirm", slots=asked, in_form=True))
    assert result["danger_now"] == "ya" and result["emergency_check"] is None and result["emergency_ticket"]
    assert "Petugas jaga kami sedang diberi tahu" in said.messages[0]["text"]
    with unit_of_work(sessions) as session:
        [case] = session.query(Case).all()
        assert case.is_emergency and case.urgency == "emergency" and case.description == story  # not "ya"
        assert [a.reason for a in session.query(CaseAlert)] == ["emergency"]
    assert checks(sessions) == [("confirmed", True, None)]  # the words are not kept twice


def test_a_further_danger_signal_is_the_full_path(context, sessions):
    sender, _, _ = conversation(sessions)
    slots = ask(sender, "dia mulai ngamuk")
    again = tracker(sender, "dia ngamuk lagi sekarang", "emergency", triage=CHECK, slots=slots, in_form=True)
    events, said = run(ActionEmergency(), again)
    assert slots_of(events)["emergency_ticket"] and slots_of(events)["emergency_check"] is None
    assert "Petugas jaga kami sedang diberi tahu" in said.messages[0]["text"]
    assert checks(sessions) == [("confirmed", True, None)]


def test_tidak_settles_the_question_and_ends_kindly_when_nothing_was_reported(context, sessions):
    sender, _, _ = conversation(sessions)
    slots = ask(sender)
    result, said = validate("danger_now", "tidak", tracker(sender, "tidak", "deny", slots=slots, in_form=True))
    assert result["report_cancelled"] and result["quiet_end"] and result["emergency_check"] is None
    assert said.messages[0]["text"].startswith("Syukurlah")
    assert checks(sessions) == [("denied", False, None)]
    events, closing = run(ActionOpenCase(), tracker(sender, "tidak", slots={**slots, **result}))
    assert closing.messages == []  # no "report cancelled" after our own kind words
    with unit_of_work(sessions) as session:
        assert session.query(Case).count() == 0


def test_tidak_goes_on_with_the_report_when_something_was_reported(context, sessions):
    sender, _, _ = conversation(sessions)
    events, _ = run(ActionEmergency(), tracker(
        sender, "bapak tiap malam mukulin ibu", "emergency", triage={**CHECK, "report_evidence": 0.97, "reported": True}
    ))
    slots = slots_of(events)
    assert slots["emergency_check"] == "then_report" and slots["description"] == "bapak tiap malam mukulin ibu"
    result, said = validate("danger_now", "tidak", tracker(sender, "tidak", "deny", slots=slots, in_form=True))
    assert "report_cancelled" not in result and result["emergency_check"] is None
    assert "lanjutkan mencatat laporan Anda" in said.messages[0]["text"]
    assert checks(sessions) == [("denied", False, None)]


def test_an_unanswered_question_becomes_a_possible_emergency_for_officers(context, sessions):
    sender, conversation_id, _ = conversation(sessions)
    clock = Clock()
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(emergency_check_s=300))
    ask(sender, "aku takut banget sama dia")
    with unit_of_work(sessions) as session:
        session.query(EmergencyCheck).update({"asked_at": clock.now})
    clock.advance(299)
    assert alerts.open_unanswered_checks() == 0
    clock.advance(2)
    assert alerts.open_unanswered_checks() == 1
    assert alerts.open_unanswered_checks() == 0  # once
    with unit_of_work(sessions) as session:
        [case] = session.query(Case).all()
        assert not case.is_emergency and case.urgency != "emergency" and case.conversation_id == conversation_id
        assert case.description == "aku takut banget sama dia"
        assert [e.kind for e in session.query(CaseEvent).filter_by(case_id=case.id)][-1] == "possible_emergency"
        [alert] = session.query(CaseAlert).all()
        assert alert.reason == "possible_emergency"
    assert checks(sessions) == [("expired", True, None)]
    alerts.queue_case_alerts()
    with unit_of_work(sessions) as session:
        [alert] = session.query(CaseAlert).all()
        # nobody is linked: it is not used up, it waits for someone (and repeats like an emergency: test_alert_delivery)
        assert alert.sent_at is None and alert.resolved_at is None and alert.unreached_since is not None


def test_the_net_is_the_full_path_at_once(context, sessions):
    sender, _, _ = conversation(sessions)
    events, said = run(ActionEmergency(), tracker(
        sender, "tolong suami lagi mukulin saya", "emergency", triage={"route": "emergency"}, net=True
    ))
    assert slots_of(events)["emergency_ticket"] and "Petugas jaga kami sedang diberi tahu" in said.messages[0]["text"]
    assert checks(sessions) == []


def test_a_report_on_weak_evidence_asks_first_and_a_no_ends_kindly(context, sessions):
    sender, _, _ = conversation(sessions)
    offer = {"route": "offer_report", "report_evidence": 0.3, "reported": False}
    events, said = run(ActionStartReport(), tracker(sender, "capek bgt dimarahin dosen terus", "report_bullying", triage=offer))
    slots = slots_of(events)
    assert slots["report_offer"] == "pending" and slots["category"] == "bullying"
    assert said.messages == []  # no "thank you for being brave" for what may be chatter
    result, no = validate("wants_report", "tidak", tracker(sender, "gak kok", "deny", slots=slots, in_form=True))
    assert result["report_cancelled"] and result["quiet_end"] and "Layanan ini menerima laporan" in no.messages[0]["text"]
    result, yes = validate("wants_report", "ya", tracker(sender, "iya", "affirm", slots=slots, in_form=True))
    assert result == {"wants_report": "ya", "report_offer": None}
    assert [m.get("response") for m in yes.messages] == ["utter_ack_bullying"]


def test_a_skipped_question_reaches_an_officer_at_once(context, sessions):
    sender, _, _ = conversation(sessions)
    slots = ask(sender)
    result, said = validate("danger_now", "(tidak disebutkan)", tracker(sender, "lewati", slots=slots, in_form=True))
    assert result["report_cancelled"] and result["emergency_check"] is None
    assert "nomor darurat di atas" in said.messages[0]["text"]
    assert checks(sessions) == [("expired", True, None)]  # a possible-emergency case, without waiting
    with unit_of_work(sessions) as session:
        assert [a.reason for a in session.query(CaseAlert)] == ["possible_emergency"]


def test_a_question_left_open_while_the_report_goes_on_is_settled_by_its_case(context, sessions):
    sender, _, _ = conversation(sessions)
    events, _ = run(ActionEmergency(), tracker(
        sender, "suami saya ngancam terus", "emergency", triage={**CHECK, "report_evidence": 0.9, "reported": True}
    ))
    slots = slots_of(events)
    result, _ = validate("danger_now", "(tidak disebutkan)", tracker(sender, "lewati", slots=slots, in_form=True))
    assert "report_cancelled" not in result
    assert checks(sessions)[0][0] is None  # still open: the report's case will settle it
    report = {**slots, **result, "victim": "perempuan", "contact": "anonim", "confirmed": "benar"}
    run(ActionOpenCase(), tracker(sender, "benar", slots=report))
    with unit_of_work(sessions) as session:
        [case] = session.query(Case).all()  # one case, not a second possible-emergency one
        assert "possible_emergency" in [e.kind for e in session.query(CaseEvent).filter_by(case_id=case.id)]
    assert checks(sessions) == [("reported", True, None)]


def test_a_second_sign_after_a_skipped_question_is_the_full_path(context, sessions):
    sender, _, _ = conversation(sessions)
    events, _ = run(ActionEmergency(), tracker(
        sender, "dia ngancam", "emergency", triage={**CHECK, "reported": True}
    ))
    # The reporter skipped and the form went on (the slot is cleared, the question still open).
    again = tracker(sender, "dia mulai ngamuk", "emergency", triage=CHECK, slots={"category": "violence"}, in_form=True)
    events, said = run(ActionEmergency(), again)
    assert slots_of(events)["emergency_ticket"]
    assert checks(sessions) == [("confirmed", True, None)]


def test_an_emergency_clears_a_pending_report_offer(context, sessions):
    from actions.flows import FLOWS
    sender, _, _ = conversation(sessions)
    offered = {"category": "violence", "report_offer": "pending"}
    events, _ = run(ActionEmergency(), tracker(sender, "tolong dia bawa pisau", "emergency", triage={"route": "emergency"},
                                               net=True, slots=offered, in_form=True))
    slots = {**offered, **slots_of(events)}
    assert slots["report_offer"] is None
    assert FLOWS["violence"].required_slots(tracker(sender, "", slots=slots)) == ["location"]  # where, not "want to report?"


def test_no_possible_emergency_while_an_officer_holds_the_conversation(context, sessions):
    from messaging.models import Conversation
    sender, conversation_id, _ = conversation(sessions)
    clock = Clock()
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(emergency_check_s=60))
    ask(sender)
    with unit_of_work(sessions) as session:
        session.query(EmergencyCheck).update({"asked_at": clock.now})
        session.get(Conversation, conversation_id).handled_by = "officer"
    clock.advance(120)
    assert alerts.open_unanswered_checks() == 0
    assert checks(sessions) == [("taken_over", False, None)]


def test_an_answer_after_the_question_expired_is_noted_on_its_case(context, sessions):
    sender, _, _ = conversation(sessions)
    clock = Clock()
    ask(sender)
    with unit_of_work(sessions) as session:
        session.query(EmergencyCheck).update({"asked_at": clock.now})
    clock.advance(400)
    OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(emergency_check_s=300)).open_unanswered_checks()
    validate("danger_now", "tidak", tracker(sender, "tidak", "deny", slots={"emergency_check": "then_end"}, in_form=True))
    with unit_of_work(sessions) as session:
        [case] = session.query(Case).all()
        [note] = session.query(CaseEvent).filter_by(case_id=case.id, kind="danger_answer").all()
        assert note.detail["answer"] == "denied"


def test_a_story_told_as_the_yes_to_the_offer_is_not_asked_again(context, sessions):
    sender, _, _ = conversation(sessions)
    slots = {"category": "violence", "report_offer": "pending", "description": "capek bgt"}
    story = "iya, sebenarnya pacar saya sering nampar saya kalau cemburu"
    result, _ = validate("wants_report", "ya", tracker(sender, story, "report_violence", triage={"route": "report"},
                                                       slots=slots, in_form=True))
    assert result["report_offer"] is None and story in result["description"]
