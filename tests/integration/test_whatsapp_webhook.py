"""The WhatsApp webhook and outbox, with the real database and a fake Graph API on 127.0.0.1.

Rasa is not running here, so every message takes the "stored, we will follow up" path;
the full conversation through Rasa is in tests/e2e.
"""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from bot.gateway.app import create_app
from wiring.settings import Settings
from messaging.models import Conversation, Message
from referral.models import utcnow
from referral.storage import unit_of_work
from tests.fakes.servers import FakeGraphApi, serve
from tests.helpers import Clock, free_port

SECRET, TOKEN, PHONE_ID, VERIFY = "app-secret", "graph-token", "1065403522", "verify-me"


@pytest.fixture
def graph():
    fake = FakeGraphApi(PHONE_ID, TOKEN)
    with serve(fake.app) as url:
        fake.url = url
        yield fake


@pytest.fixture
def client(database_url, tmp_path, graph):
    dead = free_port()
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url,
        "RASA_URL": f"http://127.0.0.1:{dead}", "ACTION_SERVER_URL": f"http://127.0.0.1:{dead}",
        "HELPLINE_INBOX_INTERVAL": "0", "HELPLINE_ACK_AFTER_SECONDS": "0",  # Rasa is down: acknowledged at once
        "WHATSAPP_TOKEN": TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID, "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY, "WHATSAPP_API_BASE": graph.url,
    })
    clock = Clock()
    with TestClient(create_app(settings, clock), client=("127.0.0.1", 50000)) as test_client:
        test_client.clock = clock  # the gateway's time: a test moves it instead of waiting
        yield test_client


def webhook(messages=None, statuses=None) -> bytes:
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550000000", "phone_number_id": PHONE_ID}}
    if messages:
        value["contacts"] = [{"profile": {"name": "Pelapor"}, "wa_id": "6281234567890"}]
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}).encode()


def text_message(wamid: str, body: str) -> dict:
    return {"from": "6281234567890", "id": wamid, "timestamp": "1749416383", "type": "text", "text": {"body": body}}


def post(client, body: bytes, secret: str = SECRET):
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post("/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"})


def inbound(client) -> list[Message]:
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        return list(session.query(Message).filter(Message.direction == "in").order_by(Message.id))


def test_handshake(client):
    ok = client.get("/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "424242"})
    assert (ok.status_code, ok.text) == (200, "424242")
    bad = client.get("/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert bad.status_code == 403


def test_signed_message_is_stored_acknowledged_and_answered_through_the_outbox(client, graph):
    response = post(client, webhook([text_message("wamid.A1", "anak saya dibully di sekolah")]))
    assert response.status_code == 200
    [message] = inbound(client)
    assert (message.text, message.provider_message_id, message.status) == ("anak saya dibully di sekolah", "wamid.A1", "pending")
    [sent] = graph.sent  # Rasa is down: the reporter is told the message is safe
    assert sent["to"] == "6281234567890" and "sudah kami terima" in sent["text"]["body"]
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        [reply] = session.query(Message).filter(Message.direction == "out").all()
        assert (reply.status, reply.provider_message_id) == ("sent", "wamid.fake.1")
        conversation = session.get(Conversation, message.conversation_id)
        assert "6281234567890" not in conversation.engine_sender_id


def test_forged_or_unsigned_posts_are_refused_and_store_nothing(client, graph):
    body = webhook([text_message("wamid.F1", "halo")])
    assert post(client, body, secret="wrong").status_code == 401
    assert client.post("/webhooks/whatsapp", content=body).status_code == 401
    assert inbound(client) == [] and graph.sent == []


def test_a_redelivered_message_is_handled_once(client, graph):
    body = webhook([text_message("wamid.R1", "halo")])
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    assert len(inbound(client)) == 1
    assert len(graph.sent) == 1


def test_malformed_payloads_get_a_4xx_not_a_500(client):
    assert post(client, b"{not json").status_code == 400
    assert post(client, json.dumps({"object": "page"}).encode()).status_code == 400
    too_big = b"x" * (1024 * 1024 + 1)
    assert post(client, too_big).status_code == 413


def test_delivery_statuses_are_recorded_and_never_answered(client, graph):
    post(client, webhook([text_message("wamid.S1", "halo")]))
    assert post(client, webhook(statuses=[{"id": "wamid.fake.1", "status": "delivered", "timestamp": "1"}])).status_code == 200
    assert post(client, webhook(statuses=[{"id": "wamid.fake.1", "status": "read", "timestamp": "2"}])).status_code == 200
    assert post(client, webhook(statuses=[{"id": "wamid.fake.1", "status": "delivered", "timestamp": "3"}])).status_code == 200
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        [reply] = session.query(Message).filter(Message.direction == "out").all()
        assert reply.status == "read"  # a late "delivered" does not undo "read"
    assert len(graph.sent) == 1


def test_a_busy_provider_is_retried_by_the_outbox_only(client, graph):
    graph.fail_next = [429, 503]
    post(client, webhook([text_message("wamid.B1", "halo")]))
    assert graph.sent == [] and graph.calls == 1  # one POST per outbox attempt, no hidden retries
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        reply = session.query(Message).filter(Message.direction == "out").one()
        assert (reply.status, reply.attempts) == ("queued", 1) and reply.next_attempt_at > client.clock()
    client.portal.call(client.app_state["gateway"].outbox.flush)
    assert graph.calls == 1  # not due yet: the backoff is respected
    for _ in range(2):
        client.clock.advance(600)  # the backoff has passed
        client.portal.call(client.app_state["gateway"].outbox.flush)
    assert len(graph.sent) == 1 and graph.calls == 3  # sent on the third try


def test_outside_the_24_hour_window_only_a_template_is_sent(client, graph):
    post(client, webhook([text_message("wamid.W1", "halo")]))
    with unit_of_work(client.app_state["gateway"].sessions) as session:  # a day later, the reply is still queued
        session.query(Conversation).one().last_inbound_at = utcnow() - timedelta(hours=25)
        session.query(Message).filter(Message.direction == "out").one().status = "queued"
    client.portal.call(client.app_state["gateway"].outbox.flush)
    assert graph.sent[-1]["type"] == "template"
    assert graph.sent[-1]["template"]["name"] == "helpline_follow_up"


def test_a_flooding_sender_is_kept_and_slowed_down_not_dropped(client, graph):
    for i in range(22):
        assert post(client, webhook([text_message(f"wamid.flood.{i}", f"pesan {i}")])).status_code == 200
    messages = inbound(client)
    assert len(messages) == 22  # every delivery stored
    notices = [s for s in graph.sent if "banyak sekali" in s.get("text", {}).get("body", "")]
    assert len(notices) == 1  # told once
