"""Every alert reaches a person, on the real stack (issue 21, item 1): Telegram unreachable
when the helpline starts, then back, and the waiting emergency alert is delivered without a
restart; a case in a province nobody covers reaches the only linked staff member, who may
then open it. The fake Bot API answers 502 to everything until the test lets it up."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from referral.models import Case
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.e2e.conftest import TELEGRAM_TOKEN, start_stack
from tests.e2e.log_privacy import assert_logs_private
from tests.e2e.test_officers_flow import helpline, press, wait_for_text, write
from tests.fakes.servers import FakeBotApi, serve
from tests.helpers import REDIS_URL, fresh_postgres_database, wait_until

pytestmark = pytest.mark.e2e
TICKET = re.compile(r"MPKS-\d{4}-\d{5,}")
DANGER = "tolong dia bawa golok mau bunuh saya sekarang"  # the rule-based safety net fires on it


@pytest.fixture(scope="module")
def bot_api():
    """A fake Telegram Bot API that is down (502) when the stack starts."""
    fake = FakeBotApi(TELEGRAM_TOKEN)
    fake.unavailable = True
    with serve(fake.app) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="module")
def stack(tmp_path_factory, bot_api):
    with fresh_postgres_database() as app_db, fresh_postgres_database() as tracker_db:
        stack = start_stack(tmp_path_factory.mktemp("stack"), app_db, {
            "TRACKER_STORE_URL": tracker_db,
            "LOCK_STORE_URL": REDIS_URL,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_API_BASE": bot_api.url,
            "TELEGRAM_RETRY_MAX_SECONDS": "2",
        })
        yield stack
        stack.stop()
        assert_logs_private(stack)


@pytest.fixture(scope="module")
def db(stack):
    engine = make_engine(stack.database_url)
    yield make_session_factory(engine)
    engine.dispose()


def health(stack) -> dict:
    response = httpx.get(f"{stack.base_url}/healthz", timeout=30)
    assert response.status_code == 200  # degraded or not, the process is alive
    return response.json()


def report_danger(stack, sender: str) -> str:
    response = httpx.post(f"{stack.base_url}/webchat/messages", json={"sender_id": sender, "text": DANGER}, timeout=120)
    response.raise_for_status()
    said = "\n".join(reply["text"] or "" for reply in response.json()["replies"])
    assert "112" in said  # the hotlines first
    return TICKET.search(said).group(0)


def link(stack, bot_api, chat: int, name: str, *options: str) -> int:
    added = helpline(stack, "officers", "add", name, *options)
    write(bot_api, chat, f"/daftar {added['link_code']}")
    wait_for_text(bot_api, chat, f"Selamat datang, {name.split()[0]}")
    return added["id"]


def telegram_up(stack, bot_api) -> None:
    bot_api.unavailable = False
    wait_until(lambda: health(stack)["telegram"] is True, 60, "Telegram connected in the background")


def test_telegram_down_at_boot_then_up_the_waiting_alert_is_delivered_without_a_restart(stack, bot_api):
    pid = stack.process.pid
    assert health(stack)["telegram"] is False and "telegram" in health(stack)["degraded"]
    ticket = report_danger(stack, "b9f1c2d4-0000-4000-8000-00000000a001")
    wait_until(lambda: health(stack)["alerts_without_recipient"] >= 1, 60, "the alert counted as reaching nobody")
    assert "alerts with no recipient" in health(stack)["degraded"]

    telegram_up(stack, bot_api)
    chat = 5100017301
    link(stack, bot_api, chat, "Citra Koordinator", "--role", "coordinator")
    alert = wait_for_text(bot_api, chat, ticket)
    assert alert["text"].startswith("🚨 DARURAT") and "golok" not in alert["text"]
    wait_until(lambda: health(stack)["alerts_without_recipient"] == 0, 60, "the alert counted as reached")
    assert stack.process.poll() is None and stack.process.pid == pid  # no restart


def test_a_case_in_a_province_nobody_covers_reaches_the_only_linked_staff_member(stack, bot_api, db):
    telegram_up(stack, bot_api)
    for officer in helpline(stack, "officers", "list")["officers"]:  # nobody else linked and active
        if officer["active"]:
            helpline(stack, "officers", "disable", str(officer["id"]))
    sender = "b9f1c2d4-0000-4000-8000-00000000a002"
    ticket = report_danger(stack, sender)
    httpx.post(f"{stack.base_url}/webchat/messages", json={"sender_id": sender, "text": "depok, sleman"}, timeout=120).raise_for_status()

    def region():
        with unit_of_work(db) as session:
            return session.scalar(select(Case.regency_code).where(Case.ticket == ticket))

    wait_until(lambda: region() == "34.04", 30, "the emergency's place recorded")  # DI Yogyakarta: nobody covers it

    chat = 5100017302
    link(stack, bot_api, chat, "Bayu Papua", "--role", "officer", "--region", "94")  # the only one, and off duty
    alert = wait_for_text(bot_api, chat, ticket)
    assert alert["text"].startswith("🚨 DARURAT") and "Sleman" in alert["text"]
    press(bot_api, chat, alert, "Ringkasan")  # asked to act, so allowed to read it
    summary = wait_for_text(bot_api, chat, f"📋 Ringkasan {ticket}")
    assert "golok" in summary["text"]  # privately, to the officer the alert found
