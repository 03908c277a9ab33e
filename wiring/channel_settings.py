"""The chat channels' settings, read from the environment by wiring/settings.py.

Light on purpose (no channel library is imported), so every command can read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wiring.environment import Environment


@dataclass(frozen=True)
class TelegramSettings:
    bot_token: str | None = None  # unset: Telegram is off
    api_base: str = "https://api.telegram.org"  # calls go to {api_base}/bot{token}/{method}
    webhook_url: str | None = None  # set: webhook mode; unset: polling
    # Telegram unreachable at start: tried again in the background, waiting twice as long
    # each time, at most this long between tries.
    retry_max_s: float = 60.0

    @classmethod
    def from_env(cls, env: Environment) -> "TelegramSettings":
        return cls(
            bot_token=env.get("TELEGRAM_BOT_TOKEN"),
            api_base=env.get("TELEGRAM_API_BASE", cls.api_base),
            webhook_url=env.get("TELEGRAM_WEBHOOK_URL"),
            retry_max_s=float(env.get_positive("TELEGRAM_RETRY_MAX_SECONDS", 60)),
        )


@dataclass(frozen=True)
class WhatsAppSettings:
    token: str | None = None
    phone_number_id: str | None = None
    verify_token: str | None = None
    app_secret: str | None = None
    api_base: str = "https://graph.facebook.com/v21.0"  # messages go to {api_base}/{phone_number_id}/messages
    # Outside WhatsApp's 24-hour customer-service window only an approved template may be sent.
    template_name: str = "helpline_follow_up"
    template_language: str = "id"

    @property
    def enabled(self) -> bool:
        return bool(self.token and self.phone_number_id and self.app_secret)

    @classmethod
    def from_env(cls, env: Environment) -> "WhatsAppSettings":
        return cls(
            token=env.get("WHATSAPP_TOKEN"),
            phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID"),
            verify_token=env.get("WHATSAPP_VERIFY_TOKEN"),
            app_secret=env.get("WHATSAPP_APP_SECRET"),
            api_base=env.get("WHATSAPP_API_BASE", cls.api_base),
            template_name=env.get("WHATSAPP_TEMPLATE_NAME", cls.template_name),
            template_language=env.get("WHATSAPP_TEMPLATE_LANGUAGE", cls.template_language),
        )
