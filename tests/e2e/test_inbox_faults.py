"""Fault tests for the durable inbox, with the real Rasa server, action server and gateway.

- Rasa stopped while messages arrive: each is stored, the reporters hear once (after the
  acknowledgement delay) that a person will follow up, and every message is answered
  (exactly once) by the inbox worker after Rasa returns.
- The gateway dies after Rasa answered but before the answer was stored (the window a
  SIGKILL can hit): after the lease runs out the worker finds Rasa's answer in its tracker
  and stores it, without sending the message to Rasa a second time.
- The database refuses the emergency case (a trigger): the reporter has the hotline numbers
  at once, the turn is undone in Rasa and retried until the database takes it; then one
  case, one alert, the numbers once, and the dialogue goes on from there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, text

from bot.supervision.stack import build_services
from wiring.settings import Settings
from messaging.store import Inbound, get_or_create_conversation, record_inbound
from messaging.models import Conversation, Message
from referral.models import Case, CaseAlert, utcnow
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.helpers import PROJECT_ROOT, free_port, wait_until

pytestmark = pytest.mark.e2e
ACK = "petugas kami akan menindaklanjuti"  # "saved; a person will follow up"


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class Processes:
    """Each service in its own process group, so it can be stopped on its own."""

    def __init__(self, settings: Settings, env: dict[str, str], tmp_path) -> None:
        self.services = {s.name: s for s in build_services(settings, env)}
        self.running: dict[str, subprocess.Popen] = {}
        self.tmp_path = tmp_path

    def start(self, name: str, timeout: float = 240) -> None:
        service = self.services[name]
        log = open(self.tmp_path / f"{name}.log", "ab")
        self.running[name] = subprocess.Popen(
            service.argv, env={**os.environ, **service.env}, cwd=service.cwd,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_until(lambda: answers(service.ready_url), timeout, f"{name} to be ready")

    def stop(self, name: str, sig=signal.SIGTERM) -> None:
        process = self.running.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


@pytest.fixture
def stack(tmp_path):
    port, rasa_port, action_port = free_port(), free_port(), free_port()
    env = {
        "HELPLINE_DATA_DIR": str(tmp_path),
        "HELPLINE_PORT": str(port),
        "HELPLINE_RASA_PORT": str(rasa_port),
        "HELPLINE_ACTION_PORT": str(action_port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helpline.db'}",
        "HELPLINE_INBOX_INTERVAL": "1",
        "HELPLINE_ACK_AFTER_SECONDS": "2",
        "HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE": "100000",  # these tests poll from 127.0.0.1
    }
    settings = Settings.from_env(env)
    settings.resolved_secret_key()
    engine = make_engine(settings.database_url)
    from referral.storage import upgrade

    upgrade(engine)
    processes = Processes(settings, env, tmp_path)
    try:
        yield processes, settings, make_session_factory(engine)
    finally:
        processes.stop_all()
        engine.dispose()


def post(settings: Settings, sender: str, text: str) -> list[dict]:
    response = httpx.post(
        f"http://127.0.0.1:{settings.port}/webchat/messages", json={"sender_id": sender, "text": text}, timeout=60
    )
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def user_events(settings: Settings, sender_id: str) -> list[dict]:
    tracker = httpx.get(
        f"{settings.engine.rasa_url}/conversations/{sender_id}/tracker",
        params={"token": settings.resolved_engine_token()},
        timeout=10,
    ).json()
    return [e for e in tracker["events"] if e.get("event") == "user"]


def test_messages_sent_while_rasa_is_down_are_answered_once_it_returns(stack):
    processes, settings, sessions = stack
    processes.start("actions")
    processes.start("gateway")
    senders = [str(uuid.uuid4()) for _ in range(2)]
    sent = [(senders[0], "halo"), (senders[0], "anak saya dibully di sekolah"), (senders[1], "terima kasih")]
    first_replies = [post(settings, sender, text) for sender, text in sent]
    # Stored; the second message of the first reporter waits its turn behind the first.
    assert first_replies[0] == [] and first_replies[2] == []
    assert "juga sudah kami terima" in first_replies[1][0]["text"]

    def fetched(sender: str) -> list[str]:
        replies = httpx.get(
            f"http://127.0.0.1:{settings.port}/webchat/messages", params={"sender_id": sender, "after": 0}, timeout=10
        ).json()["replies"]
        return [r["text"] or "" for r in replies]

    # After the acknowledgement delay each reporter hears, once, that a person will follow up.
    wait_until(lambda: all(any(ACK in t for t in fetched(s)) for s in senders), 30, "the delayed acknowledgements")
    time.sleep(2)
    assert [sum(ACK in t for t in fetched(s)) for s in senders] == [1, 1]

    processes.start("rasa")

    def all_answered():
        with unit_of_work(sessions) as session:
            statuses = session.scalars(select(Message.status).where(Message.direction == "in")).all()
        return len(statuses) == 3 and all(s == "answered" for s in statuses)

    wait_until(all_answered, 120, "the inbox worker to answer every stored message")
    later = httpx.get(
        f"http://127.0.0.1:{settings.port}/webchat/messages", params={"sender_id": senders[0], "after": 0}, timeout=10
    ).json()["replies"]
    texts = [r["text"] for r in later]
    assert any("Perundungan bukan hal sepele" in (t or "") for t in texts)  # the bullying answer arrived
    with unit_of_work(sessions) as session:
        conversations = session.scalars(select(Conversation)).all()
        for conversation in conversations:
            ids = session.scalars(
                select(Message.id).where(Message.conversation_id == conversation.id, Message.direction == "in")
            ).all()
            seen = [e["metadata"]["message_id"] for e in user_events(settings, conversation.engine_sender_id)]
            assert sorted(seen) == sorted(ids)  # every message reached Rasa exactly once, in order
            assert seen == sorted(seen)


def test_an_answer_rasa_gave_before_the_gateway_died_is_recovered_not_repeated(stack):
    processes, settings, sessions = stack
    processes.start("rasa")
    processes.start("actions")
    # The gateway "died" mid-processing: the message is stored and claimed, Rasa has answered it,
    # but the answer never reached our database.
    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(
            session, secret_key=settings.resolved_secret_key(), channel="webchat", address="crash-1"
        )
        message, _ = record_inbound(session, conversation, Inbound(kind="text", text="assalamualaikum"))
        message.status, message.attempts = "processing", 1
        message.locked_until = utcnow() - timedelta(seconds=1)
        message_id, sender_id = message.id, conversation.engine_sender_id
    rasa_answer = httpx.post(
        f"{settings.engine.rasa_url}/webhooks/rest/webhook",
        params={"token": settings.resolved_engine_token()},
        json={"sender": sender_id, "message": "assalamualaikum", "metadata": {"message_id": message_id}},
        timeout=60,
    ).json()
    assert rasa_answer

    processes.start("gateway")  # the restart: its inbox worker finds the stale message

    def answered():
        with unit_of_work(sessions) as session:
            return session.get(Message, message_id).status == "answered"

    wait_until(answered, 60, "the restarted gateway to recover the message")
    with unit_of_work(sessions) as session:
        stored = session.scalars(select(Message.text).where(Message.in_reply_to_id == message_id)).all()
    assert stored == [r["text"] for r in rasa_answer]
    assert [e["metadata"].get("message_id") for e in user_events(settings, sender_id)] == [message_id]


def test_a_gateway_killed_with_sigkill_loses_nothing_and_answers_once(stack):
    processes, settings, sessions = stack
    processes.start("actions")
    processes.start("gateway")
    sender = str(uuid.uuid4())
    for text in ("halo", "butuh bantuan sembako"):
        post(settings, sender, text)  # answered 200: stored while Rasa is down
    with unit_of_work(sessions) as session:
        assert len(session.scalars(select(Message.id).where(Message.direction == "in")).all()) == 2
    processes.stop("gateway", sig=signal.SIGKILL)  # no chance to clean up

    processes.start("rasa")
    processes.start("gateway")  # the restart picks the stored messages up

    def answered():
        with unit_of_work(sessions) as session:
            statuses = session.scalars(select(Message.status).where(Message.direction == "in")).all()
        return statuses == ["answered", "answered"]

    wait_until(answered, 120, "both messages to be answered after the restart")
    with unit_of_work(sessions) as session:
        conversation = session.scalars(select(Conversation)).one()
        ids = session.scalars(select(Message.id).where(Message.direction == "in").order_by(Message.id)).all()
        sender_id = conversation.engine_sender_id
    assert [e["metadata"]["message_id"] for e in user_events(settings, sender_id)] == ids


def test_an_emergency_the_database_refused_is_retried_with_one_case_one_alert_and_the_numbers_once(stack):
    processes, settings, sessions = stack
    for name in ("rasa", "actions", "gateway"):
        processes.start(name)
    database = make_engine(settings.database_url)
    with database.begin() as connection:  # the database takes no new case for now
        connection.execute(text("CREATE TRIGGER refuse_cases BEFORE INSERT ON cases BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    sender = str(uuid.uuid4())
    first = [r["text"] or "" for r in post(settings, sender, "tolong dia bawa golok mau bunuh saya sekarang")]
    assert any("112" in t and "129" in t for t in first) and any("Mohon tunggu sebentar" in t for t in first)

    def inbound() -> Message:
        with unit_of_work(sessions) as session:
            return session.scalars(select(Message).where(Message.direction == "in")).one()

    wait_until(lambda: inbound().attempts >= 2, 60, "a second attempt the database refuses too")
    with database.begin() as connection:  # the database is back
        connection.execute(text("DROP TRIGGER refuse_cases"))
    database.dispose()
    wait_until(lambda: inbound().status == "answered", 90, "the retried turn to be answered")

    message = inbound()
    with unit_of_work(sessions) as session:
        replies = session.scalars(select(Message.text).where(Message.in_reply_to_id == message.id)).all()
        [case] = session.scalars(select(Case)).all()
        alerts = session.scalars(select(CaseAlert.reason).where(CaseAlert.case_id == case.id)).all()
        sender_id = session.scalars(select(Conversation.engine_sender_id)).one()
        assert case.is_emergency and case.description == "tolong dia bawa golok mau bunuh saya sekarang"
    assert alerts == ["emergency"]
    # The hotline list once, however many tries (a slow first turn may also bring the inbox's
    # "saved, we'll follow up" acknowledgement, which names 112 in its own words).
    assert sum("• 112" in (t or "") for t in replies) == 1
    assert sum("Mohon tunggu sebentar" in (t or "") for t in replies) == 1
    assert sum(case.ticket in (t or "") for t in replies) == 1
    runs = [e for e in user_events(settings, sender_id) if e["metadata"].get("message_id") == message.id]
    assert len(runs) == message.attempts  # each refused run was undone and the message sent again

    # Rasa's dialogue goes on from the retried turn: the form asks where, and the place is the case's.
    post(settings, sender, "saya di Sleman")

    def placed() -> str | None:
        with unit_of_work(sessions) as session:
            return session.get(Case, case.id).location_text
    wait_until(placed, 60, "the place to reach the emergency case")
