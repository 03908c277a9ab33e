"""How our processes log: plain text for a person at a terminal, or one JSON object per
line for a log shipper; and how much of our own code's detail to include."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wiring.environment import Environment

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class LogSettings:
    format: str = "text"
    level: str = "INFO"  # of the helpline's own loggers; libraries stay quieter

    @property
    def json(self) -> bool:
        return self.format == "json"

    @property
    def level_number(self) -> int:
        return logging.getLevelName(self.level)

    @classmethod
    def from_env(cls, env: Environment) -> "LogSettings":
        log_format = (env.get("HELPLINE_LOG_FORMAT") or "text").lower()
        if log_format not in LOG_FORMATS:
            raise ValueError(f"HELPLINE_LOG_FORMAT must be text or json, got {log_format!r}")
        level = (env.get("HELPLINE_LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"HELPLINE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
        return cls(format=log_format, level=level)
