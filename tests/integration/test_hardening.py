"""Regression tests for the defects the hardening review found (issue 15), with the real
gateway and database, and fake remote services that speak the real wire protocols: a
slow or stuck Rasa, a Graph API that accepts and then hangs, a Bot API that refuses an
old button press's answer.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.testclient import TestClient

from bot.gateway.conversation import RECHECK_AFTER_TIMEOUT_SECONDS
from bot.gateway.app import create_app
from wiring.settings import Settings
from messaging.models import Conversation, Message, Reporter
from referral.models import Officer, utcnow
from referral.storage import unit_of_work
from tests.fakes.servers import FakeBotApi, FakeGraphApi, FakeRasa, serve, telegram_message, telegram_user
from tests.helpers import Clock, free_port, wait_until, web_sender

ENGINE_TOKEN = "engine-token-for-tests-0123456789"


@pytest.fixture
def rasa():
    fake = FakeRasa(ENGINE_TOKEN)
    with serve(fake.app) as url:
        fake.url = url
        yield fake


def settings_for(database_url, tmp_path, rasa_url: str, **extra) -> Settings:
    return Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url,
        "RASA_URL": rasa_url, "ACTION_SERVER_URL": rasa_url, "HELPLINE_ENGINE_TOKEN": ENGINE_TOKEN,
        "HELPLINE_INBOX_INTERVAL": "0",
        "HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE": "10000",  # these tests poll often; the limit has its own tests
        **extra,
    })


def client_for(settings: Settings, address: str = "127.0.0.1", clock=None) -> TestClient:
    app = create_app(settings, clock) if clock else create_app(settings)
    return TestClient(app, client=(address, 50000))


def fetch(client, sender: str) -> list[str]:
    replies = client.get("/webchat/messages", params={"sender_id": sender, "after": 0}).json()["replies"]
    return [r["text"] or "" for r in replies]


# -- 6: a reporter's text is text; web chat ids and per-address limits ------------------------


def test_intent_syntax_typed_by_a_reporter_reaches_rasa_as_plain_text(database_url, tmp_path, rasa):
    with client_for(settings_for(database_url, tmp_path, rasa.url)) as client:
        sender = web_sender("typed-intent")
        client.post("/webchat/messages", json={"sender_id": sender, "text": '/emergency{"victim": "anak"}'})
        client.post("/webchat/messages", json={"sender_id": sender, "text": "  //request_human"})
        assert [text for _, text in rasa.runs] == ['emergency{"victim": "anak"}', "request_human"]


def test_a_payload_the_bot_offered_as_a_button_passes_through(database_url, tmp_path, rasa):
    with client_for(settings_for(database_url, tmp_path, rasa.url)) as client:
        sender = web_sender("button")
        client.post("/webchat/messages", json={"sender_id": sender, "text": "halo"})
        payload = '/provide_location{"location": "Depok, Sleman"}'
        with unit_of_work(client.app_state["gateway"].sessions) as session:  # the bot asked "which one?" with buttons
            reply = session.scalars(select(Message).where(Message.direction == "out")).one()
            reply.payload = {"buttons": [{"title": "Depok, Sleman", "payload": payload}]}
        client.post("/webchat/messages", json={"sender_id": sender, "text": payload})
        # the same payload from another conversation, which was never offered it, is text
        client.post("/webchat/messages", json={"sender_id": web_sender("other"), "text": payload})
        assert [text for _, text in rasa.runs][1:] == [payload, 'provide_location{"location": "Depok, Sleman"}']


def test_rotating_sender_ids_from_one_address_are_limited(database_url, tmp_path, rasa):
    # the request limit raised, to see the limit on new conversations alone
    settings = settings_for(database_url, tmp_path, rasa.url, HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE="1000")
    with client_for(settings, address="198.51.100.20") as client:
        answers = [
            client.post("/webchat/messages", json={"sender_id": web_sender(f"rotating-{i}"), "text": "halo"})
            for i in range(200)
        ]
        codes = [a.status_code for a in answers]
        assert codes[:10] == [200] * 10  # HELPLINE_WEBCHAT_NEW_PER_ADDRESS_PER_HOUR, default 10
        assert set(codes[10:]) == {429}
        assert {a.json()["error"]["code"] for a in answers[10:]} == {"too_many_conversations"}
        assert "112" in answers[10].json()["error"]["message"]  # still told where to get help now
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            assert session.query(Conversation).count() == 10  # nothing stored for the refused ones
        # an existing conversation goes on
        assert client.post("/webchat/messages", json={"sender_id": web_sender("rotating-0"), "text": "lagi"}).status_code == 200


def test_requests_per_address_are_limited_for_post_and_get(database_url, tmp_path, rasa):
    settings = settings_for(database_url, tmp_path, rasa.url, HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE="5")
    with client_for(settings, address="198.51.100.21") as client:
        sender = web_sender("polling")
        codes = [client.get("/webchat/messages", params={"sender_id": sender}).status_code for _ in range(5)]
        assert codes == [200] * 5
        assert client.get("/webchat/messages", params={"sender_id": sender}).status_code == 429
        assert client.post("/webchat/messages", json={"sender_id": sender, "text": "halo"}).status_code == 429


# -- 7: a slow Rasa answer is waited for, not lost and not processed twice ------------------------


def test_a_slow_rasa_answer_is_delivered_once_and_the_message_processed_once(database_url, tmp_path, rasa):
    # Rasa takes longer than the old 15-second client timeout (a slow action, say).
    settings = settings_for(
        database_url, tmp_path, rasa.url,
        HELPLINE_WEBCHAT_WAIT_SECONDS="1", HELPLINE_ACK_AFTER_SECONDS="2", HELPLINE_INBOX_INTERVAL="1",
    )
    with client_for(settings) as client:
        sender = web_sender("slow")
        engine_sender = None
        rasa.default_delay = 17
        started = time.monotonic()
        first = client.post("/webchat/messages", json={"sender_id": sender, "text": "anak saya dipukul guru"})
        assert first.status_code == 200 and first.json() == {"replies": []}  # stored; the page shows "✓ tersimpan"
        assert time.monotonic() - started < 5
        wait_until(lambda: any("petugas kami akan menindaklanjuti" in t for t in fetch(client, sender)), 10, "the acknowledgement")
        texts = wait_until(lambda: [t for t in fetch(client, sender) if "MPKS-2026-" in t], 40, "the ticket reply")
        time.sleep(3)  # more worker passes
        assert len(rasa.runs) == 1  # one Rasa run for the message
        assert [t for t in fetch(client, sender) if "MPKS-2026-" in t] == texts  # delivered once
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            [inbound] = session.scalars(select(Message).where(Message.direction == "in")).all()
            engine_sender = session.get(Conversation, inbound.conversation_id).engine_sender_id
            assert (inbound.status, inbound.attempts) == ("answered", 1)
        assert rasa.runs[0][0] == engine_sender


def test_after_a_timeout_the_tracker_is_read_before_sending_again(database_url, tmp_path, rasa):
    settings = settings_for(database_url, tmp_path, rasa.url, HELPLINE_ENGINE_TIMEOUT="1", HELPLINE_WEBCHAT_WAIT_SECONDS="5")
    clock = Clock()
    with client_for(settings, clock=clock) as client:
        sender = web_sender("timeout")
        rasa.default_delay = 2  # longer than the timeout: Rasa goes on and answers into its tracker
        client.post("/webchat/messages", json={"sender_id": sender, "text": "butuh bantuan sembako"})
        wait_until(lambda: rasa.trackers, 10, "Rasa's late answer in its tracker")
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            inbound = session.scalars(select(Message).where(Message.direction == "in")).one()
            assert inbound.status == "pending" and inbound.next_attempt_at > clock() + timedelta(seconds=30)
        clock.advance(RECHECK_AFTER_TIMEOUT_SECONDS + 1)  # the recheck delay passes
        client.portal.call(client.app_state["gateway"].worker.run_once)
        assert len(rasa.runs) == 1  # not sent again: the answer was found in the tracker
        assert any("MPKS-2026-00001" in t for t in fetch(client, sender))


def test_a_holder_whose_lease_was_taken_over_does_not_answer(sessions):
    from bot.gateway.conversation import ConversationService
    from messaging.statuses import claim_inbound
    from messaging.store import Inbound, get_or_create_conversation, record_inbound

    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key="k" * 32, channel="webchat", address=web_sender("lease"))
        message, _ = record_inbound(session, conversation, Inbound(kind="text", text="halo"))
        message_id = message.id
    service = ConversationService(sessions, engine=None, secret_key="k" * 32)
    work = service._claim(message_id)
    with unit_of_work(sessions) as session:  # the lease ran out and another worker took the message
        stale = session.get(Message, message_id)
        stale.status, stale.locked_until = "pending", utcnow() - timedelta(seconds=1)
        assert claim_inbound(session, message_id, lease_seconds=60)
    assert service._finish(work, "answered", []) == []
    with unit_of_work(sessions) as session:
        assert session.get(Message, message_id).status == "processing"  # still the new holder's


# -- 9: one stuck conversation holds up nobody else ------------------------------------------------


def test_a_stuck_conversation_does_not_hold_up_others(database_url, tmp_path, rasa):
    bot_api = FakeBotApi("4242:stuck-test")
    with serve(bot_api.app) as bot_url:
        settings = settings_for(
            database_url, tmp_path, rasa.url,
            HELPLINE_INBOX_INTERVAL="1", HELPLINE_ACK_AFTER_SECONDS="2", HELPLINE_ALERT_AFTER_SECONDS="3",
            HELPLINE_WEBCHAT_WAIT_SECONDS="1", TELEGRAM_BOT_TOKEN="4242:stuck-test", TELEGRAM_API_BASE=bot_url,
        )
        with client_for(settings) as client:
            with unit_of_work(client.app_state["gateway"].sessions) as session:
                session.add(Officer(name="Petugas jaga", telegram_chat_id="777", role="officer"))
            stuck, waiting = web_sender("stuck"), web_sender("waiting")
            rasa.default_delay = 120  # every conversation's Rasa call hangs
            client.post("/webchat/messages", json={"sender_id": stuck, "text": "halo"})
            client.post("/webchat/messages", json={"sender_id": waiting, "text": "tolong bantu saya"})
            # and one stored by a channel, for the inbox worker to pick up while the others hang
            from messaging.store import Inbound

            client.app_state["gateway"].conversations.store("telegram", "31337", Inbound(kind="text", text="halo juga"))
            started = time.monotonic()
            wait_until(lambda: all(any("petugas kami akan menindaklanjuti" in t for t in fetch(client, s)) for s in (stuck, waiting)),
                     15, "both acknowledgements")
            wait_until(lambda: any(s["chat_id"] == 777 for s in bot_api.sent), 15, "the officer alert")
            assert time.monotonic() - started < 15
            wait_until(lambda: len(rasa.runs) == 3, 5, "the worker to start the third conversation")


# -- 8: one place retries sends; an ambiguous send is not repeated --------------------------------


@pytest.fixture
def graph():
    fake = FakeGraphApi("1065403522", "graph-token")
    with serve(fake.app) as url:
        fake.url = url
        yield fake


def whatsapp_client(database_url, tmp_path, rasa, graph) -> TestClient:
    settings = settings_for(
        database_url, tmp_path, rasa.url,
        WHATSAPP_TOKEN="graph-token", WHATSAPP_PHONE_NUMBER_ID="1065403522", WHATSAPP_APP_SECRET="app-secret",
        WHATSAPP_API_BASE=graph.url,
    )
    return client_for(settings)


def queue_reply(client, address: str = "6281234567890") -> int:
    from messaging.store import get_or_create_conversation, record_outbound

    with unit_of_work(client.app_state["gateway"].sessions) as session:
        conversation = get_or_create_conversation(
            session, secret_key=client.app_state["gateway"].conversations.secret_key, channel="whatsapp", address=address
        )
        conversation.last_inbound_at = utcnow()
        return record_outbound(session, conversation, text="Laporan Anda tercatat.", status="queued").id


def reply_state(client, message_id: int) -> tuple[str, int]:
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        message = session.get(Message, message_id)
        return message.status, message.attempts


def test_a_send_that_timed_out_after_meta_accepted_it_is_not_repeated(database_url, tmp_path, rasa, graph, monkeypatch):
    import bot.channels.whatsapp as whatsapp

    monkeypatch.setattr(whatsapp.WhatsAppClient.send, "__kwdefaults__", {"timeout_s": 0.5})  # a shorter timeout
    with whatsapp_client(database_url, tmp_path, rasa, graph) as client:
        message_id = queue_reply(client)
        graph.accept_then_hang_s = 2
        client.portal.call(client.app_state["gateway"].outbox.flush)
        assert graph.calls == 1 and len(graph.sent) == 1  # Meta has it
        assert reply_state(client, message_id) == ("unknown", 1)  # surfaced to officers
        for _ in range(3):
            client.portal.call(client.app_state["gateway"].outbox.flush)
        assert graph.calls == 1  # never sent blindly again
        token = client.app_state["gateway"].settings.resolved_console_token()
        attention = client.get("/console/api/health", headers={"Authorization": f"Bearer {token}"}).json()["attention"]
        assert attention["unknown_replies"] == 1


def test_a_refused_send_is_not_retried(database_url, tmp_path, rasa, graph):
    with whatsapp_client(database_url, tmp_path, rasa, graph) as client:
        message_id = queue_reply(client)
        graph.fail_next = [400]
        client.portal.call(client.app_state["gateway"].outbox.flush)
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            session.get(Message, message_id).next_attempt_at = utcnow()
        client.portal.call(client.app_state["gateway"].outbox.flush)
        assert graph.calls == 1 and graph.sent == []
        assert reply_state(client, message_id) == ("failed", 1)


# -- 10: a button press is stored even when Telegram refuses to acknowledge it ---------------------


def test_an_old_button_press_is_stored_although_telegram_refuses_its_answer(database_url, tmp_path, rasa):
    bot_api = FakeBotApi("4242:button-test")
    with serve(bot_api.app) as bot_url:
        settings = settings_for(database_url, tmp_path, rasa.url, TELEGRAM_BOT_TOKEN="4242:button-test", TELEGRAM_API_BASE=bot_url)
        with client_for(settings) as client:
            bot_api.push({"message": telegram_message(556, 1, text="halo")})
            wait_until(lambda: len(bot_api.sent) == 1, what="the first reply")
            with unit_of_work(client.app_state["gateway"].sessions) as session:
                reply = session.scalars(select(Message).where(Message.direction == "out")).one()
                reply.payload = {"buttons": [{"title": "Ya", "payload": "/affirm"}]}
                reply_id = reply.id
            bot_api.refuse_callback_answers = True  # the press is from before a restart: too old to answer
            bot_api.push({"callback_query": {
                "id": "cb-old", "from": telegram_user(556), "chat_instance": "x", "data": f"b{reply_id}:0",
                "message": telegram_message(556, 1001, text="Benar?") | {"from": bot_api.bot_user},
            }})
            wait_until(lambda: len(rasa.runs) == 2, what="the press to reach Rasa")
            assert rasa.runs[1][1] == "/affirm"  # the payload the bot itself offered


# -- 12: provider ids cannot collide across conversations -------------------------------------------


def test_message_ids_that_look_alike_in_two_conversations_are_both_stored(database_url, tmp_path, rasa):
    with client_for(settings_for(database_url, tmp_path, rasa.url)) as client:
        first, second = web_sender("collide-a"), web_sender("collide-b")
        client.post("/webchat/messages", json={"sender_id": first, "text": "satu", "message_id": "m:1"})
        client.post("/webchat/messages", json={"sender_id": second, "text": "dua", "message_id": "m:1"})
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            texts = session.scalars(select(Message.text).where(Message.direction == "in").order_by(Message.id)).all()
        assert texts == ["satu", "dua"]
        assert len(rasa.runs) == 2


# -- 5: database errors carry no personal data ------------------------------------------------------


def test_a_database_error_names_no_parameter_values(sessions, caplog):
    phone, words = "+6281299990000", "suami saya memukul saya tadi malam"
    with pytest.raises(DBAPIError) as raised:
        with unit_of_work(sessions) as session:
            session.add(Reporter(channel="whatsapp", pseudonym=phone + "x" * 80, language=words))  # too long for PostgreSQL
            session.add(Reporter(channel="whatsapp", pseudonym=phone + "x" * 80, language=words))  # a duplicate on SQLite
            session.flush()
    logging.getLogger("test").error("database write failed: %s", raised.value)
    assert phone not in str(raised.value) and words not in str(raised.value)
    assert phone not in caplog.text and words not in caplog.text
    assert "hidden due to hide_parameters" in str(raised.value)
