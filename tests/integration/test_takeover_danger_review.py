"""Danger read during a takeover, after review (issue 21, items 1, 5, 7 and 9 of the review):
the emergency case opened during a takeover keeps the place and victim of the case being
talked about; a classifier's guess alerts until the holder writes; a reply to a staff
message that names no held conversation is never relayed; further danger messages run one
alert chain, not one each.

The same real services and fake Rasa as tests/integration/test_takeover_safety.py."""

from __future__ import annotations

from sqlalchemy import select

from messaging.models import Message
from messaging.store import get_or_create_conversation, queue_staff_message
from referral.models import Case, CaseAlert
from referral.storage import unit_of_work
from tests.helpers import web_sender
from tests.integration.test_takeover_safety import (  # noqa: F401 (fixtures)
    DANGER, KEY, alerts, conversations, desk, engine, inbox, officer_says, rasa, reporter, said,
    staff, take, to_reporter, write,
)


def test_an_emergency_opened_during_a_takeover_keeps_the_place_and_victim_and_reaches_only_that_place(
    sessions, clock, rasa, conversations, desk, alerts
):
    staff(sessions, clock, "Ani Yogya", "101")
    staff(sessions, clock, "Dewi Yogya", "104")
    staff(sessions, clock, "Bayu Papua", "102", regions=("94",))
    address, conversation_id, ticket = reporter(sessions)
    with unit_of_work(sessions) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        case.location_text, case.district_code, case.victim = "kec. depok, sleman", "34.04.07", "anak"
        case.latitude, case.longitude = -7.76, 110.40
    take(desk, "101", conversation_id)
    clock.advance(60)

    write(conversations, address, DANGER)

    with unit_of_work(sessions) as session:
        emergency = session.scalar(select(Case).where(Case.conversation_id == conversation_id, Case.is_emergency.is_(True)))
        assert emergency.ticket != ticket
        assert (emergency.province_code, emergency.regency_code, emergency.district_code) == ("34", "34.04", "34.04.07")
        assert (emergency.location_text, emergency.latitude, emergency.longitude) == ("kec. depok, sleman", -7.76, 110.40)
        assert emergency.victim == "anak"
        emergency_ticket = emergency.ticket
    alerts.queue_case_alerts()
    assert emergency_ticket in said(sessions, "104")  # Sleman's officer hears of it
    assert emergency_ticket not in said(sessions, "102")  # Papua's does not


def test_a_classifier_guess_during_a_takeover_alerts_until_the_holding_officer_writes(
    sessions, clock, rasa, conversations, desk, alerts
):
    staff(sessions, clock, "Ani Yogya", "101")
    staff(sessions, clock, "Dewi Yogya", "104")
    address, conversation_id, ticket = reporter(sessions)
    take(desk, "101", conversation_id)
    clock.advance(60)
    guess = "saya takut sekali malam ini"
    rasa.classified.add(guess)

    assert write(conversations, address, guess) == []  # no hotlines on a guess: the officer asks
    assert not any("112" in line for line in to_reporter(sessions, conversation_id))
    with unit_of_work(sessions) as session:
        [alert] = session.scalars(select(CaseAlert).where(
            CaseAlert.conversation_id == conversation_id, CaseAlert.reason == "possible_emergency"))
        assert alert.case.ticket == ticket and alert.resolved_at is None
    assert "Petugas jaga terus diberi tahu sampai Anda membalas pelapor" in inbox(sessions, "101")[-1].text

    alerts.queue_case_alerts()
    first = inbox(sessions, "104")[-1].text
    assert "Mungkin darurat" in first and ticket in first and "Dipegang Ani Yogya" in first and "takut" not in first
    clock.advance(601)
    alerts.repeat_emergencies()
    assert "pengingat ke-1" in inbox(sessions, "104")[-1].text  # not answered: it repeats

    officer_says(desk, "101", "Ibu, apakah Ibu dalam bahaya sekarang?")
    heard = len(inbox(sessions, "104"))
    clock.advance(1900)
    alerts.repeat_emergencies()
    assert len(inbox(sessions, "104")) == heard  # the holder wrote: no more repeats, no escalation


def _staff_message(sessions, chat: str, provider_id: str, payload: dict | None) -> None:
    """A message of ours in the officer's chat, as Telegram numbered it."""
    with unit_of_work(sessions) as session:
        message = queue_staff_message(session, channel="telegram", address=chat, text="ℹ️ Bantuan", payload=payload)
        message.provider_message_id = provider_id


