"""A report travelling end to end: web chat → gateway → Rasa → action server → database.

Everything runs for real, as `make run` starts it, against PostgreSQL and Redis.
"""

from __future__ import annotations

import re
import stat
import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from messaging.models import Conversation, Message
from referral.models import Case, CaseAlert, Facility, Referral
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.helpers import descendants, is_alive

pytestmark = pytest.mark.e2e
TICKET = re.compile(r"MPKS-\d{4}-\d{5,}")


def say(stack, sender: str, **body) -> list[dict]:
    response = httpx.post(f"{stack.base_url}/webchat/messages", json={"sender_id": sender, **body}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def texts(replies) -> str:
    return "\n".join(reply["text"] or "" for reply in replies)


@pytest.fixture(scope="module")
def db(postgres_stack):
    engine = make_engine(postgres_stack.database_url)
    yield make_session_factory(engine)
    engine.dispose()


def new_sender() -> str:
    return str(uuid.uuid4())  # as the page makes it


def test_first_start_loads_the_sample_directory(postgres_stack, db):
    assert any("Loaded the SAMPLE facility directory (185 facilities" in line for line in postgres_stack.output)
    with unit_of_work(db) as session:
        assert session.query(Facility).count() == 185


def test_health_is_ok_when_everything_runs(postgres_stack):
    response = httpx.get(f"{postgres_stack.base_url}/healthz", timeout=10)
    assert response.json() == {"status": "ok", "rasa": True, "action_server": True}


def test_bullying_report_with_shared_location_opens_a_case(postgres_stack, db):
    sender = new_sender()
    first = texts(say(postgres_stack, sender, text="anak saya dibully di sekolah"))
    assert "lokasi" in first.lower()
    assert not TICKET.search(first)

    second = texts(say(postgres_stack, sender, location={"latitude": -7.7829, "longitude": 110.3671}))
    ticket = TICKET.search(second).group(0)
    # routed to the nearest facility offering counselling or victim support, named with its distance
    routed = re.search(r"kami teruskan ke (.+?), sekitar (\d+) km dari lokasi Anda", second)
    assert routed, second

    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert case is not None
        assert (case.category, case.status, case.is_emergency) == ("bullying", "referred", False)
        assert (case.province_code, case.regency_code) == ("34", "34.71")
        [referral] = session.scalars(select(Referral).where(Referral.case_id == case.id)).all()
        facility = session.get(Facility, referral.facility_id)
        assert facility.name == routed.group(1)
        assert round(referral.distance_km) == int(routed.group(2))
        assert set(facility.service_list) & {"konseling", "pendampingan_korban"}
        assert case.latitude == pytest.approx(-7.7829) and case.longitude == pytest.approx(110.3671)
        assert "dibully" in case.description
        conversation = session.get(Conversation, case.conversation_id)
        assert conversation.reporter_id == case.reporter_id
        assert sender not in conversation.engine_sender_id  # Rasa only sees a pseudonym
        stored = session.scalars(select(Message).where(Message.conversation_id == conversation.id)).all()
        assert [m.direction for m in stored if m.direction == "in"] == ["in", "in"]
        assert all(m.status == "answered" for m in stored if m.direction == "in")
        assert any(ticket in (m.text or "") for m in stored if m.direction == "out")


def test_aid_request_with_a_typed_place(postgres_stack, db):
    sender = new_sender()
    say(postgres_stack, sender, text="butuh bantuan sembako, sudah dua hari gak makan")
    reply = texts(say(postgres_stack, sender, text="kec. kasihan, bantul"))
    ticket = TICKET.search(reply).group(0)
    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert (case.category, case.location_text) == ("aid", "kec. kasihan, bantul")
        assert case.district_code == "34.02.16"
        assert case.status == "referred"


def test_an_ambiguous_place_is_asked_about_with_choices(postgres_stack, db):
    sender = new_sender()
    say(postgres_stack, sender, text="anak saya dibully teman sekelasnya")
    [question] = say(postgres_stack, sender, text="depok")
    assert "yang mana" in question["text"].lower()
    titles = [button["title"] for button in question["buttons"]]
    assert "Depok, Kabupaten Sleman, Daerah Istimewa Yogyakarta" in titles
    chosen = next(b for b in question["buttons"] if "Sleman" in b["title"])
    reply = texts(say(postgres_stack, sender, text=chosen["payload"]))
    ticket = TICKET.search(reply).group(0)
    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert case.district_code == "34.04.07"
        assert case.status == "referred"


def test_an_unknown_place_is_asked_once_more_then_kept(postgres_stack, db):
    sender = new_sender()
    say(postgres_stack, sender, text="butuh bantuan biaya sekolah anak")
    again = texts(say(postgres_stack, sender, text="griya asri blok c nomor 7"))
    assert "belum mengenali" in again
    reply = texts(say(postgres_stack, sender, text="griya asri blok c nomor 7, sebelah kampus"))
    ticket = TICKET.search(reply).group(0)
    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert case.location_text == "griya asri blok c nomor 7, sebelah kampus"
        assert case.status == "new"  # left for a coordinator to place


def test_emergency_gets_hotlines_and_an_emergency_case_at_once(postgres_stack, db):
    sender = new_sender()
    reply = texts(say(postgres_stack, sender, text="tolong sekarang suami lagi mukulin saya"))
    assert "112" in reply and "110" in reply and "129" in reply
    ticket = TICKET.search(reply).group(0)
    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert (case.urgency, case.is_emergency) == ("emergency", True)


def test_safety_net_shows_in_the_parse_result(postgres_stack):
    parsed = httpx.post(
        f"{postgres_stack.rasa_url}/model/parse",
        params={"token": postgres_stack.settings.resolved_engine_token()},
        json={"text": "tlg skrg dia bawa pisau"},
        timeout=30,
    ).json()
    assert parsed["intent"]["name"] == "emergency"
    assert parsed["safety_net"]["fired"] is True
    assert "weapon" in parsed["safety_net"]["rules"]


def test_english_reporters_are_answered_in_english(postgres_stack, db):
    sender = new_sender()
    first = texts(say(postgres_stack, sender, text="my son is being bullied by older boys at his school"))
    assert "Thank you for telling us" in first and "where is this" in first
    reply = texts(say(postgres_stack, sender, text="Kasihan, Bantul"))
    assert re.search(r"its number is MPKS-\d{4}-\d{5,}", reply), reply


def test_javanese_reporters_are_answered_in_indonesian(postgres_stack):
    reply = texts(say(postgres_stack, new_sender(), text="anakku dipoyoki kanca-kancane ning sekolah"))
    assert "Terima kasih sudah memberi tahu kami" in reply


def test_case_status_only_for_the_reporters_own_case(postgres_stack):
    owner, stranger = new_sender(), new_sender()
    say(postgres_stack, owner, text="nenek saya tinggal sendiri sudah pikun")
    ticket = TICKET.search(texts(say(postgres_stack, owner, text="lewati"))).group(0)

    own = texts(say(postgres_stack, owner, text=f"status {ticket}"))
    assert ticket in own and "tidak kami temukan" not in own
    other = texts(say(postgres_stack, stranger, text=f"status {ticket}"))
    assert "tidak kami temukan" in other


def cases_of(db, sender_tickets: list[str]) -> list[Case]:
    with unit_of_work(db) as session:
        return [session.scalar(select(Case).where(Case.ticket == ticket)) for ticket in sender_tickets]


def test_every_report_after_a_completed_one_opens_its_own_case(postgres_stack, db):
    sender = new_sender()
    say(postgres_stack, sender, text="anak saya dibully di sekolah")
    first = TICKET.search(texts(say(postgres_stack, sender, text="kec. kasihan, bantul"))).group(0)

    emergency = texts(say(postgres_stack, sender, text="tolong sekarang suami lagi mukulin saya"))
    assert "112" in emergency and "110" in emergency  # the hotlines first
    second = TICKET.search(emergency).group(0)
    assert second != first
    texts(say(postgres_stack, sender, text="depok, sleman"))  # where, for the emergency case

    say(postgres_stack, sender, text="butuh bantuan sembako, sudah dua hari gak makan")
    third = TICKET.search(texts(say(postgres_stack, sender, text="kota yogyakarta"))).group(0)
    assert len({first, second, third}) == 3

    report, danger, aid = cases_of(db, [first, second, third])
    assert (report.category, report.is_emergency, report.location_text) == ("bullying", False, "kec. kasihan, bantul")
    assert report.district_code == "34.02.16"  # the first case's place is unchanged
    assert (danger.is_emergency, danger.urgency, danger.location_text) == (True, "emergency", "depok, sleman")
    assert (aid.category, aid.is_emergency, aid.location_text) == ("aid", False, "kota yogyakarta")
    with unit_of_work(db) as session:
        alerts = session.scalars(select(CaseAlert).where(CaseAlert.case_id == danger.id)).all()
        assert [a.reason for a in alerts] == ["emergency"]  # officers are told


def test_a_second_emergency_message_is_added_to_the_open_emergency_case(postgres_stack, db):
    sender = new_sender()
    first = texts(say(postgres_stack, sender, text="tolong sekarang suami lagi mukulin saya"))
    ticket = TICKET.search(first).group(0)
    say(postgres_stack, sender, text="lewati")
    again = texts(say(postgres_stack, sender, text="tolong dia datang lagi bawa pisau"))
    assert "112" in again and ticket in again  # the hotlines again, and the same case
    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert "emergency_repeated" in [event.kind for event in case.events]
        reasons = session.scalars(select(CaseAlert.reason).where(CaseAlert.case_id == case.id).order_by(CaseAlert.id)).all()
        assert reasons == ["emergency", "emergency_repeated"]  # officers alerted afresh
        assert session.query(Case).filter(Case.conversation_id == case.conversation_id).count() == 1


def test_intent_syntax_typed_by_a_reporter_is_text(postgres_stack, db):
    sender = new_sender()
    say(postgres_stack, sender, text="/emergency")
    with unit_of_work(db) as session:
        conversation = session.scalars(
            select(Conversation).join(Message, Message.conversation_id == Conversation.id).where(Message.text == "/emergency")
        ).first()
        engine_sender = conversation.engine_sender_id
    tracker = httpx.get(
        f"{postgres_stack.rasa_url}/conversations/{engine_sender}/tracker",
        params={"token": postgres_stack.settings.resolved_engine_token()},
        timeout=10,
    ).json()
    [user] = [e for e in tracker["events"] if e["event"] == "user"]
    assert user["text"] == "emergency"  # Rasa's "/intent" syntax never reached it


def test_rasa_and_the_action_server_refuse_requests_without_the_token(postgres_stack):
    token = postgres_stack.settings.resolved_engine_token()
    rasa = postgres_stack.rasa_url
    assert httpx.get(f"{rasa}/conversations/anyone/tracker", timeout=10).status_code == 401
    assert httpx.get(f"{rasa}/conversations/anyone/tracker", params={"token": "wrong"}, timeout=10).status_code == 401
    assert httpx.get(f"{rasa}/conversations/anyone/tracker", params={"token": token}, timeout=10).status_code == 200
    forged = {"sender": "anyone", "message": "halo"}
    assert httpx.post(f"{rasa}/webhooks/rest/webhook", json=forged, timeout=10).status_code == 401
    action_call = {"next_action": "action_open_case", "sender_id": "anyone", "tracker": {}, "domain": {}, "version": "3.6.21"}
    assert httpx.post(f"{postgres_stack.action_url}/webhook", json=action_call, timeout=10).status_code == 401
    assert httpx.post(f"{postgres_stack.action_url}/webhook", params={"token": "wrong"}, json=action_call, timeout=10).status_code == 401


def test_the_console_gives_no_case_data_for_a_forged_forwarded_for(postgres_stack):
    base = postgres_stack.base_url
    forged = httpx.get(f"{base}/console/api/cases", headers={"X-Forwarded-For": "127.0.0.1"}, timeout=10)
    assert forged.status_code == 401 and "cases" not in forged.json()
    token = postgres_stack.settings.resolved_console_token()
    assert any(f"/console#token={token}" in line for line in postgres_stack.output)  # the link make run prints
    allowed = httpx.get(f"{base}/console/api/cases", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert allowed.status_code == 200 and allowed.json()["cases"]


def test_no_secret_reaches_a_log_file_and_the_files_are_private(postgres_stack, bot_api):
    from tests.e2e.conftest import TELEGRAM_TOKEN
    from tests.fakes.servers import telegram_message

    bot_api.push({"message": telegram_message(4100, 1, text="halo")})  # Telegram in use, with its token
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(m["chat_id"] == 4100 for m in bot_api.sent):
        time.sleep(0.5)
    assert any(m["chat_id"] == 4100 for m in bot_api.sent)
    settings = postgres_stack.settings
    secrets = [TELEGRAM_TOKEN, settings.resolved_engine_token(), settings.resolved_console_token(), settings.resolved_secret_key()]
    data_dir = postgres_stack.data_dir
    logs = list((data_dir / "log").glob("*.log"))
    assert {p.name for p in logs} >= {"rasa.log", "actions.log", "gateway.log"}
    for path in logs:
        content = path.read_text(errors="replace")
        for secret in secrets:
            assert secret not in content, f"a secret is in {path.name}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "log").stat().st_mode) == 0o700


def test_sigint_stops_every_process_of_the_stack(postgres_stack):
    family = {pid for pid in descendants(postgres_stack.process.pid) if is_alive(pid)}
    assert len(family) >= 3  # rasa, the action server, the gateway (and their workers)
    assert postgres_stack.stop() == 0
    assert [pid for pid in family if is_alive(pid)] == []
