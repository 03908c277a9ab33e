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


def json_logger(redact: Redactor) -> tuple[logging.Logger, io.StringIO]:
    from wiring.logs import JsonFormatter

    logger, stream = logger_with_filter(redact)
    logger.handlers[0].setFormatter(JsonFormatter())
    logger.setLevel(logging.INFO)
    return logger, stream


def test_a_json_log_line_is_one_object_even_with_newlines_and_a_traceback():
    import json

    logger, stream = json_logger(Redactor([TOKEN]))
    logger.info("first line\nsecond line with %s", TOKEN)
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        logger.exception("Telegram is unavailable")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == f"first line\nsecond line with {REDACTED}"
    assert first["level"] == "INFO" and first["logger"].startswith("test-redaction-") and first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and "Traceback" in second["exception"] and TOKEN not in lines[1]
    assert "exception" not in first


def test_the_log_settings_refuse_an_unknown_format_or_level_in_plain_english():
    import pytest

    from wiring.environment import Environment
    from wiring.log_settings import LogSettings

    assert LogSettings.from_env(Environment({})) == LogSettings("text", "INFO")
    assert LogSettings.from_env(Environment({"HELPLINE_LOG_FORMAT": "JSON", "HELPLINE_LOG_LEVEL": "debug"})).json
    with pytest.raises(ValueError, match="HELPLINE_LOG_FORMAT must be text or json, got 'xml'"):
        LogSettings.from_env(Environment({"HELPLINE_LOG_FORMAT": "xml"}))
    with pytest.raises(ValueError, match="HELPLINE_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'"):
        LogSettings.from_env(Environment({"HELPLINE_LOG_LEVEL": "loud"}))


def test_a_childs_lines_become_json_lines_of_the_same_shape():
    import json

    from bot.supervision.log_lines import as_json_line
    from wiring.logs import json_line

    ours = json_line("turn done", "bot.gateway.worker", "INFO")
    assert as_json_line("gateway", ours + "\n") == ours + "\n"  # already ours: unchanged
    rasa_event = json.loads(as_json_line("rasa", '{"event": "rasa.core.processor.predict", "level": "debug", "intent": "greet"}\n'))
    assert rasa_event["message"] == "rasa.core.processor.predict" and rasa_event["level"] == "DEBUG"
    assert rasa_event["logger"] == "rasa" and rasa_event["fields"] == {"intent": "greet"} and "time" in rasa_event
    plain = json.loads(as_json_line("actions", "[2026-12-07 10:00:00] [123] [WARNING] Sanic is slow\n"))
    assert plain == {**plain, "level": "WARNING", "logger": "actions", "message": "[2026-12-07 10:00:00] [123] [WARNING] Sanic is slow"}
    assert json.loads(as_json_line("rasa", "Traceback (most recent call last):\n"))["level"] == "ERROR"
    assert as_json_line("rasa", "   \n") is None


def test_the_supervisors_own_lines_are_json_lines_when_asked(tmp_path):
    import json

    from bot.supervision.supervisor import Supervisor

    out = io.StringIO()
    Supervisor([], tmp_path, out=out, json_logs=True).say("error: rasa stopped unexpectedly; restarting it")
    entry = json.loads(out.getvalue())
    assert entry["logger"] == "helpline.supervisor" and entry["level"] == "ERROR"
    assert entry["message"] == "error: rasa stopped unexpectedly; restarting it"


def test_configure_logging_gives_our_loggers_their_level_and_keeps_libraries_at_the_root_level():
    from wiring.log_settings import LogSettings
    from wiring.logs import OWN_LOGGERS, configure_logging

    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_levels = {name: logging.getLogger(name).level for name in OWN_LOGGERS}
    try:
        configure_logging([TOKEN], LogSettings("json", "DEBUG"), root_level=logging.WARNING)
        assert logging.getLogger("bot.gateway.worker").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram.ext").isEnabledFor(logging.INFO)  # its debug carries updates
        assert len(root.handlers) == 1
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
        logging.captureWarnings(False)


def test_a_database_errors_detail_line_never_reaches_a_log():
    logger, stream = logger_with_filter(Redactor([]))
    row = ", ".join(["7", "in", "tolong saya dipukul", "6281298765432"])
    error_text = f'null value in column "status"\nDETAIL:  Failing row contains ({row}).'
    try:
        raise RuntimeError(error_text)
    except RuntimeError:
        logger.exception("the turn could not be stored")
    written = stream.getvalue()
    assert "tolong saya dipukul" not in written and "6281298765432" not in written
    assert 'null value in column "status"' in written and "DETAIL: [removed" in written


def test_a_json_line_escapes_unicode_line_separators():
    from wiring.logs import json_line

    line = json_line("satu\u2028dua\u2029tiga\u0085empat", "bot")
    assert len(line.splitlines()) == 1 and "\\u2028" in line


def test_a_childs_json_with_any_field_names_is_still_one_line():
    import json

    from bot.supervision.log_lines import as_json_line

    entry = json.loads(as_json_line("rasa", '{"event": "x", "created": "abc", "message": "m", "fields": 1}\n'))
    assert entry["message"] == "x" and entry["fields"] == {"created": "abc", "message": "m", "fields": 1}
