"""Settings from the environment (and an optional `.env` file).

Every setting has a safe default for the embedded mode, so `make run` needs
no accounts. Nothing is read at import time: call `Settings.from_env()`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; blank lines and # comments are skipped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    port: int = 8080
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    tracker_store_url: str | None = None
    lock_store_url: str | None = None
    secret_key: str | None = None
    config_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "config")
    models_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "models")
    max_message_chars: int = 4000
    # How long one message may take in Rasa before we stop waiting (longer than Rasa's own
    # five-minute action timeout, so a slow answer is never given up on and sent twice).
    engine_timeout_s: float = 330.0
    engine_token: str | None = None  # Rasa's --auth-token and the action server's secret
    webchat_wait_s: float = 20.0  # a web chat request waits this long; later answers arrive by polling
    webchat_messages_per_minute: int = 20
    webchat_new_per_address_per_hour: int = 10
    webchat_per_address_per_minute: int = 120
    # Addresses of reverse proxies whose X-Forwarded-For is believed (uvicorn's
    # forwarded_allow_ips). Loopback by default: a proxy on the same machine (as the README
    # recommends) reports each client, so one client cannot use up everyone's limits.
    # Only rate limits use the address; nothing is authorised by it.
    trusted_proxies: str = "127.0.0.1"
    console_enabled: bool = True
    console_token: str | None = None
    # While Rasa is away, a reporter hears "saved, a person will follow up" after this long
    # (0: at once). Short blips are ridden out by retries without worrying anyone.
    ack_after_s: float = 15.0
    alert_after_s: float = 120.0  # officers hear about a reporter waiting longer than this
    inbox_interval_s: float = 2.0  # 0 turns the inbox worker off (tests that drive it by hand)
    telegram_bot_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None  # set: webhook mode; unset: polling
    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    # Outside WhatsApp's 24-hour customer-service window only an approved template may be sent.
    whatsapp_template_name: str = "helpline_follow_up"
    whatsapp_template_language: str = "id"

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_token and self.whatsapp_phone_number_id and self.whatsapp_app_secret)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = dict(read_dotenv(PROJECT_ROOT / ".env"))
        env.update(os.environ if environ is None else environ)

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(name, "").strip()
            return value or default

        def get_int(name: str, default: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"{name} must be a whole number, got {raw!r}") from None

        def get_seconds(name: str, default: int) -> float:
            value = get_int(name, default)
            if value < 0:
                raise ValueError(f"{name} must be 0 or more seconds, got {value}")
            return float(value)

        def get_switch(name: str, default: bool) -> bool:
            raw = (get(name) or "").lower()
            if not raw:
                return default
            if raw in ("on", "true", "1", "yes"):
                return True
            if raw in ("off", "false", "0", "no"):
                return False
            raise ValueError(f"{name} must be on or off, got {raw!r}")

        def get_positive(name: str, default: int) -> int:
            value = get_int(name, default)
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
            return value

        data_dir = Path(get("HELPLINE_DATA_DIR", str(PROJECT_ROOT / "var"))).resolve()
        rasa_port = get_int("HELPLINE_RASA_PORT", 5005)
        action_port = get_int("HELPLINE_ACTION_PORT", 5055)
        return cls(
            data_dir=data_dir,
            database_url=get("DATABASE_URL", f"sqlite:///{data_dir / 'helpline.db'}"),
            port=get_int("HELPLINE_PORT", 8080),
            host=get("HELPLINE_HOST", "127.0.0.1"),
            rasa_port=rasa_port,
            action_port=action_port,
            rasa_url=get("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
            action_server_url=get("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}"),
            tracker_store_url=get("TRACKER_STORE_URL"),
            lock_store_url=get("LOCK_STORE_URL"),
            secret_key=get("HELPLINE_SECRET_KEY"),
            config_dir=Path(get("HELPLINE_CONFIG_DIR", str(PROJECT_ROOT / "config"))),
            models_dir=Path(get("HELPLINE_MODELS_DIR", str(PROJECT_ROOT / "models"))),
            max_message_chars=get_int("HELPLINE_MAX_MESSAGE_CHARS", 4000),
            inbox_interval_s=get_seconds("HELPLINE_INBOX_INTERVAL", 2),
            webchat_messages_per_minute=get_positive("HELPLINE_WEBCHAT_PER_MINUTE", 20),
            webchat_new_per_address_per_hour=get_positive("HELPLINE_WEBCHAT_NEW_PER_ADDRESS_PER_HOUR", 10),
            webchat_per_address_per_minute=get_positive("HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE", 120),
            webchat_wait_s=get_seconds("HELPLINE_WEBCHAT_WAIT_SECONDS", 20),
            engine_timeout_s=float(get_positive("HELPLINE_ENGINE_TIMEOUT", 330)),
            engine_token=get("HELPLINE_ENGINE_TOKEN"),
            trusted_proxies="" if (get("HELPLINE_TRUSTED_PROXIES") or "").lower() == "none"
            else get("HELPLINE_TRUSTED_PROXIES", "127.0.0.1"),
            console_enabled=get_switch("HELPLINE_CONSOLE", True),
            console_token=get("HELPLINE_CONSOLE_TOKEN"),
            ack_after_s=get_seconds("HELPLINE_ACK_AFTER_SECONDS", 15),
            alert_after_s=get_seconds("HELPLINE_ALERT_AFTER_SECONDS", 120),
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_base=get("TELEGRAM_API_BASE", "https://api.telegram.org"),
            telegram_webhook_url=get("TELEGRAM_WEBHOOK_URL"),
            whatsapp_token=get("WHATSAPP_TOKEN"),
            whatsapp_phone_number_id=get("WHATSAPP_PHONE_NUMBER_ID"),
            whatsapp_verify_token=get("WHATSAPP_VERIFY_TOKEN"),
            whatsapp_app_secret=get("WHATSAPP_APP_SECRET"),
            whatsapp_api_base=get("WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0"),
            whatsapp_template_name=get("WHATSAPP_TEMPLATE_NAME", "helpline_follow_up"),
            whatsapp_template_language=get("WHATSAPP_TEMPLATE_LANGUAGE", "id"),
        )

    def resolved_secret_key(self) -> str:
        """The key for pseudonyms: HELPLINE_SECRET_KEY, else one kept in the data folder.

        Created on first use with owner-only permissions, so pseudonyms stay
        stable across restarts without anyone having to configure a secret.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process won the race
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32))
        return path.read_text().strip()

    def derived_secret(self, purpose: str) -> str:
        """A stable secret for one purpose, derived from the key (so none needs configuring)."""
        return hmac.new(self.resolved_secret_key().encode(), purpose.encode(), hashlib.sha256).hexdigest()[:48]

    def resolved_engine_token(self) -> str:
        """The token Rasa's HTTP API and the action server require."""
        return self.engine_token or self.derived_secret("engine-token")

    def resolved_console_token(self) -> str:
        """The token the officer console's data requires (until officers have logins)."""
        return self.console_token or self.derived_secret("console-token")
