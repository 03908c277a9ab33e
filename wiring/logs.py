"""Logging for our processes: quiet libraries, and no secret ever written out.

httpx logs every request URL at INFO, and a Telegram URL carries the bot token
(`…/bot<TOKEN>/getUpdates`); python-telegram-bot puts the token in the text of a
rejected-token error. So: httpx and httpcore log warnings only, and a filter on
every handler replaces each configured secret in the message and the traceback.
The supervisor applies the same redaction to everything a child process prints.

With HELPLINE_LOG_FORMAT=json every line is one JSON object (time, level, logger,
message, and exception when there is one), so a log shipper never has to guess where
a traceback ends. What no line may carry, at any level: a reporter's words, phone
number or chat id (the e2e tests grep every log for them).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wiring.log_settings import LogSettings

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8  # shorter values would blank out ordinary words
QUIET_LIBRARIES = ("httpx", "httpcore", "hpack", "alembic", "apscheduler.executors.default")
# Our own code's loggers take HELPLINE_LOG_LEVEL; libraries never go below INFO, because
# their debug output carries request and update payloads (python-telegram-bot logs every
# update it receives).
OWN_LOGGERS = ("bot", "wiring", "actions", "messaging", "referral", "nlu_components")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LINE_SEPARATORS = ("\u2028", "\u2029", "\u0085")
# PostgreSQL's own detail line of an error quotes the row or the key it refused ("Failing
# row contains (…)", "Key (telegram_chat_id)=(…)"): a reporter's words or an address.
DATABASE_DETAIL = re.compile(r"^DETAIL: .*$", re.MULTILINE)


def json_line(message: str, logger: str, level: str = "INFO", created: float | None = None, **fields) -> str:
    """One log line as a JSON object (no newline inside it, whatever the message holds)."""
    moment = datetime.fromtimestamp(created, timezone.utc) if created is not None else datetime.now(timezone.utc)
    entry = {"time": moment.isoformat(timespec="milliseconds"), "level": level, "logger": logger, "message": message}
    entry.update({name: value for name, value in fields.items() if value is not None})
    line = json.dumps(entry, ensure_ascii=False)
    # Kept as written by ensure_ascii=False, these would end the line for many readers.
    for separator in LINE_SEPARATORS:
        line = line.replace(separator, f"\\u{ord(separator):04x}")
    return line


def level_of(text: str) -> str:
    """A plain line's level, guessed from its words (for lines that are not log records)."""
    upper = text.upper()
    if "ERROR" in upper or "TRACEBACK" in upper or "CRITICAL" in upper:
        return "ERROR"
    if "WARNING" in upper or "WARN " in upper:
        return "WARNING"
    return "INFO"


def announce(text: str, json_lines: bool, logger: str = "helpline", out=None) -> None:
    """A line of `helpline run`'s own output: as written, or as one JSON log line."""
    print(json_line(text, logger, level_of(text)) if json_lines else text, file=out or sys.stdout, flush=True)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        exception = record.exc_text  # set (and redacted) by RedactingFilter
        if record.exc_info and not exception:
            exception = self.formatException(record.exc_info)
        return json_line(record.getMessage(), record.name, record.levelname, record.created, exception=exception)


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
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        return True

    def clean(self, text: str) -> str:
        return DATABASE_DETAIL.sub("DETAIL: [removed: it may quote personal data]", self.redact(text))


def settings_secrets(settings, derive: bool = True) -> list[str | None]:
    """Every secret the settings hold or derive. `derive=False` (the CLI): the derived
    ones only when the key already exists, so a command that needs no key makes none."""
    held = [
        settings.telegram.bot_token,
        settings.whatsapp.token,
        settings.whatsapp.app_secret,
        settings.whatsapp.verify_token,
        settings.engine.token,
        settings.console_token,
        settings.metrics_token,
        settings.digest.smtp_password,
    ]
    if derive or settings.secret_key or (settings.data_dir / "secret.key").exists():
        held += [settings.resolved_secret_key(), settings.resolved_engine_token(), settings.resolved_console_token()]
    return held


def configure_logging(
    secrets: Iterable[str | None], logs: LogSettings | None = None, root_level: int = logging.INFO
) -> Redactor:
    """Log to stderr, as text or JSON lines, with secrets redacted; returns the redactor.

    `root_level` is for libraries (the action server keeps Sanic's chatter to warnings);
    our own loggers take the configured level."""
    from wiring.log_settings import LogSettings

    logs = logs or LogSettings()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if logs.json else logging.Formatter(TEXT_FORMAT))
    redact = Redactor(secrets)
    handler.addFilter(RedactingFilter(redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(root_level)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logs.level_number)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)  # Python's warnings as log lines too, in the same format
    return redact


def adopt_framework_loggers(prefix: str) -> None:
    """Send a framework's loggers (e.g. Sanic's, which bring their own handlers) through
    ours alone: one format, one redaction, no line printed twice."""
    for name in list(logging.root.manager.loggerDict):
        if name == prefix or name.startswith(prefix + "."):
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True
