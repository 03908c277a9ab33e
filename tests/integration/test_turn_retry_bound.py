"""A turn the database keeps refusing is not retried for ever (issue 21, review of the
retried turns): after HELPLINE_TURN_RETRY_MINUTES the reporter, who has the hotline numbers
already, is told it is not recorded, the message counts as answered so their later messages
go on, officers get an emergency alert about the conversation, and /healthz says so.

As in test_retried_turns.py: the database refuses for real (a trigger), the real emergency
action runs behind a stand-in for Rasa's HTTP API; the gateway test runs the real gateway."""

from __future__ import annotations

import asyncio

import httpx
from starlette.testclient import TestClient

from bot.gateway.conversation import ConversationService
from bot.gateway.engine_client import EngineClient
from bot.gateway.app import create_app
from wiring.settings import Settings
from bot.gateway.worker import InboxWorker
from messaging.models import Message
from messaging.statuses import MessageStatus
from messaging.store import Inbound
from referral.models import Case, CaseAlert
from referral.storage import unit_of_work
from tests.helpers import Clock, free_port, web_sender
from tests.integration.test_dialogue_actions import KEY, context  # noqa: F401  (fixture)
from tests.integration.test_retried_turns import DANGER, RasaStandIn, refused

NOT_RECORDED = "laporan darurat ini belum tercatat"
LATER = "tolong, dia masih di depan pintu"


def inbound_messages(sessions) -> list[Message]:
    with unit_of_work(sessions) as session:
        return list(session.query(Message).filter_by(direction="in").order_by(Message.id))


def replies_to(sessions, message_id: int) -> list[str]:
    with unit_of_work(sessions) as session:
        return [m.text or "" for m in session.query(Message).filter_by(in_reply_to_id=message_id).order_by(Message.id)]


def case_less_alerts(sessions) -> list[tuple]:
    with unit_of_work(sessions) as session:
        return [(a.case_id, a.conversation_id, a.reason) for a in session.query(CaseAlert).order_by(CaseAlert.id)]


def test_a_turn_refused_too_long_is_given_up_the_reporter_told_officers_alerted_later_messages_go_on(
    context, sessions, database_url
):
    rasa, clock = RasaStandIn(), Clock()
    address = web_sender("golok")

    async def scenario() -> tuple[list[int], int]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as http:
            service = ConversationService(sessions, EngineClient("http://rasa", http), KEY, clock=clock, turn_retry_s=600)
            worker = InboxWorker(service)
            retrying = []
            with refused(database_url, "cases"):
                await service.handle("webchat", address, Inbound(kind="text", text=DANGER))
                await service.handle("webchat", address, Inbound(kind="text", text=LATER))  # waits behind it
                for _ in range(40):  # 40 minutes of a database that refuses every case
                    retrying.append(service.count_retrying_turns())
                    clock.advance(60)
                    await worker.run_once()
                    if inbound_messages(sessions)[0].status == MessageStatus.ANSWERED:
                        break
                given_up_after = sum(1 for r in retrying if r)  # minutes
            retrying.append(service.count_retrying_turns())
            assert service.turns_given_up == 1
            for _ in range(3):  # the database is well again: the later message goes on
                clock.advance(10)
                await worker.run_once()
            return retrying, given_up_after

    retrying, minutes = asyncio.run(scenario())
    assert 10 <= minutes <= 11 and retrying[0] == 1 and retrying[-1] == 0  # ten minutes, then no more
    first, later = inbound_messages(sessions)
    assert first.status == MessageStatus.ANSWERED and later.status == MessageStatus.ANSWERED
    answer = replies_to(sessions, first.id)
    assert sum("112" in text for text in answer) == 1  # the numbers once, at once
    assert NOT_RECORDED in answer[-1] and sum(NOT_RECORDED in text for text in answer) == 1
    assert 5 <= len([m for m in rasa.sent if m["message_id"] == first.id]) <= 10  # a bounded number of tries
    assert case_less_alerts(sessions)[0] == (None, first.conversation_id, "emergency")  # officers hear of it
    with unit_of_work(sessions) as session:  # the later message opened the case once the database took it
        [case] = session.query(Case).all()
        assert case.is_emergency and case.source_message_id == later.id
    assert any("tercatat dengan nomor" in text for text in replies_to(sessions, later.id))


def test_healthz_shows_turns_being_retried_and_given_up(context, sessions, database_url, tmp_path):
    rasa, clock = RasaStandIn(), Clock()
    dead = free_port()
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "HELPLINE_SECRET_KEY": KEY,
        "RASA_URL": f"http://127.0.0.1:{dead}", "ACTION_SERVER_URL": f"http://127.0.0.1:{dead}",
        "HELPLINE_INBOX_INTERVAL": "0", "HELPLINE_TURN_RETRY_MINUTES": "5",
    })
    assert settings.turn_retry_s == 300
    with TestClient(create_app(settings, clock), client=("127.0.0.1", 50000)) as client:
        gateway = client.app_state["gateway"]
        http = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
        gateway.conversations.engine = EngineClient("http://rasa", http)  # the stand-in for Rasa, a remote service
        with refused(database_url, "cases"):
            client.post("/webchat/messages", json={"sender_id": web_sender("golok"), "text": DANGER})
            health = client.get("/healthz").json()
            assert health["turns_retrying"] == 1 and health["turns_given_up"] == 0
            assert "turns the database refuses, retrying: 1" in health["degraded"]
            for _ in range(20):
                clock.advance(60)
                client.portal.call(gateway.worker.run_once)
                if gateway.conversations.turns_given_up:
                    break
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and health["turns_retrying"] == 0 and health["turns_given_up"] == 1
        assert "turns given up (not recorded, officers alerted): 1" in health["degraded"]
        assert not any("retrying" in item for item in health["degraded"])
        client.portal.call(http.aclose)
