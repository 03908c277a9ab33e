"""Secrets never reach a log line: the redacting filter and the supervisor's redaction."""

import io
import logging

from telegram.error import InvalidToken

from wiring.logs import REDACTED, Redactor, RedactingFilter

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def logger_with_filter(redact: Redactor) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(redact))
    logger = logging.getLogger(f"test-redaction-{id(stream)}")
    logger.addHandler(handler)
    logger.propagate = False
    return logger, stream


def test_a_token_in_a_url_an_argument_and_a_traceback_is_redacted():
    logger, stream = logger_with_filter(Redactor([TOKEN, None, "short"]))
    logger.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        logger.exception("Telegram is unavailable and stays off")
    written = stream.getvalue()
    assert TOKEN not in written
    assert written.count(REDACTED) == 2  # in the URL, and in the exception text under the traceback
    assert "getUpdates" in written and "rejected by the server" in written  # the rest is kept


def test_short_values_are_not_taken_for_secrets():
    redact = Redactor(["", "abc", None])
    assert redact("abc def") == "abc def"


def test_a_longer_secret_containing_a_shorter_one_is_redacted_whole():
    redact = Redactor(["secret-key-1234", "secret-key-1234-and-more"])
    assert redact("x secret-key-1234-and-more y") == f"x {REDACTED} y"
