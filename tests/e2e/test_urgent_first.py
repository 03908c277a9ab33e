"""Urgent messages first, on the real stack (issue 21, item 14): the emergency action marks
its turn (a custom reply through Rasa's REST channel), so the hotlines and what follows them
are queued as urgent, and so is the officers' alert; an ordinary answer is not. Telegram
polls the fake Bot API through the helpline's own update loop."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from messaging.models import Message
from messaging.store import ORDINARY, URGENT
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.e2e.test_alert_delivery import DANGER, link
from tests.helpers import wait_until, web_sender

pytestmark = pytest.mark.e2e
OFFICER_CHAT = 5100880101


@pytest.fixture(scope="module")
def stack(postgres_stack):
    return postgres_stack  # the session's shared stack: its Telegram polls the fake Bot API


def say(stack, sender: str, text: str) -> list[dict]:
    response = httpx.post(f"{stack.base_url}/webchat/messages", json={"sender_id": sender, "text": text}, timeout=120)
    response.raise_for_status()
    return response.json()["replies"]


def test_the_hotlines_and_the_alert_are_queued_as_urgent_and_an_ordinary_answer_is_not(stack, bot_api):
    link(stack, bot_api, OFFICER_CHAT, "Rina Koordinator", "--role", "coordinator")
    in_danger = say(stack, web_sender("urgent-1"), DANGER)
    assert "112" in in_danger[0]["text"]
    ordinary = say(stack, web_sender("urgent-2"), "assalamualaikum")
    engine = make_engine(stack.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            priorities = dict(session.execute(select(Message.id, Message.priority)).all())
            assert {priorities[r["id"]] for r in in_danger} == {URGENT}
            assert {priorities[r["id"]] for r in ordinary} == {ORDINARY}
        wait_until(lambda: any("DARURAT" in m.get("text", "") for m in bot_api.sent if int(m["chat_id"]) == OFFICER_CHAT),
                   90, "the emergency alert on the officer's Telegram")
        with unit_of_work(make_session_factory(engine)) as session:
            alerts = session.scalars(select(Message.priority).where(
                Message.address == str(OFFICER_CHAT), Message.text.like("%DARURAT%"))).all()
            assert alerts and set(alerts) == {URGENT}
    finally:
        engine.dispose()
