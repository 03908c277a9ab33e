"""Telegram through the real python-telegram-bot client, against a fake Bot API on 127.0.0.1.

Polling mode (the default) and webhook mode; Rasa is not running here, so texts take the
"stored, we will follow up" path (the full conversation through Rasa is in tests/e2e).
"""

import time

import pytest
from starlette.testclient import TestClient

from bot.gateway.app import create_app
from wiring.settings import Settings
from messaging.models import Message
from referral.storage import unit_of_work
from tests.fakes.servers import FakeBotApi, serve, telegram_message, telegram_user
from tests.helpers import Clock, web_sender, free_port

TOKEN = "123456:TEST-token"


@pytest.fixture
def bot_api():
    fake = FakeBotApi(TOKEN)
    with serve(fake.app) as url:
        fake.url = url
        yield fake


def make_client(database_url, tmp_path, bot_api, clock=None, **extra):
    dead = free_port()
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url,
        "RASA_URL": f"http://127.0.0.1:{dead}", "ACTION_SERVER_URL": f"http://127.0.0.1:{dead}",
        "HELPLINE_INBOX_INTERVAL": "1", "HELPLINE_ACK_AFTER_SECONDS": "0",  # Rasa is down: acknowledged at once
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": bot_api.url, **extra,
    })
    app = create_app(settings, clock) if clock else create_app(settings)
    return TestClient(app, client=("127.0.0.1", 50000))


