"""Duty officers: enrolment codes, the roster, remits, alerts, takeover, and facilities
answering referrals, on SQLite and PostgreSQL, with time moved by the test."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select

from bot.duties.alerts import OfficerAlerts
from bot.gateway.engine_client import EngineClient
from bot.desk.telegram_desk import OfficerDesk, OfficerInput
from wiring.officer_settings import AlertTimes
from messaging.models import Conversation, Message
from messaging.store import get_or_create_conversation
from messaging.takeover import take_over
from referral.cases import NewCase, open_case
from referral.facilities import import_rows, read_csv_text
from referral.models import Case, CaseAlert, CaseEvent, DutyShift, Officer, Referral
from referral.officers import add_officer, alert_recipients, issue_link_code, redeem_link_code
from referral.roster import is_on_duty, parse_weekly
from referral.referrals import refer_case
from referral.routing_cache import RoutingCache
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.helpers import PROJECT_ROOT, web_sender

KEY = "officer-test-key-" + "x" * 32
DIRECTORY = """code,name,kind,services,latitude,longitude,province_code,regency_code,district_code,address,phone,active
PSKM-SLEMAN,PSKM Sleman (contoh),PSKM,pendampingan_korban;konseling,-7.716,110.356,,,,,,true
PSKM-BANTUL,PSKM Bantul (contoh),PSKM,pendampingan_korban;konseling,-7.89,110.33,,,,,,true
"""
_ids = itertools.count(1)


@pytest.fixture
def desk(sessions, clock, gazetteer):
    routing = RoutingCache(PROJECT_ROOT / "config" / "routing.yml")
    routing._gazetteer = gazetteer  # loaded once for the module
    engine = EngineClient("http://127.0.0.1:9", httpx.AsyncClient())  # Rasa is not asked in these tests
    return OfficerDesk(sessions, engine, KEY, routing, clock)


def staff(sessions, name: str, role: str, chat: str, regions=None, facility=None, on_duty=True, clock=None) -> int:
    with unit_of_work(sessions) as session:
        officer = add_officer(session, name, role, regions, facility)
        code, _ = issue_link_code(session, officer, KEY)
        redeem_link_code(session, code, chat, KEY)
        if on_duty:
            officer.duty_override, officer.duty_override_until = "on", (clock() if clock else datetime.now(timezone.utc)) + timedelta(days=1)
        return officer.id


def reporter_case(sessions, *, province="34", regency="34.04", emergency=False, alert=True) -> tuple[int, int, str]:
    """A web chat conversation with a case in the given region: (conversation id, case id, ticket)."""
    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=web_sender(f"r{next(_ids)}"))
        case = open_case(session, NewCase(category="violence", is_emergency=emergency, conversation_id=conversation.id,
                                          description="Ibu Sari dipukul suaminya, 0812-3456-7890"), actor="bot")
        case.province_code, case.regency_code = province, regency
        if alert:
            session.add(CaseAlert(case_id=case.id, conversation_id=conversation.id, reason="emergency" if emergency else "new_case"))
        return conversation.id, case.id, case.ticket


def inbox(sessions, chat: str) -> list[Message]:
    with unit_of_work(sessions) as session:
        return list(session.scalars(
            select(Message).where(Message.conversation_id.is_(None), Message.direction == "out", Message.address == chat).order_by(Message.id)
        ))


def said(sessions, chat: str) -> str:
    return "\n---\n".join(m.text or "" for m in inbox(sessions, chat))


def send(desk, chat: str, text: str, **extra) -> None:
    desk._receive(OfficerInput(chat, f"{chat}:{next(_ids)}", extra.pop("kind", "text"), text=text, **extra))


def press(desk, sessions, chat: str, title: str) -> None:
    """Press the button called `title` on the newest message to this chat that has it."""
    for message in reversed(inbox(sessions, chat)):
        for button in (message.payload or {}).get("buttons") or []:
            if button["title"] == title:
                desk._receive(OfficerInput(chat, f"cb:{next(_ids)}", "button", button=button["payload"]))
                return
    raise AssertionError(f"no {title!r} button in chat {chat}")


# -- enrolment --------------------------------------------------------------------------


def test_link_codes_wrong_expired_and_reused_are_refused(sessions, desk, clock):
    with unit_of_work(sessions) as session:
        officer = add_officer(session, "Rina Wulandari", "officer", ["34"])
        old_code, _ = issue_link_code(session, officer, KEY, now=clock())
        code, _ = issue_link_code(session, officer, KEY, now=clock())  # the first one stops working
    send(desk, "100", "/daftar SALAHKODE1")
    send(desk, "100", f"/daftar {old_code}")
    assert said(sessions, "100").count("Kode tidak berlaku") == 2
    send(desk, "100", f"/daftar {code.lower()}")  # typed in lower case: still the code
    assert "Selamat datang, Rina" in said(sessions, "100")
    send(desk, "200", f"/daftar {code}")  # used once already
    assert "Kode tidak berlaku" in said(sessions, "200")
    with unit_of_work(sessions) as session:
        assert session.get(Officer, officer.id).telegram_chat_id == "100"
        # the code itself is not kept in the message store
        assert all(code not in (m.text or "") for m in session.scalars(select(Message)))
        expiring = add_officer(session, "Budi", "coordinator")
        late_code, _ = issue_link_code(session, expiring, KEY, now=clock(), hours=1)
    clock.advance(3601)
    send(desk, "300", f"/daftar {late_code}")
    assert "Kode tidak berlaku" in said(sessions, "300")


def test_guessing_codes_is_stopped_after_five_tries(sessions, desk):
    for attempt in range(6):
        send(desk, "400", f"/daftar TEBAKAN{attempt:03d}")
    assert said(sessions, "400").count("Kode tidak berlaku") == 5 and "Terlalu banyak percobaan" in said(sessions, "400")


def test_only_linked_officers_and_enrolment_reach_the_desk(sessions, desk):
    staff(sessions, "Rina", "officer", "100", ["34"])
    assert desk.wants("100", "halo")
    assert desk.wants("555", "/daftar ABC")
    assert not desk.wants("555", "/kembalikan")  # a reporter typing an officer command stays a reporter
    assert not desk.wants("555", "/status MPKS-2026-00001 closed")


# -- roster -----------------------------------------------------------------------------


def wib(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone(timedelta(hours=7)))


def test_roster_in_jakarta_time_across_midnight(sessions):
    with unit_of_work(sessions) as session:
        officer = add_officer(session, "Rina", "officer", ["34"])
        for shift in parse_weekly("sun 22:00-06:00") + parse_weekly("mon-fri 08:00-16:00"):
            officer.shifts.append(DutyShift(weekday=shift.weekday, starts=shift.starts, ends=shift.ends, on_duty=True))
        officer.shifts.append(DutyShift(on_date="2026-11-30", starts="00:00", ends="24:00", on_duty=False))  # a Monday off
        session.flush()
        # 2026-11-29 is a Sunday. 23:30 WIB is 16:30 UTC, still Sunday in both.
        assert is_on_duty(officer, wib(2026, 11, 29, 23, 30))
        assert not is_on_duty(officer, wib(2026, 11, 29, 21, 59))
        # Monday 05:59 WIB (Sunday 22:59 UTC) falls in Sunday's night shift; on the Monday off
        # the exception wins from midnight on
        assert not is_on_duty(officer, wib(2026, 11, 30, 5, 59))
        assert is_on_duty(officer, wib(2026, 12, 7, 5, 59))
        assert not is_on_duty(officer, wib(2026, 12, 7, 6, 0))
        assert is_on_duty(officer, wib(2026, 12, 7, 8, 0)) and not is_on_duty(officer, wib(2026, 12, 5, 8, 0))  # Sat
        # /siaga beats the roster until it runs out
        officer.duty_override, officer.duty_override_until = "on", wib(2026, 12, 5, 20, 0)
        assert is_on_duty(officer, wib(2026, 12, 5, 8, 0)) and not is_on_duty(officer, wib(2026, 12, 5, 20, 0))


def test_siaga_and_selesai_siaga(sessions, desk, clock):
    officer_id = staff(sessions, "Rina", "officer", "100", ["34"], on_duty=False)
    with unit_of_work(sessions) as session:
        assert not is_on_duty(session.get(Officer, officer_id), clock())
    send(desk, "100", "/siaga")
    with unit_of_work(sessions) as session:
        assert is_on_duty(session.get(Officer, officer_id), clock())
    send(desk, "100", "/selesai_siaga")
    with unit_of_work(sessions) as session:
        assert not is_on_duty(session.get(Officer, officer_id), clock())
    assert "Anda sekarang siaga sampai" in said(sessions, "100") and "Siaga selesai" in said(sessions, "100")


# -- alerts and remits ------------------------------------------------------------------


def test_alerts_reach_on_duty_officers_of_the_remit_and_coordinators_when_nobody_is(sessions, clock):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    staff(sessions, "Bayu Jateng", "officer", "102", ["33"], clock=clock)
    staff(sessions, "Citra Koordinator", "coordinator", "103", on_duty=False)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock)
    _, _, ticket = reporter_case(sessions)  # a new case in Sleman (34.04)
    _, _, emergency = reporter_case(sessions, emergency=True)
    alerts.queue_case_alerts()
    assert ticket in said(sessions, "101") and emergency in said(sessions, "101")
    assert said(sessions, "102") == ""  # another province: nothing, not even that there is a case
    assert ticket not in said(sessions, "103") and emergency in said(sessions, "103")  # coordinators: emergencies
    new_case = inbox(sessions, "101")[0]
    assert "Ibu Sari" not in new_case.text and "0812" not in new_case.text  # never the reporter's words
    assert [b["title"] for b in new_case.payload["buttons"]] == ["Ambil alih", "Ringkasan"]
    # Nobody on duty in the remit: the coordinators hear
    with unit_of_work(sessions) as session:
        session.scalar(select(Officer).where(Officer.telegram_chat_id == "101")).duty_override = "off"
    _, _, unattended = reporter_case(sessions)
    alerts.queue_case_alerts()
    assert unattended in said(sessions, "103") and unattended not in said(sessions, "101")


def test_outside_the_remit_summary_takeover_and_status_are_refused(sessions, desk, clock):
    staff(sessions, "Bayu Jateng", "officer", "102", ["33"], clock=clock)
    conversation_id, case_id, ticket = reporter_case(sessions)
    desk._receive(OfficerInput("102", "cb:x1", "button", button=f"take:{conversation_id}"))
    desk._receive(OfficerInput("102", "cb:x2", "button", button=f"summary:{conversation_id}"))
    send(desk, "102", f"/status {ticket} closed selesai")
    text = said(sessions, "102")
    assert text.count("di luar wilayah tugas") == 2 and f"Kasus {ticket} tidak ditemukan" in text
    assert "Ibu Sari" not in text
    with unit_of_work(sessions) as session:
        assert session.get(Conversation, conversation_id).handled_by == "bot"
        assert session.get(Case, case_id).status == "new"


def test_a_takeover_race_has_exactly_one_winner(database_url, sessions):
    """Eight officers press "Ambil alih" at the same moment, each in their own transaction."""
    officers = [staff(sessions, f"Petugas {n}", "officer", str(500 + n), ["34"]) for n in range(8)]
    conversation_id, _, _ = reporter_case(sessions)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    start = threading.Barrier(len(officers))
    results = {}

    def attempt(officer_id: int) -> None:
        start.wait()
        with unit_of_work(factory) as session:
            result = take_over(session, session.get(Officer, officer_id), conversation_id, now=datetime.now(timezone.utc))
            results[officer_id] = (result.won, result.holder.id if result.holder else None)

    threads = [threading.Thread(target=attempt, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    engine.dispose()
    winners = [o for o, (won, _) in results.items() if won]
    assert len(results) == 8 and len(winners) == 1
    assert {holder for won, holder in results.values() if not won} == {winners[0]}  # the others are told who
    with unit_of_work(sessions) as session:
        assert session.get(Conversation, conversation_id).officer_id == winners[0]
        assert session.scalar(select(CaseEvent).where(CaseEvent.kind == "takeover")).actor == f"officer:{winners[0]}"


def test_take_over_talk_choose_note_and_hand_back(sessions, desk, clock):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    staff(sessions, "Dewi Yogya", "officer", "104", ["34"], clock=clock)
    first, first_case, first_ticket = reporter_case(sessions)
    second, _, second_ticket = reporter_case(sessions)
    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()
    press(desk, sessions, "101", "Ambil alih")  # the newest alert: the second case
    desk._receive(OfficerInput("101", "cb:y1", "button", button=f"take:{first}"))
    desk._receive(OfficerInput("104", "cb:y2", "button", button=f"take:{first}"))
    assert "sudah ditangani oleh Ani Yogya" in said(sessions, "104")
    assert f"berbicara langsung dengan pelapor {first_ticket}" in said(sessions, "101")
    send(desk, "101", "Ibu, apakah sekarang sudah aman?")  # two held, none chosen: sent to nobody
    assert "belum diteruskan ke siapa pun" in said(sessions, "101")
    send(desk, "101", f"/pilih {first_ticket}")
    send(desk, "101", "Ibu, apakah sekarang sudah aman?")
    send(desk, "101", f"/pilih {second_ticket}")
    send(desk, "101", "Halo, saya lanjutkan di sini.")
    # a reply to a relayed/alert message of the first conversation goes there
    alert_of_first = next(m for m in inbox(sessions, "101") if (m.payload or {}).get("conversation_id") == first)
    with unit_of_work(sessions) as session:
        session.get(Message, alert_of_first.id).provider_message_id = "101:7777"
    send(desk, "101", "Satu pertanyaan lagi, Bu.", reply_to="101:7777")
    send(desk, "101", "/catatan Pelapor aman di rumah saudara")  # the conversation chosen last
    with unit_of_work(sessions) as session:
        def officer_lines(conversation_id):
            return [m.text for m in session.scalars(select(Message).where(
                Message.conversation_id == conversation_id, Message.direction == "out").order_by(Message.id))]
        first_lines, second_lines = officer_lines(first), officer_lines(second)
        assert first_lines[0].startswith("Halo, saya Ani, petugas") and "Yogya" not in first_lines[0]  # first name only
        assert first_lines[1:] == ["Ibu, apakah sekarang sudah aman?", "Satu pertanyaan lagi, Bu."]
        assert second_lines[1:] == ["Halo, saya lanjutkan di sini."]
        note = session.scalar(select(CaseEvent).where(CaseEvent.kind == "note"))
        assert note.detail == {"note": "Pelapor aman di rumah saudara"}
    send(desk, "101", f"/pilih {first_ticket}")
    send(desk, "101", "/kembalikan sudah dirujuk ke PSKM")
    with unit_of_work(sessions) as session:
        conversation = session.get(Conversation, first)
        assert conversation.handled_by == "bot" and conversation.officer_id is None
        kinds = [e.kind for e in session.get(Case, first_case).events]
        assert kinds.count("officer_message") == 2 and kinds[-1] == "handed_back"
        assert session.get(Case, first_case).events[-1].detail == {"note": "sudah dirujuk ke PSKM"}
        last = session.scalars(select(Message).where(Message.conversation_id == first).order_by(Message.id.desc())).first()
        assert last.text.startswith("Terima kasih sudah berbicara dengan petugas kami")
    assert f"Percakapan {first_ticket} diserahkan kembali ke bot" in said(sessions, "101")


def test_status_from_telegram_follows_the_lifecycle(sessions, desk, clock):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    _, case_id, ticket = reporter_case(sessions)
    send(desk, "101", f"/status {ticket} in_progress")
    send(desk, "101", f"/status {ticket} closed bantuan sudah diterima keluarga")
    send(desk, "101", f"/status {ticket} bogus")
    text = said(sessions, "101")
    assert "tidak bisa diubah dari baru ke sedang ditangani" in text
    assert f"Status kasus {ticket} sekarang selesai" in text and "proses (sedang ditangani) atau selesai" in text
    with unit_of_work(sessions) as session:
        case = session.get(Case, case_id)
        assert case.status == "closed" and case.events[-1].detail == {"note": "bantuan sudah diterima keluarga"}
        assert case.events[-1].actor.startswith("officer:")


# -- timers -----------------------------------------------------------------------------


def test_an_untaken_emergency_is_alerted_again_then_escalated(sessions, desk, clock):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    staff(sessions, "Citra Koordinator", "coordinator", "103", on_duty=False)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(emergency_repeat_s=300, emergency_escalate_s=900))
    conversation_id, _, ticket = reporter_case(sessions, emergency=True)
    alerts.queue_case_alerts()
    assert len(inbox(sessions, "101")) == 1
    clock.advance(299)
    alerts.repeat_emergencies()
    assert len(inbox(sessions, "101")) == 1
    clock.advance(2)
    alerts.repeat_emergencies()
    assert "pengingat ke-1" in inbox(sessions, "101")[-1].text
    for _ in range(2):
        clock.advance(301)
        alerts.repeat_emergencies()
    assert "pengingat ke-3" in inbox(sessions, "101")[-1].text
    assert "ESKALASI" in said(sessions, "103") and "ESKALASI" not in said(sessions, "101")
    press(desk, sessions, "101", "Ambil alih")
    count = len(inbox(sessions, "101"))
    clock.advance(600)
    alerts.repeat_emergencies()
    assert len(inbox(sessions, "101")) == count  # taken: no more repeats


def test_an_idle_takeover_reminds_the_officer_then_tells_the_coordinator(sessions, desk, clock):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    staff(sessions, "Citra Koordinator", "coordinator", "103", on_duty=False)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(takeover_remind_s=600, takeover_escalate_s=1800))
    conversation_id, _, ticket = reporter_case(sessions, alert=False)
    desk._receive(OfficerInput("101", "cb:z1", "button", button=f"take:{conversation_id}"))
    clock.advance(500)
    send(desk, "101", "Ibu masih di sana?")
    clock.advance(599)
    alerts.remind_idle_takeovers()
    assert "belum ada pesan ke pelapor" not in said(sessions, "101")  # active 599 s ago
    clock.advance(2)
    alerts.remind_idle_takeovers()
    assert said(sessions, "101").count("belum ada pesan ke pelapor") == 1 and said(sessions, "103") == ""
    clock.advance(1200)
    alerts.remind_idle_takeovers()
    assert said(sessions, "101").count("belum ada pesan ke pelapor") == 1  # reminded once
    assert f"{ticket} dipegang Ani Yogya" in said(sessions, "103")


# -- referrals --------------------------------------------------------------------------


@pytest.fixture
def directory(sessions, gazetteer):
    with unit_of_work(sessions) as session:
        import_rows(session, read_csv_text(DIRECTORY, gazetteer))


def referred_case(sessions, desk, urgency_point=(-7.75, 110.38)) -> tuple[int, str]:
    conversation_id, case_id, ticket = reporter_case(sessions, alert=False)
    with unit_of_work(sessions) as session:
        case = session.get(Case, case_id)
        case.latitude, case.longitude = urgency_point
        case.consent_contact, case.contact_preference = True, "chat"
        refer_case(session, case, desk.routing.routing_index(session), desk.routing.gazetteer, actor="bot")
        assert case.referrals[-1].facility.code == "PSKM-SLEMAN"
    return case_id, ticket


def test_a_facility_contact_accepts_a_referral(sessions, desk, clock, directory):
    staff(sessions, "Kontak Sleman", "facility", "301", facility="PSKM-SLEMAN", on_duty=False)
    staff(sessions, "Kontak Bantul", "facility", "302", facility="PSKM-BANTUL", on_duty=False)
    case_id, ticket = referred_case(sessions, desk)
    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()
    [offer] = inbox(sessions, "301")
    assert ticket in offer.text and "Ibu Sari" not in offer.text and "0812" not in offer.text  # no identity yet
    assert said(sessions, "302") == ""
    desk._receive(OfficerInput("302", "cb:w0", "button", button=offer.payload["buttons"][0]["payload"]))  # not theirs
    assert "bukan untuk layanan Anda" in said(sessions, "302")
    press(desk, sessions, "301", "Terima")
    assert "Ibu Sari dipukul suaminya" in said(sessions, "301")  # accepted: now the case worker reads the story
    with unit_of_work(sessions) as session:
        case = session.get(Case, case_id)
        assert case.status == "accepted" and case.referrals[-1].status == "accepted"
        told = session.scalars(select(Message).where(Message.conversation_id == case.conversation_id)).all()[-1]
        assert "sudah diterima oleh PSKM Sleman" in told.text
    press(desk, sessions, "301", "Terima")  # pressed again: nothing changes
    assert "sudah dijawab" in said(sessions, "301")


def test_a_declined_referral_asks_why_and_goes_to_the_next_facility(sessions, desk, clock, directory):
    staff(sessions, "Kontak Sleman", "facility", "301", facility="PSKM-SLEMAN", on_duty=False)
    staff(sessions, "Kontak Bantul", "facility", "302", facility="PSKM-BANTUL", on_duty=False)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock)
    case_id, ticket = referred_case(sessions, desk)
    alerts.queue_case_alerts()
    press(desk, sessions, "301", "Tolak")
    assert f"alasan singkat mengapa rujukan {ticket}" in said(sessions, "301")
    send(desk, "301", "Konselor kami sedang cuti semua minggu ini")
    assert "dirujuk ke layanan lain" in said(sessions, "301") and "Bantul" not in said(sessions, "301")  # not told who
    alerts.queue_case_alerts()
    assert ticket in said(sessions, "302")  # the next facility's contact is asked
    with unit_of_work(sessions) as session:
        case = session.get(Case, case_id)
        assert [r.status for r in case.referrals] == ["declined", "sent"]
        assert case.referrals[0].reason == "Konselor kami sedang cuti semua minggu ini"


def test_an_unanswered_referral_reaches_the_coordinator_who_can_reroute_it(sessions, desk, clock, directory):
    staff(sessions, "Citra Koordinator", "coordinator", "103", on_duty=False)
    staff(sessions, "Kontak Sleman", "facility", "301", facility="PSKM-SLEMAN", on_duty=False)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(referral_sla_hours=24))
    case_id, ticket = referred_case(sessions, desk)
    alerts.queue_case_alerts()  # the facility is asked (and does not answer)
    with unit_of_work(sessions) as session:
        session.get(Case, case_id).referrals[-1].sent_at = clock() - timedelta(hours=23)
    assert alerts.queue_overdue_referrals() == 0
    clock.advance(3601)
    assert alerts.queue_overdue_referrals() == 1
    assert ticket in said(sessions, "103")
    press(desk, sessions, "103", "Alihkan")
    assert "dialihkan" in said(sessions, "103") and "PSKM Bantul" in said(sessions, "103")
    with unit_of_work(sessions) as session:
        case = session.get(Case, case_id)
        assert [r.status for r in case.referrals] == ["declined", "sent"]
        assert "dialihkan oleh koordinator Citra" in case.referrals[0].reason
    press(desk, sessions, "301", "Terima")  # the first facility answers late: too late
    assert "sudah dijawab" in said(sessions, "301")


# -- what a review found ----------------------------------------------------------------


def test_a_reply_to_a_conversation_not_held_reaches_nobody(sessions, desk, clock):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    held, _, _ = reporter_case(sessions, alert=False)
    other, _, _ = reporter_case(sessions)
    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()  # an alert about `other`
    desk._receive(OfficerInput("101", "cb:h1", "button", button=f"take:{held}"))
    alert = next(m for m in inbox(sessions, "101") if (m.payload or {}).get("conversation_id") == other)
    with unit_of_work(sessions) as session:
        session.get(Message, alert.id).provider_message_id = "101:8888"
    send(desk, "101", "Saya ambil yang ini ya", reply_to="101:8888")
    assert "Pesan ini tidak diteruskan" in said(sessions, "101")
    with unit_of_work(sessions) as session:
        lines = [m.text for m in session.scalars(select(Message).where(Message.conversation_id == held, Message.direction == "out"))]
        assert "Saya ambil yang ini ya" not in lines  # not to the reporter Ani does hold either


def test_a_disabled_officer_lets_go_of_their_conversations(sessions, desk, clock):
    from bot.desk.service import release_takeovers
    from referral.officers import disable_officer

    officer_id = staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    conversation_id, _, _ = reporter_case(sessions, alert=False)
    desk._receive(OfficerInput("101", "cb:d1", "button", button=f"take:{conversation_id}"))
    with unit_of_work(sessions) as session:
        officer = disable_officer(session, officer_id)
        assert release_takeovers(session, officer, "petugas dinonaktifkan", now=clock()) == 1
    with unit_of_work(sessions) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.handled_by == "bot" and conversation.engine_paused  # a resume will follow
        assert session.scalar(select(CaseAlert).where(CaseAlert.reason == "handoff", CaseAlert.sent_at.is_(None))) is not None
    assert not desk.wants("101", "halo")  # the bot no longer answers them as an officer


def test_buttons_of_a_closed_case_referral_change_nothing(sessions, desk, clock, directory):
    staff(sessions, "Kontak Sleman", "facility", "301", facility="PSKM-SLEMAN", on_duty=False)
    case_id, _ = referred_case(sessions, desk)
    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()
    with unit_of_work(sessions) as session:
        session.get(Case, case_id).status = "closed"
    press(desk, sessions, "301", "Tolak")
    press(desk, sessions, "301", "Terima")
    assert said(sessions, "301").count("sudah dijawab") == 2
    send(desk, "301", "alasan apa saja")
    assert "tidak diteruskan ke siapa pun" in said(sessions, "301")
    with unit_of_work(sessions) as session:
        assert [r.status for r in session.get(Case, case_id).referrals] == ["sent"]


def test_a_case_without_a_region_is_changed_only_by_who_held_it_or_a_coordinator(sessions, desk, clock):
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)
    staff(sessions, "Citra Koordinator", "coordinator", "103")
    _, case_id, ticket = reporter_case(sessions, province=None, regency=None)
    send(desk, "102", f"/status {ticket} closed iseng")
    assert f"Kasus {ticket} tidak ditemukan" in said(sessions, "102")
    send(desk, "103", f"/catatan {ticket} sudah saya telepon")
    assert f"Catatan disimpan pada kasus {ticket}" in said(sessions, "103")
