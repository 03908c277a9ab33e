"""The gateway's HTTP surface, with the real database and no Rasa running.

The full path through Rasa is covered end to end in tests/e2e.
"""

import json
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from bot.gateway.app import create_app
from wiring.settings import Settings
from messaging.models import Message
from referral.models import utcnow
from referral.storage import unit_of_work
from tests.helpers import Clock, web_sender, free_port


def rasa_down_client(database_url, tmp_path, ack_after_seconds: str, clock=None) -> TestClient:
    dead_port = free_port()  # nothing listens here: Rasa is "down"
    settings = Settings.from_env(
        {
            "HELPLINE_DATA_DIR": str(tmp_path),
            "DATABASE_URL": database_url,
            "RASA_URL": f"http://127.0.0.1:{dead_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{dead_port}",
            "HELPLINE_MAX_MESSAGE_CHARS": "4000",
            "HELPLINE_INBOX_INTERVAL": "0",  # these tests drive the inbox themselves
            "HELPLINE_ACK_AFTER_SECONDS": ack_after_seconds,
        }
    )
    app = create_app(settings, clock) if clock else create_app(settings)
    return TestClient(app, client=("127.0.0.1", 50000))


@pytest.fixture
def client(database_url, tmp_path):
    with rasa_down_client(database_url, tmp_path, "0") as test_client:  # acknowledged at once
        yield test_client


def stored(client) -> list[Message]:
    with unit_of_work(client.app_state["gateway"].sessions) as session:
        return list(session.query(Message).order_by(Message.id))


