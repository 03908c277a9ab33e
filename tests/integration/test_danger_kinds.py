"""The first reply follows the kind of danger (issue 22): a medical emergency leads with 119,
suicidal ideation gets its own words, the mental-health line first and its own question; on
hand-built trackers against the real database (SQLite and PostgreSQL). No Rasa."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.emergency import ActionEmergency
from actions.questions import AskDangerNow
from referral.models import Case
from referral.storage import unit_of_work
from tests.integration.test_dialogue_actions import context, conversation, run  # noqa: F401  (fixture)
from tests.integration.test_two_tier_emergency import CHECK, slots_of, validate

NET = {"route": "emergency", "report_evidence": 0.9, "reported": True}


def tracker(sender_id: str, text: str, *, kind: str | None, net: bool, slots: dict | None = None,
            in_form: bool = False) -> Tracker:
    latest = {
        "text": text, "intent": {"name": "emergency", "confidence": 1.0 if net else 0.6},
        "intent_ranking": [{"name": "emergency", "confidence": 0.6}], "entities": [], "metadata": {},
        "triage": NET if net else CHECK,
        "danger": {"probability": 0.6, "level": "now" if net else "ideation", "kind": kind, "harm": True},
    }
    if net:
        latest["safety_net"] = {"fired": True, "rules": [f"reader_{kind}"], "kind": kind}
    return Tracker(
        sender_id=sender_id, slots=dict(slots or {}), latest_message=latest, events=[], paused=False,
        followup_action=None, active_loop={"name": "report_form"} if in_form else {}, latest_action_name=None,
    )


def first_lines(said) -> list[str]:
    return said.messages[0]["text"].splitlines()


def test_a_medical_emergency_leads_with_119(context, sessions):
    sender, _, _ = conversation(sessions, "medical")
    events, said = run(ActionEmergency(), tracker(sender, "mbah dhawah, mboten saged wungu", kind="medical", net=True))
    lines = first_lines(said)
    assert lines[0].startswith("Segera telepon 119 untuk ambulans")
    numbers = [line for line in lines if line.startswith("• ")]
    assert numbers[0].startswith("• 119:") and "119 ext 8" not in said.messages[0]["text"]
    assert slots_of(events)["danger_kind"] == "medical"
    with unit_of_work(sessions) as session:
        assert session.query(Case).filter_by(is_emergency=True).count() == 1


def test_suicide_with_a_plan_is_the_full_path_with_its_own_words_and_the_mental_health_line_first(context, sessions):
    sender, _, _ = conversation(sessions, "plan")
    events, said = run(ActionEmergency(), tracker(sender, "malam ini aku akhiri semuanya", kind="suicide", net=True))
    text = said.messages[0]["text"]
    assert text.startswith("Terima kasih sudah memberi tahu kami. Anda tidak sendirian")
    numbers = [line for line in text.splitlines() if line.startswith("• ")]
    assert numbers[0].startswith("• 119 ext 8: SEJIWA")
    assert "Petugas jaga kami sedang diberi tahu" in text
    assert "Jika Anda sudah melukai diri atau menelan sesuatu, telepon 119 sekarang" in text
    with unit_of_work(sessions) as session:
        assert session.query(Case).filter_by(is_emergency=True).count() == 1


def test_ideation_gets_warm_words_the_line_and_its_own_question_and_tidak_its_own_answer(context, sessions):
    sender, _, _ = conversation(sessions, "ideation")
    events, said = run(ActionEmergency(), tracker(sender, "pen bundir aja", kind="suicide", net=False))
    text = said.messages[0]["text"]
    assert text.startswith("Terima kasih sudah mau bercerita") and "• 119 ext 8: SEJIWA" in text.splitlines()[1]
    slots = slots_of(events)
    assert slots["danger_kind"] == "suicide" and slots["emergency_check"] == "then_end"
    with unit_of_work(sessions) as session:
        assert session.query(Case).filter_by(is_emergency=True).count() == 0  # a question first, nobody alerted yet

    _, asked = run(AskDangerNow(), tracker(sender, "pen bundir aja", kind="suicide", net=False, slots=slots))
    assert "mengakhiri hidup atau menyakiti diri sendiri sekarang" in asked.messages[0]["text"]
    assert [b["title"] for b in asked.messages[0]["buttons"]] == ["Ya", "Tidak"]

    answered = tracker(sender, "tidak", kind=None, net=False, slots={**slots, "requested_slot": "danger_now"}, in_form=True)
    _, replied = validate("danger_now", "tidak", answered)
    assert "layanan konseling yang nomornya kami kirim tadi" in replied.messages[0]["text"]


def test_a_fire_leads_with_the_fire_brigade(context, sessions):
    sender, _, _ = conversation(sessions, "fire")
    _, said = run(ActionEmergency(), tracker(sender, "rumah kebakaran, nenek masih di dalam", kind="fire", net=True))
    assert [line for line in said.messages[0]["text"].splitlines() if line.startswith("• ")][0].startswith("• 113:")


def test_violence_keeps_the_general_words_without_the_mental_health_line(context, sessions):
    sender, _, _ = conversation(sessions, "violence")
    _, said = run(ActionEmergency(), tracker(sender, "dia bawa golok sekarang", kind="violence", net=True))
    text = said.messages[0]["text"]
    assert text.startswith("Keselamatan Anda yang utama") and "119 ext 8" not in text
    assert [line for line in text.splitlines() if line.startswith("• ")][0].startswith("• 112:")
