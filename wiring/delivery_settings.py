"""Where the weekly digest goes besides the coordinators' Telegram chats: a leadership
chat, and e-mail over SMTP. Read from the environment by wiring/settings.py; all optional."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wiring.environment import Environment


@dataclass(frozen=True)
class DigestDelivery:
    leadership_chat: str | None = None  # a Telegram chat id that also receives the headline
    smtp_host: str | None = None  # unset: no e-mail
    smtp_port: int = 25
    smtp_starttls: bool = False
    # STARTTLS checks the server's certificate against the system's CAs; a server with a
    # self-signed (or private-CA) certificate is trusted only through this named PEM file.
    smtp_ca_file: str | None = None
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "helpline@localhost"
    mail_to: tuple[str, ...] = ()

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.mail_to)

    @classmethod
    def from_env(cls, env: Environment) -> "DigestDelivery":
        recipients = tuple(address.strip() for address in (env.get("HELPLINE_DIGEST_EMAIL_TO") or "").split(",") if address.strip())
        return cls(
            leadership_chat=env.get("HELPLINE_DIGEST_CHAT"),
            smtp_host=env.get("HELPLINE_SMTP_HOST"),
            smtp_port=env.get_int("HELPLINE_SMTP_PORT", 25),
            smtp_starttls=env.get_switch("HELPLINE_SMTP_STARTTLS", False),
            smtp_ca_file=env.get("HELPLINE_SMTP_CA_FILE"),
            smtp_user=env.get("HELPLINE_SMTP_USER"),
            smtp_password=env.get("HELPLINE_SMTP_PASSWORD"),
            mail_from=env.get("HELPLINE_SMTP_FROM", cls.mail_from),
            mail_to=recipients,
        )
