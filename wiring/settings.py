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

from wiring.channel_settings import TelegramSettings, WhatsAppSettings
from wiring.environment import Environment, read_dotenv
from wiring.delivery_settings import DigestDelivery
from wiring.officer_settings import AlertTimes
from wiring.engine_settings import EngineSettings
from wiring.log_settings import LogSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    port: int = 8080
    host: str = "127.0.0.1"
    engine: EngineSettings = field(default_factory=EngineSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    whatsapp: WhatsAppSettings = field(default_factory=WhatsAppSettings)
    secret_key: str | None = None
    config_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "config")
    models_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "models")
    max_message_chars: int = 4000
    webchat_wait_s: float = 20.0  # a web chat request waits this long; later answers arrive by polling
    # Messages one sender may send per minute, on every channel: the web chat then says
    # "please wait"; WhatsApp and Telegram keep the extra messages and answer them later.
    messages_per_minute_per_sender: int = 20
    webchat_new_per_address_per_hour: int = 10
    webchat_per_address_per_minute: int = 120
    # Addresses of reverse proxies whose X-Forwarded-For is believed (uvicorn's
    # forwarded_allow_ips). Loopback by default: a proxy on the same machine (as docs/deployment.md
    # recommends) reports each client, so one client cannot use up everyone's limits.
    # Only rate limits use the address; nothing is authorised by it.
    trusted_proxies: str = "127.0.0.1"
    console_enabled: bool = True
    console_token: str | None = None
    console_idle_minutes: int = 30  # a console session ends after this long without a request
    # "required": coordinators and admins must sign in with a second factor (TOTP); "optional":
    # anyone may set one up (docs/officers.md).
    console_totp: str = "optional"
    # Where officers reach the gateway (for the console's one-time links); the gateway's own address by default.
    public_url: str | None = None
    metrics_token: str | None = None  # a bearer token for GET /metrics (the console's token works too)
    # While Rasa is away, a reporter hears "saved, a person will follow up" after this long
    # (0: at once). Short blips are ridden out by retries without worrying anyone.
    ack_after_s: float = 15.0
    alert_after_s: float = 120.0  # officers hear about a reporter waiting longer than this
    # A turn the database keeps refusing (the emergency case could not be written) is retried
    # this long, then given up on: the reporter is told it is not recorded, officers are alerted.
    turn_retry_s: float = 600.0
    inbox_interval_s: float = 2.0  # 0 turns the inbox worker off (tests that drive it by hand)
    scheduler: bool = False  # run the scheduled jobs (`helpline run` turns it on for its gateway)
    retention_days: int = 365  # what reporters told us is erased from older cases and messages
    digest: DigestDelivery = field(default_factory=DigestDelivery)
    alert_times: AlertTimes = field(default_factory=AlertTimes)
    link_code_hours: int = 48  # how long an officer's one-time /daftar code works
    logs: LogSettings = field(default_factory=LogSettings)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        values = dict(read_dotenv(PROJECT_ROOT / ".env"))
        values.update(os.environ if environ is None else environ)
        env = Environment(values)
        data_dir = Path(env.get("HELPLINE_DATA_DIR", str(PROJECT_ROOT / "var"))).resolve()
        proxies = env.get("HELPLINE_TRUSTED_PROXIES", "127.0.0.1") or ""
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL", f"sqlite:///{data_dir / 'helpline.db'}"),
            port=env.get_int("HELPLINE_PORT", 8080),
            host=env.get("HELPLINE_HOST", "127.0.0.1"),
            engine=EngineSettings.from_env(env),
            telegram=TelegramSettings.from_env(env),
            whatsapp=WhatsAppSettings.from_env(env),
            secret_key=env.get("HELPLINE_SECRET_KEY"),
            config_dir=Path(env.get("HELPLINE_CONFIG_DIR", str(PROJECT_ROOT / "config"))),
            models_dir=Path(env.get("HELPLINE_MODELS_DIR", str(PROJECT_ROOT / "models"))),
            max_message_chars=env.get_int("HELPLINE_MAX_MESSAGE_CHARS", 4000),
            inbox_interval_s=env.get_seconds("HELPLINE_INBOX_INTERVAL", 2),
            scheduler=env.get_switch("HELPLINE_SCHEDULER", False),
            retention_days=env.get_positive("HELPLINE_RETENTION_DAYS", 365),
            digest=DigestDelivery.from_env(env),
            alert_times=AlertTimes.from_env(env),
            link_code_hours=env.get_positive("HELPLINE_LINK_CODE_HOURS", 48),
            messages_per_minute_per_sender=env.get_positive(
                # the old name still works when the new one is not set
                "HELPLINE_MESSAGES_PER_MINUTE" if env.get("HELPLINE_MESSAGES_PER_MINUTE") else "HELPLINE_WEBCHAT_PER_MINUTE", 20
            ),
            webchat_new_per_address_per_hour=env.get_positive("HELPLINE_WEBCHAT_NEW_PER_ADDRESS_PER_HOUR", 10),
            webchat_per_address_per_minute=env.get_positive("HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE", 120),
            webchat_wait_s=env.get_seconds("HELPLINE_WEBCHAT_WAIT_SECONDS", 20),
            trusted_proxies="" if proxies.lower() == "none" else proxies,
            console_enabled=env.get_switch("HELPLINE_CONSOLE", True),
            console_token=env.get("HELPLINE_CONSOLE_TOKEN"),
            console_idle_minutes=env.get_positive("HELPLINE_CONSOLE_IDLE_MINUTES", 30),
            console_totp=env.get_choice("HELPLINE_CONSOLE_TOTP", ("optional", "required"), "optional"),
            public_url=env.get("HELPLINE_PUBLIC_URL"),
            metrics_token=env.get("HELPLINE_METRICS_TOKEN"),
            ack_after_s=env.get_seconds("HELPLINE_ACK_AFTER_SECONDS", 15),
            alert_after_s=env.get_seconds("HELPLINE_ALERT_AFTER_SECONDS", 120),
            turn_retry_s=60.0 * env.get_positive("HELPLINE_TURN_RETRY_MINUTES", 10),
            logs=LogSettings.from_env(env),
        )

    def console_base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

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
        """The token Rasa's HTTP API, its REST channel and the action server require."""
        return self.engine.token or self.derived_secret("engine-token")

    def resolved_console_token(self) -> str:
        """The token the officer console's data requires (until officers have logins)."""
        return self.console_token or self.derived_secret("console-token")
