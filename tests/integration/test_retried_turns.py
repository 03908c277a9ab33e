"""A turn the database refused is tried again by the inbox, not dropped (messaging/turns.py).

The database is made to fail for real: a trigger refuses new rows in one table (SQLite and
PostgreSQL), then is dropped. The actions run as the action server runs them; where the
gateway takes part, Rasa is a stand-in over HTTP (httpx's mock transport) that hands each
message to the real emergency action, keeps its tracker's events and takes a rewind."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator

import httpx
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text

from actions.emergency import ActionEmergency
from actions.report_form import ValidateReportForm
from bot.duties.alerts import OfficerAlerts
from bot.gateway.conversation import ConversationService
from bot.gateway.engine_client import EngineClient
from wiring.officer_settings import AlertTimes
from bot.gateway.worker import InboxWorker
from messaging.models import Conversation, Message
from messaging.statuses import MessageStatus
from messaging.store import Inbound
from referral.models import Case, CaseAlert, CaseEvent, EmergencyCheck
from referral.storage import make_engine, unit_of_work
from tests.helpers import Clock, web_sender
from tests.integration.test_dialogue_actions import DOMAIN, KEY, context, conversation  # noqa: F401  (fixture)

DANGER = "tolong dia bawa golok mau bunuh saya sekarang"
NET = {"route": "emergency"}
CHECK = {"route": "check_emergency", "report_evidence": 0.2, "reported": False}
# The wire format between the actions and the gateway (messaging/turns.py), spelt out.
RETRY_TURN, TURN_DONE, HOTLINES = "retry_turn", "turn_done", "hotlines"


@contextlib.contextmanager
def refused(database_url: str, table: str) -> Iterator[None]:
    """While inside: the database refuses every new row of `table` (a trigger), as a full
    disk, a lost connection or a broken migration would make a write fail."""
    engine = make_engine(database_url)
    postgres = engine.dialect.name == "postgresql"
    create = (
        [
            "CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_insert()",
        ]
        if postgres
        else [f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"]
    )
    drop = (
        [f"DROP TRIGGER refuse_{table} ON {table}", "DROP FUNCTION refuse_insert()"]
        if postgres
        else [f"DROP TRIGGER refuse_{table}"]
    )
    try:
        with engine.begin() as connection:
            for statement in create:
                connection.execute(text(statement))
        yield
    finally:
        with engine.begin() as connection:
            for statement in drop:
                connection.execute(text(statement))
        engine.dispose()


def tracker(sender_id: str, message: str, *, triage: dict, metadata: dict, intent: str = "emergency",
            slots: dict | None = None, in_form: bool = False) -> Tracker:
    latest = {
        "text": message,
        "intent": {"name": intent, "confidence": 0.97},
        "intent_ranking": [{"name": intent, "confidence": 0.97}],
        "entities": [],
        "metadata": metadata,
        "triage": triage,
    }
    if triage.get("route") == "emergency":
        latest["safety_net"] = {"fired": True, "rules": ["weapon_now"]}
    return Tracker(
        sender_id=sender_id, slots=dict(slots or {}), latest_message=latest, events=[], paused=False,
        followup_action=None, active_loop={"name": "report_form"} if in_form else {}, latest_action_name=None,
    )


def said(dispatcher: CollectingDispatcher) -> list[str]:
    """What the reporter reads (texts), and `retry` for the marker that asks the gateway to try again."""
    return ["retry" if RETRY_TURN in (m.get("custom") or {}) else m["text"] for m in dispatcher.messages]


def run_action(t: Tracker) -> tuple[dict, list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionEmergency().run(dispatcher, t, DOMAIN))
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, said(dispatcher)


def counts(sessions) -> tuple[int, list[str], int]:
    """(cases, alert reasons, open emergency questions)"""
    with unit_of_work(sessions) as session:
        return (
            session.query(Case).count(),
            [a.reason for a in session.query(CaseAlert).order_by(CaseAlert.id)],
            session.query(EmergencyCheck).count(),
        )


def test_a_refused_danger_question_is_retried_and_the_retry_asks_it_without_the_numbers_again(
    context, sessions, database_url
):
    sender, _, _ = conversation(sessions)
    first = {"message_id": 41}
    with refused(database_url, "emergency_checks"):
        slots, texts = run_action(tracker(sender, "gue bunuh lu kalo telat lagi", triage=CHECK, metadata=first))
    assert "112" in texts[0] and "129" in texts[0]  # the numbers at once
    assert "Mohon tunggu sebentar" in texts[1] and texts[2:] == ["retry"]
    assert not slots.get("emergency_check")  # not asked in a turn that is undone
    assert counts(sessions) == (0, [], 0)
    # The gateway undid the turn and sends the message again, saying what reached the reporter.
    slots, texts = run_action(tracker(sender, "gue bunuh lu kalo telat lagi", triage=CHECK,
                                      metadata={**first, TURN_DONE: [HOTLINES]}))
    assert texts == [] and slots["emergency_check"] == "then_end" and slots["danger_now"] is None  # the form asks
    assert counts(sessions) == (0, [], 1)


def test_a_refused_emergency_case_is_retried_and_the_retry_opens_it_and_alerts_once(context, sessions, database_url):
    sender, _, _ = conversation(sessions)
    first = {"message_id": 7}
    with refused(database_url, "cases"):
        slots, texts = run_action(tracker(sender, DANGER, triage=NET, metadata=first))
    assert "Petugas jaga kami sedang diberi tahu" in texts[0] and "112" in texts[0]
    assert "Mohon tunggu sebentar" in texts[1] and texts[2:] == ["retry"]  # not "call, then write again"
    assert "emergency_ticket" not in slots and counts(sessions) == (0, [], 0)
    slots, texts = run_action(tracker(sender, DANGER, triage=NET, metadata={**first, TURN_DONE: [HOTLINES]}))
    assert len(texts) == 1 and "tercatat dengan nomor" in texts[0] and "112" not in texts[0]
    assert slots["emergency_ticket"] and counts(sessions) == (1, ["emergency"], 0)


def test_a_ya_whose_case_was_refused_is_retried_too(context, sessions, database_url):
    sender, _, _ = conversation(sessions)
    _, _ = run_action(tracker(sender, "dia mulai ngamuk", triage=CHECK, metadata={"message_id": 1}))
    asked = {"emergency_check": "then_end", "description": "dia mulai ngamuk", "category": "violence"}
    ya = tracker(sender, "ya", intent="affirm", triage={"route": "other"}, metadata={"message_id": 2},
                 slots=asked, in_form=True)
    dispatcher = CollectingDispatcher()
    with refused(database_url, "cases"):
        asyncio.run(ValidateReportForm().validate_danger_now("ya", dispatcher, ya, DOMAIN))
    assert said(dispatcher)[-1] == "retry" and counts(sessions) == (0, [], 1)


# -- the gateway's inbox, with a stand-in for Rasa ----------------------------------------


class RasaStandIn:
    """Rasa's REST channel and tracker endpoints as far as this test needs them: every
    message is an emergency the safety net saw, handed to the real emergency action; each
    reply is recorded in the tracker's events like Rasa's BotUttered, a rewind is kept."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.sent: list[dict] = []  # the metadata of each message Rasa received

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            self.sent.append(body["metadata"])
            dispatcher = CollectingDispatcher()
            await ActionEmergency().run(dispatcher, tracker(body["sender"], body["message"], triage=NET,
                                                            metadata=body["metadata"]), DOMAIN)
            replies = [{"text": m["text"]} if m.get("text") else {"custom": m["custom"]} for m in dispatcher.messages]
            self.events.append({"event": "user", "text": body["message"], "metadata": body["metadata"]})
            self.events += [{"event": "bot", "text": r.get("text"), "data": {"custom": r.get("custom")}} for r in replies]
            return httpx.Response(200, json=[{"recipient_id": body["sender"], **r} for r in replies])
        if request.url.path.endswith("/tracker/events") and request.method == "POST":
            self.events += json.loads(request.content)
            return httpx.Response(200, json={})
        if request.url.path.endswith("/tracker"):
            return httpx.Response(200, json={"events": self.events})
        return httpx.Response(404)


