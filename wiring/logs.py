"""Logging for our processes: quiet libraries, and no secret ever written out.

httpx logs every request URL at INFO, and a Telegram URL carries the bot token
(`…/bot<TOKEN>/getUpdates`); python-telegram-bot puts the token in the text of a
rejected-token error. So: httpx and httpcore log warnings only, and a filter on
every handler replaces each configured secret in the message and the traceback.
The supervisor applies the same redaction to everything a child process prints.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8  # shorter values would blank out ordinary words
QUIET_LIBRARIES = ("httpx", "httpcore", "hpack", "alembic", "apscheduler.executors.default")


class Redactor:
    def __init__(self, secrets: Iterable[str | None]) -> None:
        found = {secret for secret in secrets if secret and len(secret) >= MIN_SECRET_LENGTH}
        self.secrets = sorted(found, key=len, reverse=True)  # the longest first: one may contain another

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


class RedactingFilter(logging.Filter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def settings_secrets(settings) -> list[str | None]:
    """Every secret the settings hold or derive."""
    return [
        settings.telegram.bot_token,
        settings.whatsapp.token,
        settings.whatsapp.app_secret,
        settings.whatsapp.verify_token,
        settings.resolved_secret_key(),
        settings.resolved_engine_token(),
        settings.resolved_console_token(),
        settings.metrics_token,
        settings.digest.smtp_password,
    ]


def configure_logging(secrets: Iterable[str | None], level: int = logging.INFO) -> Redactor:
    """Log to stderr with secrets redacted; returns the redactor for other uses."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    redact = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(redact))
    return redact
