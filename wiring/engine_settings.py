"""The engine's settings: where Rasa and the action server listen, and their stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wiring.environment import Environment


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

