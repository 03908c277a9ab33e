"""Whatever arrives at the web chat or a webhook gets an answer below 500, and a refused
request stores nothing (hypothesis generates the input; the real app and an SQLite database)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bot.gateway.app import create_app
from wiring.settings import Settings
from messaging.models import Message
from referral.storage import make_engine, unit_of_work, upgrade
from tests.fakes.servers import FakeBotApi, serve
from tests.helpers import free_port

APP_SECRET, BOT_TOKEN = "app-secret", "4242:fuzz-token"
EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
header_text = st.text(max_size=80)  # any characters, non-ASCII included


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{tmp / 'helpline.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    bot_api = FakeBotApi(BOT_TOKEN)
    dead = free_port()  # Rasa is down: every stored message waits, which is fine here
    with serve(bot_api.app) as bot_url:
        settings_ = Settings.from_env({
            "HELPLINE_DATA_DIR": str(tmp), "DATABASE_URL": url,
            "RASA_URL": f"http://127.0.0.1:{dead}", "ACTION_SERVER_URL": f"http://127.0.0.1:{dead}",
            "HELPLINE_INBOX_INTERVAL": "0", "HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE": "1000000",
            "HELPLINE_WEBCHAT_NEW_PER_ADDRESS_PER_HOUR": "1000000", "HELPLINE_WEBCHAT_PER_MINUTE": "1000000",
            "WHATSAPP_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "1", "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "verify-token", "WHATSAPP_API_BASE": f"http://127.0.0.1:{dead}",
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_BASE": bot_url,
            "TELEGRAM_WEBHOOK_URL": "https://helpline.example/webhooks/telegram",
        })
        with TestClient(create_app(settings_), client=("127.0.0.1", 50000)) as test_client:
            yield test_client


def message_count(client) -> int:
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        return session.query(Message).count()


def check(client, response, before: int) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert message_count(client) == before  # refused: nothing stored


@EXAMPLES
@given(body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())))
def test_web_chat_post_any_body(client, body):
    before = message_count(client)
    check(client, client.post("/webchat/messages", content=body), before)


@EXAMPLES
@given(
    sender=st.one_of(st.uuids().map(str), st.text(max_size=120)),
    text=st.one_of(st.text(max_size=200), json_values),
    message_id=st.one_of(st.none(), st.text(max_size=150), json_values),
)
def test_web_chat_post_any_fields(client, sender, text, message_id):
    before = message_count(client)
    body = {"sender_id": sender, "text": text}
    if message_id is not None:
        body["message_id"] = message_id
    check(client, client.post("/webchat/messages", content=json.dumps(body).encode()), before)


@EXAMPLES
@given(sender=st.one_of(st.uuids().map(str), st.text(max_size=60)), after=st.text(max_size=40))
def test_web_chat_get_any_query(client, sender, after):
    response = client.get("/webchat/messages", params={"sender_id": sender, "after": after})
    assert response.status_code < 500, response.text


def whatsapp_payload(entries):
    return {"object": "whatsapp_business_account", "entry": entries}


@EXAMPLES
@given(
    payload=st.one_of(json_values, json_values.map(whatsapp_payload), st.lists(json_values, max_size=3).map(whatsapp_payload)),
    signed=st.booleans(),
    signature=header_text,
)
def test_whatsapp_webhook_any_payload(client, payload, signed, signature):
    body = json.dumps(payload).encode()
    header = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest() if signed else signature
    before = message_count(client)
    response = client.post("/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": header.encode("utf-8")})
    check(client, response, before)


@EXAMPLES
@given(token=header_text, challenge=st.text(max_size=20), mode=st.text(max_size=10))
def test_whatsapp_handshake_any_token(client, token, challenge, mode):
    response = client.get("/webhooks/whatsapp", params={"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge})
    assert response.status_code in (200, 403)


@EXAMPLES
@given(update=json_values, secret=st.one_of(st.none(), header_text))
def test_telegram_webhook_any_update(client, update, secret):
    headers = {}
    expected = client.app_state["gateway"].telegram.secret_token
    headers["X-Telegram-Bot-Api-Secret-Token"] = (expected if secret is None else secret).encode("utf-8")
    before = message_count(client)
    response = client.post("/webhooks/telegram", content=json.dumps(update).encode(), headers=headers)
    check(client, response, before)


@EXAMPLES
@given(text=st.text(max_size=50), edited=st.booleans())
def test_telegram_texts_of_any_shape(client, text, edited):
    """Whitespace-only texts, commands, anything: stored or ignored, never a crash."""
    from tests.fakes.servers import telegram_message

    key = "edited_message" if edited else "message"
    message = telegram_message(777, 1, text=text) | ({"edit_date": 1} if edited else {})
    before = message_count(client)
    response = client.post(
        "/webhooks/telegram",
        content=json.dumps({"update_id": 1, key: message}).encode(),
        headers={"X-Telegram-Bot-Api-Secret-Token": client.app_state["gateway"].telegram.secret_token},
    )
    check(client, response, before)
