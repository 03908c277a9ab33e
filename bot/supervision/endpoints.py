"""The endpoints file Rasa is started with.

Rasa's own endpoints.yml cannot fall back to defaults for unset variables, so
the supervisor (and the tests) write one per run under the data folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import yaml

if TYPE_CHECKING:
    from wiring.settings import Settings


def tracker_store(settings: Settings) -> dict:
    url = settings.engine.tracker_store_url
    if not url:
        return {"type": "SQL", "dialect": "sqlite", "db": str(settings.data_dir / "tracker.db")}
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"TRACKER_STORE_URL must be a postgresql:// URL, got scheme {parts.scheme!r}")
    store = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "db": parts.path.lstrip("/") or "postgres",
    }
    if parts.username:
        store["username"] = unquote(parts.username)
    if parts.password:
        store["password"] = unquote(parts.password)
    return store


def lock_store(settings: Settings) -> dict | None:
    url = settings.engine.lock_store_url
    if not url:
        return None  # in-memory: fine for one Rasa process
    parts = urlsplit(url)
    if parts.scheme != "redis":
        raise ValueError(f"LOCK_STORE_URL must be a redis:// URL, got scheme {parts.scheme!r}")
    store = {
        "type": "redis",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
    }
    if parts.password:
        store["password"] = unquote(parts.password)
    return store


def write_endpoints(settings: Settings, path: Path) -> Path:
    endpoints: dict = {
        # Rasa sends the token as ?token=… with every action call; the action server checks it.
        "action_endpoint": {"url": f"{settings.engine.action_server_url}/webhook", "token": settings.resolved_engine_token()},
        "tracker_store": tracker_store(settings),
    }
    locks = lock_store(settings)
    if locks:
        endpoints["lock_store"] = locks
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # It holds the engine token (and a tracker store password, if any): owner-only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(yaml.safe_dump(endpoints, sort_keys=False))
    os.chmod(path, 0o600)
    return path
