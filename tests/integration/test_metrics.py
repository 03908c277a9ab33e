"""`GET /metrics` (issue 25, item 3): refused without its token, Prometheus's text format, the
stored figures counted as they are, and no reporter's words or address in it."""

from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot.gateway.app import create_app
from wiring.settings import Settings
from tests.helpers import free_port, web_sender

METRICS_TOKEN = "metrics-token-for-the-test"


def client_for(database_url, tmp_path) -> TestClient:
    dead_port = free_port()  # Rasa is "down": every message waits in the inbox
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url,
        "RASA_URL": f"http://127.0.0.1:{dead_port}", "ACTION_SERVER_URL": f"http://127.0.0.1:{dead_port}",
        "HELPLINE_INBOX_INTERVAL": "0", "HELPLINE_ACK_AFTER_SECONDS": "0",
        "HELPLINE_METRICS_TOKEN": METRICS_TOKEN,
    })
    return TestClient(create_app(settings), client=("127.0.0.1", 50000))


def scraped(client, token: str = METRICS_TOKEN) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def test_metrics_are_refused_without_a_token(database_url, tmp_path):
    with client_for(database_url, tmp_path) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        console = client.app_state["gateway"].console_token
        assert client.get("/metrics", headers={"Authorization": f"Bearer {console}"}).status_code == 200


def test_metrics_count_what_is_stored_and_carry_no_personal_data(database_url, tmp_path):
    with client_for(database_url, tmp_path) as client:
        before = scraped(client)
        sender = web_sender("metrics-1")
        for text in ("anak saya dibully di sekolah 081234567890", "tolong"):
            assert client.post("/webchat/messages", json={"sender_id": sender, "text": text}).status_code == 200
        after = scraped(client)
        body = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text

    assert after[("helpline_database_up", ())] == 1
    waiting = after[("helpline_inbox_waiting", ())] - before[("helpline_inbox_waiting", ())]
    assert waiting == 2  # Rasa is down: both wait
    inbound = sum(value for (name, labels), value in after.items()
                  if name == "helpline_messages" and ("direction", "in") in labels and ("channel", "webchat") in labels)
    assert inbound == 2
    assert ("helpline_turn_seconds_count", ()) in after
    for personal in ("dibully", "081234567890", sender):
        assert personal not in body
