"""The officers' working hours (config/service_hours.yml): when a person can answer in the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


@dataclass(frozen=True)
class ServiceHours:
    zone: ZoneInfo
    hours: tuple[tuple[time, time] | None, ...]  # one per weekday, Monday first; None: closed

    @classmethod
    def load(cls, path: Path) -> "ServiceHours":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        zone = ZoneInfo(str(data.get("timezone") or "Asia/Jakarta"))
        table = data.get("hours") or {}
        hours = []
        for day in DAYS:
            value = str(table.get(day, "closed")).strip().lower()
            if value == "closed":
                hours.append(None)
                continue
            if value in ("24h", "00:00-24:00"):  # round the clock
                hours.append((time(0, 0), time.max))
                continue
            try:
                start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
            except ValueError:
                raise ValueError(f"{path}: {day}: expected HH:MM-HH:MM, 24h or closed, got {value!r}") from None
            if end <= start:
                raise ValueError(f"{path}: {day}: the hours end before they start")
            hours.append((start, end))
        return cls(zone, tuple(hours))

    def is_open(self, now: datetime) -> bool:
        if now.tzinfo is None:  # the app stores naive UTC
            now = now.replace(tzinfo=timezone.utc)
        local = now.astimezone(self.zone)
        today = self.hours[local.weekday()]
        return today is not None and today[0] <= local.time() < today[1]

    def describe(self, language: str) -> str:
        """"Senin–Jumat 08.00–20.00, Sabtu 08.00–14.00 WIB": consecutive days with the same hours joined."""
        names = DAY_NAMES["en" if language == "en" else "id"]
        parts: list[str] = []
        day = 0
        while day < 7:
            span = self.hours[day]
            last = day
            while last + 1 < 7 and self.hours[last + 1] == span:
                last += 1
            if span is not None:
                days = names[day] if last == day else f"{names[day]}–{names[last]}"
                end = "24.00" if span[1] == time.max else f"{span[1]:%H.%M}"
                parts.append(f"{days} {span[0]:%H.%M}–{end}")
            day = last + 1
        zone_name = "WIB" if str(self.zone) == "Asia/Jakarta" else str(self.zone)
        return ", ".join(parts) + f" {zone_name}"
