"""Start the real stack (`helpline run`: Rasa, the action server, the gateway).

One production-shaped stack (`postgres_stack`) serves the whole session: every test on it
uses its own reporter, and officers its own chat, so the tests do not depend on each other.
Modules that need a stack set up differently (Telegram down at start, faults) start their own."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from wiring.settings import Settings
from tests.e2e.log_privacy import assert_logs_private
from tests.fakes.servers import FakeBotApi, FakeGraphApi, serve
from tests.helpers import PROJECT_ROOT, REDIS_URL, free_port, fresh_postgres_database

HELPLINE = PROJECT_ROOT / ".venv" / "bin" / "helpline"
READY_LINE = "The helpline is running."


@dataclass
class Stack:
    process: subprocess.Popen
    base_url: str
    rasa_url: str
    action_url: str
    database_url: str
    data_dir: Path
    output: list[str] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        """The settings the stack runs with (its derived tokens included)."""
        return Settings.from_env({"HELPLINE_DATA_DIR": str(self.data_dir), "DATABASE_URL": self.database_url})

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)


def start_stack(tmp_dir, database_url: str, extra_env: dict[str, str] | None = None, timeout: float = 240) -> Stack:
    if not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model: run the tests through `make test` (it trains first)")
    port, rasa_port, action_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "HELPLINE_DATA_DIR": str(tmp_dir),
        "HELPLINE_PORT": str(port),
        "HELPLINE_RASA_PORT": str(rasa_port),
        "HELPLINE_ACTION_PORT": str(action_port),
        "DATABASE_URL": database_url,
        # Every test reporter writes from 127.0.0.1; the limits have their own tests.
        "HELPLINE_WEBCHAT_NEW_PER_ADDRESS_PER_HOUR": "100000",
        "HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE": "100000",
        **(extra_env or {}),
    }
    for name in ("RASA_URL", "ACTION_SERVER_URL"):
        env.pop(name, None)
    process = subprocess.Popen(
        [str(HELPLINE), "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    stack = Stack(
        process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}",
        database_url, Path(tmp_dir),
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            stack.output.append(line.rstrip())
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        if READY_LINE in line:
            return stack
    stack.stop()
    pytest.fail("the stack did not start:\n" + "\n".join(stack.output[-40:]))


WHATSAPP = {"token": "e2e-graph-token", "phone_number_id": "5550001111", "app_secret": "e2e-app-secret"}
TELEGRAM_TOKEN = "7012345678:AAE2eSecretTokenThatMustNeverBeLogged"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """A test that stops the shared stack runs after every other test (a stable sort)."""
    items.sort(key=lambda item: item.get_closest_marker("stops_shared_stack") is not None)


@pytest.fixture(scope="session")
def bot_api():
    """A fake Telegram Bot API on 127.0.0.1: the stack polls it with its token."""
    fake = FakeBotApi(TELEGRAM_TOKEN)
    with serve(fake.app) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="session")
def graph_api():
    """A fake WhatsApp Cloud API on 127.0.0.1 that records what the helpline sends."""
    fake = FakeGraphApi(WHATSAPP["phone_number_id"], WHATSAPP["token"])
    with serve(fake.app) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="session")
def postgres_stack(tmp_path_factory, graph_api, bot_api):
    """Production-shaped: app database and Rasa tracker on PostgreSQL, lock store on Redis,
    WhatsApp pointed at the fake Graph API, Telegram polling the fake Bot API, JSON logs."""
    with fresh_postgres_database() as app_db, fresh_postgres_database() as tracker_db:
        stack = start_stack(
            tmp_path_factory.mktemp("stack"),
            app_db,
            {
                "TRACKER_STORE_URL": tracker_db,
                "LOCK_STORE_URL": REDIS_URL,
                "WHATSAPP_TOKEN": WHATSAPP["token"],
                "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP["phone_number_id"],
                "WHATSAPP_APP_SECRET": WHATSAPP["app_secret"],
                "WHATSAPP_VERIFY_TOKEN": "e2e-verify",
                "WHATSAPP_API_BASE": graph_api.url,
                "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
                "TELEGRAM_API_BASE": bot_api.url,
                # As a production deployment would ship its logs (the other stacks log text).
                "HELPLINE_LOG_FORMAT": "json",
            },
        )
        yield stack
        stack.stop()
        # After every test on it, the whole session's logs: no reporter's word, number or chat id.
        assert_logs_private(stack, expect=("reporter's message", "message address", "conversation address"))
