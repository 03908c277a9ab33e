"""Reading the environment: KEY=VALUE lines from an optional `.env` file, and typed reads
with one-line English errors. The settings' sections (wiring/*_settings.py) read through it."""

from __future__ import annotations

from pathlib import Path


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


class Environment:
    """Typed reads of environment variables, each with a one-line English error."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name, "").strip()
        return value or default

    def get_int(self, name: str, default: int) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, got {raw!r}") from None

    def get_positive(self, name: str, default: int) -> int:
        value = self.get_int(name, default)
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
        return value

    def get_seconds(self, name: str, default: int) -> float:
        value = self.get_int(name, default)
        if value < 0:
            raise ValueError(f"{name} must be 0 or more seconds, got {value}")
        return float(value)

    def get_switch(self, name: str, default: bool) -> bool:
        raw = (self.get(name) or "").lower()
        if not raw:
            return default
        if raw in ("on", "true", "1", "yes"):
            return True
        if raw in ("off", "false", "0", "no"):
            return False
        raise ValueError(f"{name} must be on or off, got {raw!r}")

    def get_choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        raw = (self.get(name) or default).lower()
        if raw not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
        return raw
