"""The action server dies mid-conversation (issue 25, found by `make bench-load --faults
actions`): Rasa goes on without it ("the actions events are lost") and answers the turn with
nothing. The gateway must not take that for an answer: the turn is undone in Rasa's tracker
and the message is tried again once the action server is back, and answered once.

A stand-in for Rasa's HTTP API and the action server's /health (remote services), the real
conversation service, inbox worker and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json

import httpx

from bot.gateway.conversation import ConversationService
from bot.gateway.engine_client import EngineClient
from bot.gateway.worker import InboxWorker
from messaging.models import Message
from messaging.statuses import MessageStatus
from messaging.store import Inbound
from referral.storage import unit_of_work
from tests.helpers import Clock, web_sender
from tests.integration.test_retried_turns import RasaStandIn

KEY = "test-secret-key"
ANSWER = "Terima kasih sudah bercerita. Di kabupaten atau kota mana kejadiannya?"


class RasaWithoutActions(RasaStandIn):
    """Rasa's REST channel (the tracker endpoints are the stand-in's) and the action server's
    /health: while the action server is down, a turn is recorded and answered with nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.actions_up = False
        self.turns = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "actions":
            return httpx.Response(200 if self.actions_up else 503, json={"status": "ok"})
        if request.url.path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            self.turns += 1
            self.events.append({"event": "user", "text": body["message"], "metadata": body["metadata"]})
            if not self.actions_up:
                return httpx.Response(200, json=[])
            self.events.append({"event": "bot", "text": ANSWER, "data": {}})
            return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": ANSWER}])
        return await super().__call__(request)


def write_then_retry(sessions, handler, sender: str, text: str, rounds: int, step_s: float) -> None:
    """One message through the real conversation service and a Rasa stand-in, then `rounds`
    passes of the inbox worker, `step_s` apart."""
    clock = Clock()

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            engine = EngineClient("http://rasa", http, actions_health_url="http://actions/health")
            service = ConversationService(sessions, engine, KEY, clock=clock)
            await service.handle("webchat", web_sender(sender), Inbound(kind="text", text=text))
            worker = InboxWorker(service)
            for _ in range(rounds):
                clock.advance(step_s)
                await worker.run_once()

    asyncio.run(scenario())


def inbound_status(sessions) -> str:
    with unit_of_work(sessions) as session:
        return session.query(Message).filter_by(direction="in").one().status


def test_an_empty_answer_while_the_action_server_is_down_is_undone_and_answered_once_it_is_back(sessions):
    rasa, clock = RasaWithoutActions(), Clock()

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as http:
            engine = EngineClient("http://rasa", http, actions_health_url="http://actions/health")
            service = ConversationService(sessions, engine, KEY, clock=clock)
            await service.handle("webchat", web_sender("aksi"), Inbound(kind="text", text="anak saya dipukul gurunya"))
            with unit_of_work(sessions) as session:
                assert session.query(Message).filter_by(direction="in").one().status == MessageStatus.PENDING
            assert [e["event"] for e in rasa.events].count("rewind") == 1  # Rasa's half turn undone
            rasa.actions_up = True
            clock.advance(60)
            await InboxWorker(service).run_once()

    asyncio.run(scenario())
    with unit_of_work(sessions) as session:
        inbound = session.query(Message).filter_by(direction="in").one()
        replies = [m.text for m in session.query(Message).filter_by(direction="out").order_by(Message.id)]
        assert inbound.status == MessageStatus.ANSWERED
    assert replies.count(ANSWER) == 1 and rasa.turns == 2


def test_an_empty_answer_with_the_action_server_already_back_is_tried_again_a_few_times(sessions):
    """The supervisor restarts the action server within seconds, often before the gateway can
    ask its /health: an empty answer is tried again a few times whatever /health says, then it
    is taken as the answer."""
    rasa, clock = RasaWithoutActions(), Clock()
    rasa.actions_up = True
    calls = []

    async def empty(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            calls.append(request)
            if len(calls) == 1:  # the turn the action server's restart cut off
                rasa.events.append({"event": "user", "text": "ok", "metadata": json.loads(request.content)["metadata"]})
                return httpx.Response(200, json=[])
        return await rasa(request)

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(empty)) as http:
            engine = EngineClient("http://rasa", http, actions_health_url="http://actions/health")
            service = ConversationService(sessions, engine, KEY, clock=clock)
            await service.handle("webchat", web_sender("kosong"), Inbound(kind="text", text="ok"))
            clock.advance(60)
            await InboxWorker(service).run_once()

    asyncio.run(scenario())
    with unit_of_work(sessions) as session:
        assert session.query(Message).filter_by(direction="in").one().status == MessageStatus.ANSWERED
        replies = [m.text for m in session.query(Message).filter_by(direction="out")]
    assert ANSWER in replies and len(calls) == 2


def test_a_turn_that_keeps_answering_nothing_is_taken_as_answered_after_a_few_tries(sessions):
    rasa = RasaWithoutActions()
    rasa.actions_up = True
    calls = []

    async def always_empty(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            calls.append(request)
            rasa.events.append({"event": "user", "text": "ok", "metadata": json.loads(request.content)["metadata"]})
            return httpx.Response(200, json=[])
        return await rasa(request)

    write_then_retry(sessions, always_empty, "kosong2", "ok", rounds=8, step_s=60)
    assert inbound_status(sessions) == MessageStatus.ANSWERED
    assert len(calls) == 5


def test_a_turn_undone_once_is_never_rewound_again_when_rasa_then_answers_nothing_without_it(sessions):
    """Rasa's REST channel answers [] without saving a turn when it fails inside (a lock or
    tracker store error): the earlier run, already undone and marked, must not be rewound
    again, or the reporter's previous turn would go with it."""
    rasa, clock = RasaWithoutActions(), Clock()

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as http:
            engine = EngineClient("http://rasa", http, actions_health_url="http://actions/health")
            service = ConversationService(sessions, engine, KEY, clock=clock)
            await service.handle("webchat", web_sender("dua"), Inbound(kind="text", text="tolong bantu saya"))
            real = rasa.__call__

            async def failing_inside(request: httpx.Request) -> httpx.Response:
                if request.url.path == "/webhooks/rest/webhook":
                    return httpx.Response(200, json=[])  # nothing saved, nothing said
                return await real(request)

            worker = InboxWorker(service)
            service.engine.http._transport = httpx.MockTransport(failing_inside)
            for _ in range(3):
                clock.advance(400)
                await worker.run_once()

    asyncio.run(scenario())
    assert [e["event"] for e in rasa.events].count("rewind") == 1


def test_an_action_server_that_never_comes_back_holds_a_message_back_for_a_bounded_time(sessions):
    rasa = RasaWithoutActions()
    write_then_retry(sessions, rasa, "lama", "halo", rounds=15, step_s=400)
    assert inbound_status(sessions) == MessageStatus.ANSWERED
    assert 5 <= rasa.turns <= 12