def test_the_inbox_retries_a_refused_emergency_turn_with_one_case_one_alert_and_the_numbers_once(
    context, sessions, database_url
):
    rasa = RasaStandIn()
    clock = Clock()

    async def scenario() -> list[str]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as http:
            service = ConversationService(sessions, EngineClient("http://rasa", http), KEY, clock=clock)
            with refused(database_url, "cases"):
                first = await service.handle("webchat", web_sender("golok"), Inbound(kind="text", text=DANGER))
            worker = InboxWorker(service)
            assert await worker.run_once() == 0  # not yet: it waits its retry time
            clock.advance(5)
            assert await worker.run_once() == 1
            return [reply.text for reply in first]

    first = asyncio.run(scenario())
    assert len(first) == 2 and "112" in first[0] and "Mohon tunggu sebentar" in first[1]  # the numbers now
    with unit_of_work(sessions) as session:
        inbound = session.query(Message).filter_by(direction="in").one()
        replies = [m.text for m in session.query(Message).filter_by(in_reply_to_id=inbound.id).order_by(Message.id)]
        assert inbound.status == MessageStatus.ANSWERED and inbound.attempts == 2
        [case] = session.query(Case).all()
        assert case.is_emergency and case.description == DANGER
        conversation_id = session.query(Conversation).one().id
        assert case.conversation_id == conversation_id
    assert sum("112" in (t or "") for t in replies) == 1  # the numbers once
    assert sum("tercatat dengan nomor" in (t or "") for t in replies) == 1
    assert counts(sessions) == (1, ["emergency"], 0)
    assert [m.get(TURN_DONE) for m in rasa.sent] == [None, [HOTLINES]]
    assert [e["event"] for e in rasa.events].count("rewind") == 1  # the refused turn was undone, once


