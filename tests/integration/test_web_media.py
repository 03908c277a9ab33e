"""A reporter's photo reaches the officer on the web desk: fetched from Telegram (the fake
Bot API: getFile, then the file URL) or WhatsApp (the fake Graph API: the media's URL, then
its bytes), for a signed-in officer whose remit covers the conversation, audited."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.gateway.app import create_app
from messaging.models import Message
from messaging.store import get_or_create_conversation
from referral import logins
from referral.cases import NewCase, open_case
from referral.officers import add_officer
from referral.storage import unit_of_work
from tests.fakes.servers import FakeBotApi, FakeGraphApi, serve
from tests.helpers import free_port
from tests.integration.test_web_console import PASSWORD, signed_in
from wiring.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TOKEN = "123456:TEST-token"


@pytest.fixture
def fakes():
    bot_api, graph = FakeBotApi(TOKEN), FakeGraphApi("1065403522", "graph-token")
    with serve(bot_api.app) as bot_url, serve(graph.app) as graph_url:
        bot_api.url, graph.url = bot_url, graph_url
        yield bot_api, graph


@pytest.fixture
def client(database_url, tmp_path, fakes):
    bot_api, graph = fakes
    dead = free_port()
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "HELPLINE_INBOX_INTERVAL": "0",
        "RASA_URL": f"http://127.0.0.1:{dead}", "ACTION_SERVER_URL": f"http://127.0.0.1:{dead}",
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": bot_api.url,
        "WHATSAPP_TOKEN": "graph-token", "WHATSAPP_PHONE_NUMBER_ID": "1065403522", "WHATSAPP_APP_SECRET": "app-secret",
        "WHATSAPP_API_BASE": graph.url,
    })
    with TestClient(create_app(settings), client=("127.0.0.1", 50002)) as test_client:
        yield test_client


def media_message(client, channel: str, address: str, payload: dict, region: str = "34") -> tuple[str, int]:
    gateway = client.app_state["gateway"]
    with unit_of_work(gateway.sessions) as session:
        conversation = get_or_create_conversation(session, secret_key=gateway.conversations.secret_key, channel=channel, address=address)
        case = open_case(session, NewCase(category="violence", is_emergency=False, conversation_id=conversation.id,
                                          description="foto luka"), actor="bot")
        case.province_code = region
        message = Message(conversation_id=conversation.id, direction="in", channel=channel, kind="media", payload=payload,
                          text="ini fotonya", status="answered")
        session.add(message)
        session.flush()
        return case.ticket, message.id


def login(client, username: str, regions) -> None:
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        officer = add_officer(session, f"{username.title()} Petugas", "officer", regions, username=username)
        logins.set_password(session, officer, PASSWORD)
    signed_in(client, username)


def test_a_telegram_photo_and_a_whatsapp_image_open_for_the_officer_only(client, fakes):
    bot_api, graph = fakes
    bot_api.files["tg-photo-1"] = PNG
    graph.media["wa-media-1"] = (PNG, "image/png")
    telegram_ticket, telegram_photo = media_message(client, "telegram", "5551", {"type": "photo", "file_id": "tg-photo-1"})
    _, whatsapp_image = media_message(client, "whatsapp", "6281234500001", {"type": "image", "media_id": "wa-media-1", "mime_type": "image/png"})
    _, far_away = media_message(client, "whatsapp", "6281234500002", {"type": "image", "media_id": "wa-media-1"}, region="35")
    assert client.get(f"/console/media/{telegram_photo}", follow_redirects=False).status_code == 303  # not signed in
    login(client, "rina", ["34"])
    page = client.get(f"/console/cases/{telegram_ticket}").text
    assert f'href="/console/media/{telegram_photo}"' in page
    photo = client.get(f"/console/media/{telegram_photo}")
    assert photo.status_code == 200 and photo.content == PNG and photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["cache-control"] == "no-store" and photo.headers["x-content-type-options"] == "nosniff"
    image = client.get(f"/console/media/{whatsapp_image}")
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    assert client.get(f"/console/media/{far_away}").status_code == 404  # another region's reporter
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        from referral import audit
        assert [e.action for e in audit.list_events(session)].count("view_media") == 2


def test_a_file_the_channel_no_longer_has_is_said_plainly(client, fakes):
    _, gone = media_message(client, "telegram", "5552", {"type": "document", "file_id": "sudah-dihapus"})
    login(client, "rina", ["34"])
    answer = client.get(f"/console/media/{gone}")
    assert answer.status_code == 502 and "tidak bisa diambil" in answer.text