def test_a_reply_to_a_staff_message_that_names_no_held_conversation_is_never_relayed(
    sessions, clock, rasa, conversations, desk
):
    staff(sessions, clock, "Ani Yogya", "101")
    address, first, _ = reporter(sessions)
    take(desk, "101", first)
    _staff_message(sessions, "101", "101:4242", None)  # a help text
    write(conversations, address, "anak saya di rumah nenek")
    relay = inbox(sessions, "101")[-1]
    with unit_of_work(sessions) as session:  # a relay whose details retention has erased
        erased = session.get(Message, relay.id)
        erased.provider_message_id, erased.payload = "101:4343", None

    for replied in ("101:4242", "101:4343", "101:9999"):  # the last: a message we never stored
        officer_says(desk, "101", f"Baik, Bu ({replied}).", reply_to=replied)
        assert f"Baik, Bu ({replied})." not in to_reporter(sessions, first)
        assert "Pesan ini tidak diteruskan" in inbox(sessions, "101")[-1].text

    _, second, _ = reporter(sessions)
    take(desk, "101", second)
    officer_says(desk, "101", "Sudah aman?", reply_to="101:4242")
    assert "Sudah aman?" not in to_reporter(sessions, first) + to_reporter(sessions, second)
    assert "belum diteruskan ke siapa pun" in inbox(sessions, "101")[-1].text  # the officer chooses

    officer_says(desk, "101", "Ibu, saya di sini.")  # not a reply: the plain message still works as before
    assert "belum diteruskan ke siapa pun" in inbox(sessions, "101")[-1].text


def test_further_danger_messages_during_a_takeover_run_one_alert_chain(sessions, clock, rasa, conversations, desk, alerts):
    staff(sessions, clock, "Ani Yogya", "101")
    staff(sessions, clock, "Dewi Yogya", "104")
    address, conversation_id, _ = reporter(sessions)
    take(desk, "101", conversation_id)
    clock.advance(60)
    write(conversations, address, DANGER)
    alerts.queue_case_alerts()
    for n in range(4):
        clock.advance(20)
        write(conversations, address, f"tolong dia bawa pisau mau bunuh saya sekarang ({n})")

    with unit_of_work(sessions) as session:
        case = session.scalar(select(Case).where(Case.conversation_id == conversation_id, Case.is_emergency.is_(True)))
        assert [e.kind for e in case.events].count("emergency_repeated") == 4
        assert session.scalars(select(CaseAlert.reason).where(CaseAlert.case_id == case.id)).all() == ["emergency"]
    alerts.queue_case_alerts()
    heard = len(inbox(sessions, "104"))
    clock.advance(301)
    assert alerts.repeat_emergencies() == 1  # one repeat, not one per message
    assert len(inbox(sessions, "104")) == heard + 1

    officer_says(desk, "101", "Ibu, kami sedang menghubungi polisi.")
    clock.advance(60)
    write(conversations, address, "dia masih di depan pintu bawa pisau mau bunuh saya")  # after the answer: alerted anew
    with unit_of_work(sessions) as session:
        reasons = session.execute(select(CaseAlert.reason, CaseAlert.resolved_at).where(CaseAlert.case_id == case.id)).all()
        assert [reason for reason, resolved in reasons if resolved is None] == ["emergency"] and len(reasons) == 2


def test_a_guess_during_a_takeover_of_a_conversation_without_a_case_repeats_until_the_holder_writes(
    sessions, clock, rasa, conversations, desk, alerts
):
    staff(sessions, clock, "Rina Nasional", "105", regions=(), role="admin")  # a case-less conversation is national
    address = web_sender("caseless-guess")
    with unit_of_work(sessions) as session:
        conversation_id = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=address).id
    take(desk, "105", conversation_id)
    clock.advance(60)
    guess = "saya takut sekali malam ini"
    rasa.classified.add(guess)
    assert write(conversations, address, guess) == []  # relayed to the officer holding it
    alerts.queue_case_alerts()
    clock.advance(601)
    alerts.repeat_emergencies()
    with unit_of_work(sessions) as session:
        [alert] = session.scalars(select(CaseAlert).where(CaseAlert.conversation_id == conversation_id))
        assert (alert.case_id, alert.reason, alert.resolved_at, alert.repeats) == (None, "possible_emergency", None, 1)
    officer_says(desk, "105", "Mbak, apakah Mbak aman sekarang?")
    clock.advance(601)
    alerts.repeat_emergencies()
    with unit_of_work(sessions) as session:
        assert session.scalar(select(CaseAlert.resolved_at).where(CaseAlert.conversation_id == conversation_id)) is not None