# -- a late Ya ------------------------------------------------------------------------------


def test_a_late_ya_makes_the_possible_emergency_the_emergency_case_not_a_second_one(context, sessions):
    sender, _, _ = conversation(sessions)
    clock = Clock()
    run_action(tracker(sender, "aku takut banget sama dia", triage=CHECK, metadata={"message_id": 1}))
    with unit_of_work(sessions) as session:
        session.query(EmergencyCheck).update({"asked_at": clock.now})
    clock.advance(400)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(emergency_check_s=300))
    assert alerts.open_unanswered_checks() == 1  # a possible emergency for the officers
    asked = {"emergency_check": "then_end", "description": "aku takut banget sama dia", "category": "violence"}
    ya = tracker(sender, "ya", intent="affirm", triage={"route": "other"}, metadata={"message_id": 2},
                 slots=asked, in_form=True)
    for _ in range(2):  # a turn Rasa runs twice changes nothing the second time
        dispatcher = CollectingDispatcher()
        result = asyncio.run(ValidateReportForm().validate_danger_now("ya", dispatcher, ya, DOMAIN))
    with unit_of_work(sessions) as session:
        [case] = session.query(Case).all()
        assert case.is_emergency and case.urgency == "emergency" and result["emergency_ticket"] == case.ticket
        kinds = [e.kind for e in session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.id)]
        assert "possible_emergency" in kinds and kinds.count("emergency_confirmed") == 1
        alerts_of_case = {a.reason: a.resolved_at for a in session.query(CaseAlert).filter_by(case_id=case.id)}
    assert set(alerts_of_case) == {"possible_emergency", "emergency"}
    assert alerts_of_case["possible_emergency"] is not None and alerts_of_case["emergency"] is None  # the loud one stays
    assert "tercatat dengan nomor" in said(dispatcher)[1]
