"""A Rasa that dies under `helpline run` is started again by the supervisor, with nobody
at the keyboard (issue 25, item 1): meanwhile the gateway stores what a reporter writes and
tells them after the acknowledgement delay that it is safe with us; once Rasa is back, the
message is answered, once, and the other services were never restarted."""

from __future__ import annotations

import os
import re
import signal
import uuid

import httpx
import pytest
from sqlalchemy import select

from messaging.models import Conversation, Message
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.e2e.conftest import start_stack
from tests.e2e.log_privacy import assert_logs_private
from tests.helpers import fresh_postgres_database, wait_until

pytestmark = pytest.mark.e2e
ACK = "petugas kami akan menindaklanjuti"  # "saved; a person will follow up"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with fresh_postgres_database() as app_db:
        stack = start_stack(tmp_path_factory.mktemp("stack"), app_db, {"HELPLINE_ACK_AFTER_SECONDS": "2"})
        yield stack
        stack.stop()
        assert_logs_private(stack)


def test_make_run_prints_the_console_link_and_no_token(stack):
    token = stack.settings.resolved_console_token()
    assert any(f"{stack.base_url}/console (logins:" in line for line in stack.output)
    assert not any(token in line for line in stack.output)


def pid_of(stack, service: str) -> int:
    started = [int(m.group(1)) for line in stack.output if (m := re.search(rf"{service}: starting \(pid (\d+)", line))]
    return started[-1]


def fetched(stack, sender: str) -> list[str]:
    replies = httpx.get(f"{stack.base_url}/webchat/messages", params={"sender_id": sender, "after": 0}, timeout=10).json()["replies"]
    return [reply["text"] or "" for reply in replies]


def test_a_killed_rasa_is_started_again_and_the_message_sent_meanwhile_is_answered_once(stack):
    gateway, actions = pid_of(stack, "gateway"), pid_of(stack, "actions")
    os.killpg(pid_of(stack, "rasa"), signal.SIGKILL)
    wait_until(lambda: any("rasa stopped unexpectedly" in line and "restarting it" in line for line in stack.output),
               30, "the supervisor to see Rasa die")
    sender = str(uuid.uuid4())
    response = httpx.post(f"{stack.base_url}/webchat/messages",
                          json={"sender_id": sender, "text": "anak saya dibully di sekolah"}, timeout=60)
    assert response.status_code == 200  # stored, whatever Rasa's state
    wait_until(lambda: any(ACK in text for text in fetched(stack, sender)), 30, "the acknowledgement while Rasa is away")
    wait_until(lambda: any("rasa: ready again" in line for line in stack.output), 180, "Rasa to be started again")
    wait_until(lambda: any("Perundungan bukan hal sepele" in text for text in fetched(stack, sender)), 120,
               "the answer once Rasa is back")
    assert stack.process.poll() is None  # the helpline kept running
    assert (pid_of(stack, "gateway"), pid_of(stack, "actions")) == (gateway, actions)  # never restarted
    engine = make_engine(stack.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            conversation = session.scalar(select(Conversation).where(Conversation.channel_address == sender))
            inbound = session.scalars(select(Message).where(Message.conversation_id == conversation.id, Message.direction == "in")).all()
            assert [m.status for m in inbound] == ["answered"]
            sender_id = conversation.engine_sender_id
    finally:
        engine.dispose()
    events = httpx.get(f"{stack.rasa_url}/conversations/{sender_id}/tracker",
                       params={"token": stack.settings.resolved_engine_token()}, timeout=30).json()["events"]
    assert [e["metadata"]["message_id"] for e in events if e["event"] == "user"] == [inbound[0].id]  # Rasa heard it once
    assert sum(ACK in text for text in fetched(stack, sender)) == 1


def test_readyz_says_what_does_not_answer(stack):
    response = httpx.get(f"{stack.base_url}/readyz", timeout=30)
    assert response.status_code == 200 and response.json() == {
        "ready": True, "rasa": True, "action_server": True, "database": True, "not_ready": []}
    os.killpg(pid_of(stack, "actions"), signal.SIGKILL)

    def not_ready():
        response = httpx.get(f"{stack.base_url}/readyz", timeout=30)
        return response.json() if response.status_code == 503 else None

    body = wait_until(not_ready, 30, "readyz to see the action server gone")
    assert body["ready"] is False and "action_server" in body["not_ready"] and body["database"] is True
    wait_until(lambda: httpx.get(f"{stack.base_url}/readyz", timeout=30).status_code == 200, 120, "the action server back")
