"""A report travelling end to end: web chat → gateway → Rasa → action server → database.

Everything runs for real, as `make run` starts it, against PostgreSQL and Redis.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import select

from referral.models import Case, Conversation, Facility, Message, Referral
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
    return f"e2e-{uuid.uuid4().hex[:10]}"


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
    parsed = httpx.post(f"{postgres_stack.rasa_url}/model/parse", json={"text": "tlg skrg dia bawa pisau"}, timeout=30).json()
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


def test_sigint_stops_every_process_of_the_stack(postgres_stack):
    family = {pid for pid in descendants(postgres_stack.process.pid) if is_alive(pid)}
    assert len(family) >= 3  # rasa, the action server, the gateway (and their workers)
    assert postgres_stack.stop() == 0
    assert [pid for pid in family if is_alive(pid)] == []
