"""A report travelling end to end: web chat → gateway → Rasa → action server → database.

Everything runs for real, as `make run` starts it, against PostgreSQL and Redis.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import select

from referral.models import Case, Conversation, Message
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

    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert case is not None
        assert (case.category, case.status, case.is_emergency) == ("bullying", "new", False)
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


def test_emergency_gets_hotlines_and_an_emergency_case_at_once(postgres_stack, db):
    sender = new_sender()
    reply = texts(say(postgres_stack, sender, text="tolong sekarang suami lagi mukulin saya"))
    assert "112" in reply and "110" in reply and "129" in reply
    ticket = TICKET.search(reply).group(0)
    with unit_of_work(db) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert (case.urgency, case.is_emergency) == ("emergency", True)


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
