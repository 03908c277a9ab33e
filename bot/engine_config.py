"""The engine's settings (Rasa and the action server), and the endpoints file Rasa is
started with.

Rasa's own endpoints.yml cannot fall back to defaults for unset variables, so
the supervisor (and the tests) write one per run under the data folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from bot.settings import Environment, Settings


@dataclass(frozen=True)
class EngineSettings:
    rasa_port: int = 5005
    action_port: int = 5055
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    tracker_store_url: str | None = None  # unset: SQLite under the data folder
    lock_store_url: str | None = None  # unset: in memory (one Rasa process)
    token: str | None = None  # unset: derived from the secret key (Settings.resolved_engine_token)
    # How long one message may take in Rasa before we stop waiting (longer than Rasa's own
    # five-minute action timeout, so a slow answer is never given up on and sent twice).
    timeout_s: float = 330.0

    @classmethod
    def from_env(cls, env: Environment) -> "EngineSettings":
        rasa_port = env.get_int("HELPLINE_RASA_PORT", 5005)
        action_port = env.get_int("HELPLINE_ACTION_PORT", 5055)
        return cls(
            rasa_port=rasa_port,
            action_port=action_port,
            rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
            action_server_url=env.get("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}"),
            tracker_store_url=env.get("TRACKER_STORE_URL"),
            lock_store_url=env.get("LOCK_STORE_URL"),
            token=env.get("HELPLINE_ENGINE_TOKEN"),
            timeout_s=float(env.get_positive("HELPLINE_ENGINE_TIMEOUT", 330)),
        )


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
