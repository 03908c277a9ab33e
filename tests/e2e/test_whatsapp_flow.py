"""A WhatsApp report end to end: signed webhook → gateway → Rasa → actions → outbox → (fake) Graph API."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

import httpx
import pytest
from sqlalchemy import select

from messaging.models import Message
from referral.models import Case
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.e2e.conftest import WHATSAPP

pytestmark = pytest.mark.e2e
PHONE = "6281298765432"


def deliver(stack, wamid: str, message: dict, phone: str = PHONE) -> httpx.Response:
    body = json.dumps({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": WHATSAPP["phone_number_id"]},
            "contacts": [{"profile": {"name": "Pelapor"}, "wa_id": phone}],
            "messages": [{"from": phone, "id": wamid, "timestamp": str(int(time.time())), **message}],
        }}]}],
    }).encode()
    signature = "sha256=" + hmac.new(WHATSAPP["app_secret"].encode(), body, hashlib.sha256).hexdigest()
    return httpx.post(f"{stack.base_url}/webhooks/whatsapp", content=body,
                      headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"}, timeout=10)


def sent_to_reporter(graph_api) -> list[dict]:
    """What this module's reporter received (the stack is shared with other modules' senders)."""
    return [s for s in graph_api.sent if s.get("to") == PHONE]


def wait_for_sent(graph_api, count: int, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(sent_to_reporter(graph_api)) >= count:
            return sent_to_reporter(graph_api)
        time.sleep(0.2)
    raise AssertionError(f"expected {count} messages sent to WhatsApp, got {sent_to_reporter(graph_api)}")


def body_text(sent: dict) -> str:
    if sent["type"] == "text":
        return sent["text"]["body"]
    return sent["interactive"]["body"]["text"]


def test_whatsapp_report_with_a_shared_location(postgres_stack, graph_api):
    started = time.monotonic()
    response = deliver(postgres_stack, "wamid.e2e.1", {"type": "text", "text": {"body": "anak saya dibully kakak kelasnya"}})
    assert response.status_code == 200
    assert time.monotonic() - started < 1.0  # acknowledged within a second; the work happens after
    first = wait_for_sent(graph_api, 2)
    assert all(s["to"] == PHONE for s in first)
    asked = body_text(first[-1])
    assert "masih berlangsung" in asked.lower() and "• Sudah aman" in asked  # too many buttons: listed to type

    # a shared location answers "where" at any question (said in one line, then the question
    # again); then the answers typed, the summary by button
    assert deliver(postgres_stack, "wamid.e2e.2", {"type": "location", "location": {"latitude": -7.7829, "longitude": 110.3671}}).status_code == 200
    taken = wait_for_sent(graph_api, 4)
    assert "lokasi yang Anda bagikan sudah kami catat" in body_text(taken[2]) and "masih berlangsung" in body_text(taken[3]).lower()
    deliver(postgres_stack, "wamid.e2e.3", {"type": "text", "text": {"body": "Sudah aman"}})
    wait_for_sent(graph_api, 5)
    deliver(postgres_stack, "wamid.e2e.4", {"type": "text", "text": {"body": "Lewat percakapan ini"}})
    summary = wait_for_sent(graph_api, 6)[-1]
    assert summary["type"] == "interactive" and [b["reply"]["id"] for b in summary["interactive"]["action"]["buttons"]] == ["benar", "ubah"]
    pressed = {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "benar", "title": "Benar"}}}
    assert deliver(postgres_stack, "wamid.e2e.5", pressed).status_code == 200
    sent = wait_for_sent(graph_api, 7)
    ticket = re.search(r"MPKS-\d{4}-\d{5,}", body_text(sent[-1])).group(0)

    # the same delivery again (Meta retries): nothing new is sent
    assert deliver(postgres_stack, "wamid.e2e.5", pressed).status_code == 200
    time.sleep(2)
    assert len(sent_to_reporter(graph_api)) == 7

    engine = make_engine(postgres_stack.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert (case.category, case.status, case.victim, case.contact_preference) == ("bullying", "referred", "anak", "chat")
        replies = session.scalars(select(Message).where(
            Message.conversation_id == case.conversation_id, Message.direction == "out")).all()
        assert len(replies) == 7
        assert all(r.status == "sent" and r.provider_message_id.startswith("wamid.fake.") for r in replies)
    engine.dispose()
