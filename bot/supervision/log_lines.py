"""A child's output line as one JSON log line, for HELPLINE_LOG_FORMAT=json.

Our own processes already write JSON lines; Rasa's structured events are JSON with other
names (`event`, lower-case `level`); Rasa's and Sanic's plain lines and a crash's
traceback are text. Each becomes one object with the same four fields, so a log shipper
reads every file the same way.
"""

from __future__ import annotations

import json

from wiring.logs import json_line, level_of

FIELDS = ("time", "level", "logger", "message")


def as_json_line(service: str, line: str) -> str | None:
    """The line as one JSON object (with its newline), or None for an empty line."""
    stripped = line.rstrip("\r\n")
    if not stripped.strip():
        return None
    try:
        parsed = json.loads(stripped)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and all(name in parsed for name in FIELDS):
        return stripped + "\n"  # already ours
    if isinstance(parsed, dict):  # Rasa's structlog event: its own fields kept under "fields"
        message = str(parsed.pop("event") if "event" in parsed else parsed.pop("message", ""))
        level = str(parsed.pop("level", "info")).upper()
        logger = str(parsed.pop("logger", service))
        parsed.pop("time", None)
        return json_line(message, logger, level, fields=parsed or None) + "\n"
    return json_line(stripped, service, level_of(stripped)) + "\n"