def test_web_chat_page_is_served_in_indonesian(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    assert "/webchat/messages" in response.text


def test_health_reports_rasa_down(client):
    response = client.get("/healthz")
    assert response.status_code == 200  # the process lives: a monitor reads what is degraded
    assert response.json() == {
        "status": "degraded", "rasa": False, "action_server": False, "telegram": None,
        "alerts_without_recipient": 0, "alert_duty_failures": {}, "degraded": ["rasa", "action_server"],
        "turns_retrying": 0, "turns_given_up": 0, "telegram_updates_given_up": 0,
    }


def test_ready_only_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 503  # Rasa and the action server are not running here
    assert response.json() == {"ready": False, "rasa": False, "action_server": False, "database": True,
                               "not_ready": ["rasa", "action_server"]}


def test_message_is_stored_and_kept_pending_when_rasa_is_down(client):
    response = client.post("/webchat/messages", json={"sender_id": web_sender("web-1"), "text": "anak saya dibully"})
    assert response.status_code == 200
    [reply] = response.json()["replies"]
    assert "sudah kami terima" in reply["text"]
    inbound, outbound = stored(client)
    assert (inbound.direction, inbound.text, inbound.status) == ("in", "anak saya dibully", "pending")
    assert (outbound.direction, outbound.in_reply_to_id) == ("out", inbound.id)


def test_a_retried_request_is_stored_once_and_tried_again_while_pending(client):
    body = {"sender_id": web_sender("web-1"), "text": "halo", "message_id": "abc"}
    first = client.post("/webchat/messages", json=body).json()
    second = client.post("/webchat/messages", json=body).json()
    assert first == second  # Rasa is still down: the same "received, we will follow up"
    messages = stored(client)
    assert [m.direction for m in messages] == ["in", "out"]  # acknowledged once
    assert messages[0].attempts == 2 and messages[0].status == "pending"
    assert messages[0].next_attempt_at is not None


def test_a_retried_request_for_an_answered_message_is_answered_from_the_store(client):
    body = {"sender_id": web_sender("web-1"), "text": "halo", "message_id": "done"}
    client.post("/webchat/messages", json=body)
    with unit_of_work(client.app_state["gateway"].sessions) as session:  # as if Rasa had answered
        session.query(Message).filter(Message.direction == "in").update({"status": "answered"})
    again = client.post("/webchat/messages", json=body).json()
    assert "sudah kami terima" in again["replies"][0]["text"]
    assert [m.direction for m in stored(client)] == ["in", "out"]


@pytest.mark.parametrize(
    "payload, status",
    [
        ({"sender_id": web_sender("web-1"), "text": ""}, 422),
        ({"sender_id": web_sender("web-1"), "text": "    "}, 422),
        ({"sender_id": web_sender("web-1"), "location": {"latitude": 200, "longitude": 110}}, 422),
        ({"text": "halo"}, 422),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(client, payload, status):
    response = client.post("/webchat/messages", json=payload)
    assert response.status_code == status
    assert response.json()["error"]["message"]
    assert stored(client) == []


def test_invalid_json_is_a_400(client):
    response = client.post("/webchat/messages", content=b"{oops", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert stored(client) == []


def test_oversized_body_is_a_413(client):
    response = client.post("/webchat/messages", content=b"x" * 200_000)
    assert response.status_code == 413
    assert stored(client) == []


def test_very_long_text_gets_a_polite_reply_and_is_kept(client):
    text = "tolong " * 3000  # about 21,000 characters
    response = client.post("/webchat/messages", content=json.dumps({"sender_id": web_sender("web-1"), "text": text}))
    assert response.status_code == 200
    assert "terlalu panjang" in response.json()["replies"][0]["text"]
    inbound = stored(client)[0]
    assert inbound.status == "too_long" and len(inbound.text) > 20_000


def console_auth(client) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.app_state["gateway"].settings.resolved_console_token()}"}


def test_the_console_token_reads_health_figures_without_case_data(client):
    response = client.get("/console/api/health", headers=console_auth(client))
    assert response.status_code == 200
    assert response.json() == {
        "attention": {"waiting_messages": 0, "oldest_waiting_seconds": None, "failed_replies": 0, "unknown_replies": 0,
                      "alerts_without_recipient": 0},
    }
    assert client.get("/console/api/cases", headers=console_auth(client)).status_code == 404  # the case list went away


def test_console_shows_reporters_waiting_while_rasa_is_down(client):
    client.post("/webchat/messages", json={"sender_id": web_sender("web-w"), "text": "tolong bantu"})
    attention = client.get("/console/api/health", headers=console_auth(client)).json()["attention"]
    assert attention["waiting_messages"] == 1 and attention["oldest_waiting_seconds"] >= 0


def test_console_figures_need_the_token_whatever_the_address(client):
    # A local client (as every request looks behind a reverse proxy) without the token gets nothing.
    assert client.get("/console/api/health").status_code == 401
    assert client.get("/console/api/health", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 401
    assert client.get("/console/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/console/api/health", headers={"Authorization": "Bearer ünïcode".encode("latin-1")}).status_code == 401
    assert client.get("/console", follow_redirects=False).status_code == 303  # the desk itself needs a login


def test_console_can_be_turned_off(database_url, tmp_path):
    settings = Settings.from_env(
        {"HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "HELPLINE_CONSOLE": "off"}
    )
    with TestClient(create_app(settings), client=("127.0.0.1", 5000)) as local:
        assert local.get("/console").status_code == 404
        assert local.get("/console/login").status_code == 404
        token = settings.resolved_console_token()
        assert local.get("/console/api/health", headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_replies_can_be_fetched_after_an_id(client):
    client.post("/webchat/messages", json={"sender_id": web_sender("web-9"), "text": "halo"})
    fetched = client.get("/webchat/messages", params={"sender_id": web_sender("web-9"), "after": 0}).json()["replies"]
    assert len(fetched) == 1 and "sudah kami terima" in fetched[0]["text"]
    later = client.get("/webchat/messages", params={"sender_id": web_sender("web-9"), "after": fetched[0]["id"]}).json()
    assert later == {"replies": []}
    assert client.get("/webchat/messages", params={"sender_id": web_sender("nobody"), "after": 0}).json() == {"replies": []}
    assert client.get("/webchat/messages", params={"sender_id": web_sender("web-9"), "after": "x"}).status_code == 422


def test_a_message_behind_a_waiting_one_is_queued_in_order(client):
    client.post("/webchat/messages", json={"sender_id": web_sender("web-q"), "text": "halo"})
    [queued] = client.post("/webchat/messages", json={"sender_id": web_sender("web-q"), "text": "anak saya dibully"}).json()["replies"]
    assert "juga sudah kami terima" in queued["text"]
    first, second = [m for m in stored(client) if m.direction == "in"]
    assert (first.status, second.status) == ("pending", "received")  # the second waits for the first
    assert second.attempts == 0


def test_a_flooding_sender_is_asked_to_wait_and_others_are_not(client):
    answers = [client.post("/webchat/messages", json={"sender_id": web_sender("flood"), "text": f"pesan {i}"}).status_code for i in range(21)]
    assert answers[:20] == [200] * 20 and answers[20] == 429
    assert client.post("/webchat/messages", json={"sender_id": web_sender("calm"), "text": "halo"}).status_code == 200


def test_with_a_delay_the_reporter_is_acknowledged_once_after_it(database_url, tmp_path):
    clock = Clock()
    with rasa_down_client(database_url, tmp_path, "30", clock) as client:
        service = client.app_state["gateway"].conversations
        assert client.post("/webchat/messages", json={"sender_id": web_sender("web-d"), "text": "tolong anak saya dipukul"}).json() == {
            "replies": []  # stored; Rasa may be back within seconds, so nobody is worried yet
        }
        retried = client.post("/webchat/messages", json={"sender_id": web_sender("web-d"), "text": "halo", "message_id": "m-1"})
        assert "juga sudah kami terima" in retried.json()["replies"][0]["text"]  # queued behind the first
        assert service.acknowledge_waiting() == 0  # not 30 seconds yet
        clock.advance(31)
        assert service.acknowledge_waiting() == 0  # its retry is due: it may be answered any moment
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            first_id = session.query(Message.id).filter(Message.direction == "in").order_by(Message.id).first()[0]
        client.portal.call(service.process, first_id)  # the retry: Rasa is still down
        assert service.acknowledge_waiting() == 1
        assert service.acknowledge_waiting() == 0  # once
        fetched = client.get("/webchat/messages", params={"sender_id": web_sender("web-d"), "after": 0}).json()["replies"]
        assert [r["text"][:26] for r in fetched] == ["Pesan ini juga sudah kami ", "Pesan Anda sudah kami teri"]
        assert "petugas kami akan menindaklanjuti" in fetched[1]["text"] and "112" in fetched[1]["text"]


def test_the_delayed_acknowledgement_speaks_english_to_an_english_reporter(database_url, tmp_path):
    clock = Clock()
    with rasa_down_client(database_url, tmp_path, "30", clock) as client:
        service = client.app_state["gateway"].conversations
        client.post("/webchat/messages", json={"sender_id": web_sender("web-e"), "text": "my father hits my mother every night"})
        clock.advance(60)
        with unit_of_work(client.app_state["gateway"].sessions) as session:
            first_id = session.query(Message.id).filter(Message.direction == "in").one()[0]
        client.portal.call(service.process, first_id)  # retried, Rasa still down
        assert service.acknowledge_waiting() == 1
        [ack] = client.get("/webchat/messages", params={"sender_id": web_sender("web-e"), "after": 0}).json()["replies"]
        assert ack["text"].startswith("We have received and saved your message")
