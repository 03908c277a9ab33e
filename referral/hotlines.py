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
    # Kinds of danger (medical, suicide, ...) this number is listed first for, and the only
    # kinds it is given for (empty: every emergency).
    lead_for: tuple[str, ...] = ()
    only_for: tuple[str, ...] = ()


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
                lead_for=tuple(str(kind) for kind in entry.get("lead_for") or ()),
                only_for=tuple(str(kind) for kind in entry.get("only_for") or ()),
            )
        )
    if not hotlines:
        raise ValueError(f"{path}: no hotlines configured")
    return hotlines


def hotlines_for(hotlines: list[Hotline], kind: str | None = None) -> list[Hotline]:
    """The numbers for this kind of danger, the ones made for it first (119 for a medical
    emergency, the mental-health line for suicide); the file's order otherwise."""
    given = [h for h in hotlines if not h.only_for or kind in h.only_for]
    return sorted(given, key=lambda h: kind not in h.lead_for)


def format_hotlines(hotlines: list[Hotline], kind: str | None = None) -> str:
    """One line per number, as a reporter reads it in a chat."""
    lines = []
    for hotline in hotlines_for(hotlines, kind):
        line = f"• {hotline.number}: {hotline.name}"
        if hotline.whatsapp:
            line += f" (WhatsApp {hotline.whatsapp})"
        if hotline.note:
            line += f", {hotline.note}"
        lines.append(line)
    return "\n".join(lines)
