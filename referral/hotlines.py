"""Emergency hotline numbers, read from configuration (config/hotlines.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Hotline:
    number: str
    name: str
    source: str
    note: str | None = None
    whatsapp: str | None = None


def load_hotlines(path: Path) -> list[Hotline]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    hotlines = []
    for index, entry in enumerate(data.get("hotlines") or [], start=1):
        missing = [key for key in ("number", "name", "source") if not entry.get(key)]
        if missing:
            raise ValueError(f"{path}: hotline #{index} lacks {', '.join(missing)}")
        hotlines.append(
            Hotline(
                number=str(entry["number"]),
                name=str(entry["name"]),
                source=str(entry["source"]),
                note=entry.get("note"),
                whatsapp=entry.get("whatsapp"),
            )
        )
    if not hotlines:
        raise ValueError(f"{path}: no hotlines configured")
    return hotlines


def format_hotlines(hotlines: list[Hotline]) -> str:
    """One line per number, as a reporter reads it in a chat."""
    lines = []
    for hotline in hotlines:
        line = f"• {hotline.number}: {hotline.name}"
        if hotline.whatsapp:
            line += f" (WhatsApp {hotline.whatsapp})"
        if hotline.note:
            line += f", {hotline.note}"
        lines.append(line)
    return "\n".join(lines)
