"""Shared helpers for the tests: databases, free ports, process trees."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_postgres() -> None:
    """Skip when PostgreSQL is unreachable on a developer's machine; fail in CI."""
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}".splitlines()[0]
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run the PostgreSQL tests)")
        pytest.skip(reason)


@contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """A new database for one test (module), dropped afterwards: empty, or a copy of
    `template` (a database nobody is connected to)."""
    require_postgres()
    name = f"helpline_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def is_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def web_sender(name: str) -> str:
    """A web chat sender id of the shape the page makes (a UUID), stable for one name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"helpline-test:{name}"))


def wait_until(check, timeout: float = 30, what: str = "the condition"):
    """Poll `check` until it returns something truthy (returned), or fail after `timeout` s."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Clock:
    """The services' time, moved by a test instead of waited for (create_app(clock=...))."""

    def __init__(self) -> None:
        from referral.models import utcnow

        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


def payloads(replies) -> set[str]:
    """The payloads of every button the replies offer (web chat or Rasa REST replies)."""
    return {button["payload"] for reply in replies for button in reply.get("buttons") or []}


def question(replies) -> str | None:
    """Which of the report form's questions the bot's last replies ask (by their buttons or words)."""
    offered = payloads(replies)
    last = (replies[-1].get("text") or "").lower() if replies else ""
    for name, marker in (("victim", "diri_sendiri"), ("situation", "sudah aman"), ("contact", "anonim"), ("confirmed", "benar")):
        if marker in offered:
            return name
    if "nomor telepon" in last or "phone number" in last:
        return "contact_phone"
    if "ceritakan singkat" in last or "tell us briefly" in last:
        return "description"
    if "lokasi" in last or "where" in last or "daerah" in last:
        return "location"
    return None
