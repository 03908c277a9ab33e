"""The web chat's conversation id stays out of URLs: GET /webchat/messages takes it in the
X-Webchat-Sender header, and the page sends it there (checked in headless Chromium against
the real gateway); the older ?sender_id= form still answers, marked deprecated."""

from __future__ import annotations

import re

import pytest
from bot.gateway.app import create_app
from wiring.settings import Settings
from tests.fakes.servers import serve
from tests.helpers import free_port, web_sender
from tests.integration.test_digest_page import chromium
from tests.integration.test_gateway import client  # noqa: F401  (a fixture: the gateway, Rasa down)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def test_polling_reads_the_sender_id_from_the_header(client):
    sender = web_sender("header-1")
    client.post("/webchat/messages", json={"sender_id": sender, "text": "halo"})
    response = client.get("/webchat/messages", params={"after": 0}, headers={"X-Webchat-Sender": sender})
    assert response.status_code == 200 and "Deprecation" not in response.headers
    [reply] = response.json()["replies"]
    assert "sudah kami terima" in reply["text"]
    later = client.get("/webchat/messages", params={"after": reply["id"]}, headers={"X-Webchat-Sender": sender})
    assert later.json() == {"replies": []}
    other = client.get("/webchat/messages", params={"after": 0}, headers={"X-Webchat-Sender": web_sender("header-2")})
    assert other.json() == {"replies": []}  # another id, another conversation
    bad = client.get("/webchat/messages", params={"after": 0}, headers={"X-Webchat-Sender": "aaaa"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_sender_id"
    # the header wins over a query string: a link someone was sent cannot point the page elsewhere
    mixed = client.get("/webchat/messages", params={"after": 0, "sender_id": web_sender("header-2")},
                       headers={"X-Webchat-Sender": sender})
    assert [r["id"] for r in mixed.json()["replies"]] == [reply["id"]]


def test_the_query_form_still_answers_for_now_marked_deprecated(client):
    sender = web_sender("query-1")
    client.post("/webchat/messages", json={"sender_id": sender, "text": "halo"})
    response = client.get("/webchat/messages", params={"sender_id": sender, "after": 0})
    assert response.status_code == 200 and response.headers["Deprecation"] == "true"
    assert len(response.json()["replies"]) == 1


@pytest.fixture
def recorded_gateway(database_url, tmp_path):
    """The real gateway on a port, with every request it gets written down (path, query, header)."""
    dead = free_port()
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
        "RASA_URL": f"http://127.0.0.1:{dead}", "ACTION_SERVER_URL": f"http://127.0.0.1:{dead}",
        "HELPLINE_INBOX_INTERVAL": "0",
    })
    gateway = create_app(settings)
    requests: list[tuple[str, str, str | None]] = []

    async def recording(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            requests.append((scope["path"], scope["query_string"].decode(),
                             headers.get(b"x-webchat-sender", b"").decode() or None))
        await gateway(scope, receive, send)

    with serve(recording) as url:
        yield url, requests


def test_the_web_chat_page_polls_with_the_header_and_no_id_in_the_url(recorded_gateway, tmp_path):
    url, requests = recorded_gateway
    # a fresh browser profile: the page makes its own random id; virtual time lets its 5-second poll run
    dom = chromium(f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=12000", "--dump-dom", url + "/",
                   cwd=tmp_path).stdout
    assert "<html" in dom
    polls = [(query, header) for path, query, header in requests if path == "/webchat/messages"]
    assert len(polls) >= 2  # the first read, then at least one poll
    assert all("sender_id" not in query and query.startswith("after=") for query, _ in polls)
    [sender] = {header for _, header in polls}
    assert sender is not None and UUID.fullmatch(sender)
    assert not any(sender in query or sender in path for path, query, _ in requests)  # in no URL at all