def wait_for(check, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def stored(client) -> list[Message]:
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        return list(session.query(Message).order_by(Message.id))


def test_polling_text_location_photo_and_group(database_url, tmp_path, bot_api):
    with make_client(database_url, tmp_path, bot_api) as client:
        bot_api.push({"message": telegram_message(555, 1, text="/start")})
        wait_for(lambda: len(bot_api.sent) == 1)
        assert "selamat datang" in bot_api.sent[0]["text"] and bot_api.sent[0]["chat_id"] == 555

        bot_api.push({"message": telegram_message(555, 2, text="anak saya dibully di sekolah")})
        wait_for(lambda: len(bot_api.sent) == 2)
        assert "sudah kami terima" in bot_api.sent[1]["text"]  # Rasa is down: stored, we follow up

        bot_api.push({"message": telegram_message(555, 3, location={"latitude": -7.78, "longitude": 110.36})})
        bot_api.push({"message": telegram_message(555, 4, photo=[
            {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": "large", "file_unique_id": "l", "width": 800, "height": 800},
        ])})
        bot_api.push({"message": telegram_message(-100777, 5, chat_type="group", text="lapor kdrt")})
        wait_for(lambda: any("pribadi" in s["text"] for s in bot_api.sent))

        inbound = [m for m in stored(client) if m.direction == "in"]
        assert [m.kind for m in inbound] == ["start", "text", "location", "media"]  # nothing from the group
        assert inbound[2].payload == {"latitude": -7.78, "longitude": 110.36}
        assert inbound[3].payload["file_id"] == "large"
        assert inbound[1].provider_message_id == "555:2"


def test_a_pressed_button_is_answered_and_turned_into_its_payload(database_url, tmp_path, bot_api):
    with make_client(database_url, tmp_path, bot_api) as client:
        bot_api.push({"message": telegram_message(556, 1, text="halo")})
        wait_for(lambda: len(bot_api.sent) == 1)
        # a reply of ours with buttons, as the dialogue sends for "which place?"
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            reply = session.query(Message).filter(Message.direction == "out").one()
            reply.payload = {"buttons": [{"title": "Depok, Sleman", "payload": '/provide_location{"location": "Depok, Sleman"}'}]}
            reply_id = reply.id
        bot_api.push({"callback_query": {
            "id": "cb-1", "from": telegram_user(556), "chat_instance": "x", "data": f"b{reply_id}:0",
            "message": telegram_message(556, 1001, text="Yang mana?") | {"from": bot_api.bot_user},
        }})
        wait_for(lambda: "cb-1" in bot_api.answered_callbacks)
        wait_for(lambda: len([m for m in stored(client) if m.direction == "in"]) == 2)
        pressed = [m for m in stored(client) if m.direction == "in"][-1]
        assert pressed.text == '/provide_location{"location": "Depok, Sleman"}'


def test_webhook_mode_needs_the_secret_header(database_url, tmp_path, bot_api):
    with make_client(database_url, tmp_path, bot_api, TELEGRAM_WEBHOOK_URL="https://helpline.example/webhooks/telegram") as client:
        assert bot_api.webhook["url"] == "https://helpline.example/webhooks/telegram"
        secret = bot_api.webhook["secret_token"]
        assert secret == client.app_state["gateway"].settings.derived_secret("telegram-webhook")
        update = {"update_id": 9, "message": telegram_message(557, 1, text="tolong bantu biaya sekolah")}
        assert client.post("/webhooks/telegram", json=update).status_code == 403
        assert client.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 403
        ok = client.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert ok.status_code == 200
        again = client.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert again.status_code == 200  # Telegram retried: stored once, answered once
        assert [m.text for m in stored(client) if m.direction == "in"] == ["tolong bantu biaya sekolah"]
        wait_for(lambda: len(bot_api.sent) == 1)
        bad = client.post("/webhooks/telegram", content=b"{oops", headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert bad.status_code == 400


def test_telegram_down_at_start_leaves_the_rest_running(database_url, tmp_path):
    dead = free_port()
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": f"http://127.0.0.1:{dead}",
        "RASA_URL": f"http://127.0.0.1:{dead}", "HELPLINE_INBOX_INTERVAL": "0",
    })
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        assert client.app_state["gateway"].telegram is None
        assert client.post("/webchat/messages", json={"sender_id": web_sender("w"), "text": "halo"}).status_code == 200


def test_flood_control_is_waited_out(database_url, tmp_path, bot_api):
    bot_api.flood_waits = 1  # Telegram says RetryAfter(1) once
    with make_client(database_url, tmp_path, bot_api):
        started = time.monotonic()
        bot_api.push({"message": telegram_message(558, 1, text="/start")})
        wait_for(lambda: len(bot_api.sent) == 1)
        assert time.monotonic() - started >= 1.0  # it waited as told, then sent once
        assert bot_api.flood_waits == 0


def test_while_rasa_is_down_the_reporter_hears_a_person_will_follow_up_once_after_the_delay(
    database_url, tmp_path, bot_api
):
    clock = Clock()
    with make_client(database_url, tmp_path, bot_api, clock=clock, HELPLINE_ACK_AFTER_SECONDS="30", HELPLINE_INBOX_INTERVAL="0") as client:
        worker = client.app_state["gateway"].worker
        bot_api.push({"message": telegram_message(560, 1, text="suami saya mukul terus")})
        wait_for(lambda: [m.attempts for m in stored(client)] == [1])  # tried once: Rasa is down
        client.portal.call(worker.run_once)
        assert bot_api.sent == []  # not before the delay
        clock.advance(31)
        client.portal.call(worker.run_once)
        assert len(bot_api.sent) == 1
        assert "petugas kami akan menindaklanjuti" in bot_api.sent[0]["text"]
        assert bot_api.sent[0]["chat_id"] == 560
        for _ in range(3):  # more worker passes and retries: still one acknowledgement
            clock.advance(120)
            client.portal.call(worker.run_once)
        assert len(bot_api.sent) == 1


def test_officers_are_alerted_once_when_a_reporter_waits_too_long(database_url, tmp_path, bot_api):
    from referral.models import Officer

    clock = Clock()
    with make_client(database_url, tmp_path, bot_api, clock=clock, HELPLINE_ALERT_AFTER_SECONDS="60", HELPLINE_INBOX_INTERVAL="0") as client:
        worker = client.app_state["gateway"].worker
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            session.add(Officer(name="Petugas jaga", telegram_chat_id="999", role="officer"))
            session.add(Officer(name="Kontak PSKM", telegram_chat_id="888", role="facility"))
        # Rasa is down: the message waits
        assert client.post("/webchat/messages", json={"sender_id": web_sender("w-1"), "text": "tolong bantu saya"}).status_code == 200
        client.portal.call(worker.run_once)
        assert not any(s["chat_id"] == 999 for s in bot_api.sent)  # not a minute yet
        clock.advance(61)
        client.portal.call(worker.run_once)
        alerts = [s for s in bot_api.sent if s["chat_id"] == 999]
        assert len(alerts) == 1 and "Pelapor menunggu jawaban terlalu lama" in alerts[0]["text"]
        assert "Ambil alih" in str(alerts[0]["reply_markup"]) and "tolong bantu" not in alerts[0]["text"]
        assert "tolong bantu saya" not in alerts[0]["text"]  # counts only, no message text
        for _ in range(3):  # more worker passes: no second alert about the same message
            clock.advance(61)
            client.portal.call(worker.run_once)
        assert len([s for s in bot_api.sent if s["chat_id"] == 999]) == 1
        assert not any(s["chat_id"] == 888 for s in bot_api.sent)  # a facility's contact is not on duty
        with unit_of_work(client.app_state["gateway"].sessions) as session:  # sent through the outbox
            [notice] = session.query(Message).filter(Message.conversation_id.is_(None)).all()
            assert (notice.address, notice.status) == ("999", "sent")
