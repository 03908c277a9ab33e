"""The duty roster: who is on duty when, in Asia/Jakarta time (WIB).

A weekly pattern ("mon-fri 08:00-16:00", "sun 22:00-06:00" runs into Monday) plus
exceptions on dates ("2026-12-25" off all day, "2026-12-24 20:00-08:00" on). An
exception beats the pattern; an officer's own /siaga or /selesai_siaga beats both
until it runs out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from referral.models import DutyShift, Officer

WIB = ZoneInfo("Asia/Jakarta")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS_ID = ("sen", "sel", "rab", "kam", "jum", "sab", "min")  # Senin … Minggu
DAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
TIMES = re.compile(r"([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])")


class RosterError(ValueError):
    """A roster line could not be read; the message says what was expected."""


@dataclass(frozen=True)
class Shift:
    weekday: int | None
    on_date: str | None
    starts: str
    ends: str
    on_duty: bool = True


def _day(name: str) -> int:
    key = name.strip().lower()[:3]
    for table in (DAYS, DAYS_ID):
        if key in table:
            return table.index(key)
    raise RosterError(f"unknown day {name!r}; use mon tue wed thu fri sat sun")


def _days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = (_day(p) for p in part.split("-", 1))
            span = (last - first) % 7
            days.extend((first + i) % 7 for i in range(span + 1))
        else:
            days.append(_day(part))
    return sorted(set(days))


def _times(spec: str) -> tuple[str, str]:
    match = TIMES.fullmatch(spec.strip())
    if not match:
        raise RosterError(f"times {spec!r} should look like 08:00-16:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or (h2 == 24 and m2):
        raise RosterError(f"times {spec!r} are not times of day")
    starts, ends = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
    if starts == ends:
        raise RosterError(f"times {spec!r} start and end at the same minute")
    return starts, ends


def parse_weekly(spec: str) -> list[Shift]:
    """'mon-fri 08:00-16:00' → one shift per day."""
    parts = spec.split()
    if len(parts) != 2:
        raise RosterError(f"weekly shift {spec!r} should look like 'mon-fri 08:00-16:00'")
    starts, ends = _times(parts[1])
    return [Shift(weekday=day, on_date=None, starts=starts, ends=ends) for day in _days(parts[0])]


def parse_exception(spec: str, *, on_duty: bool) -> Shift:
    """'2026-12-25' (the whole day) or '2026-12-24 20:00-08:00'."""
    parts = spec.split()
    if not parts or len(parts) > 2:
        raise RosterError(f"exception {spec!r} should look like '2026-12-25' or '2026-12-24 20:00-08:00'")
    try:
        day = date.fromisoformat(parts[0])
    except ValueError:
        raise RosterError(f"{parts[0]!r} is not a date (YYYY-MM-DD)") from None
    starts, ends = _times(parts[1]) if len(parts) == 2 else ("00:00", "24:00")
    return Shift(weekday=None, on_date=day.isoformat(), starts=starts, ends=ends, on_duty=on_duty)


def _span(day: date, starts: str, ends: str) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.fromisoformat(starts), WIB)
    if ends == "24:00":
        end = datetime.combine(day + timedelta(days=1), time(0), WIB)
    else:
        end = datetime.combine(day, time.fromisoformat(ends), WIB)
        if end <= start:  # runs past midnight
            end += timedelta(days=1)
    return start, end


def covering(shifts: list[DutyShift] | list[Shift], now: datetime) -> list[tuple[object, datetime]]:
    """The shifts that cover `now`, with when each ends."""
    local = now.astimezone(WIB)
    found = []
    for day in (local.date(), local.date() - timedelta(days=1)):
        for shift in shifts:
            applies = shift.on_date == day.isoformat() if shift.on_date else shift.weekday == day.weekday()
            if not applies:
                continue
            start, end = _span(day, shift.starts, shift.ends)
            if start <= local < end:
                found.append((shift, end))
    return found


def rostered_until(shifts, now: datetime) -> datetime | None:
    """When the rostered duty covering `now` ends; None when the roster has them off now."""
    found = covering(shifts, now)
    if any(not s.on_duty for s, _ in found if s.on_date):
        return None
    on_dates = [end for s, end in found if s.on_date and s.on_duty]
    weekly = [end for s, end in found if not s.on_date]
    ends = on_dates or weekly
    return max(ends) if ends else None


def is_on_duty(officer: Officer, now: datetime) -> bool:
    if officer.duty_override and officer.duty_override_until and officer.duty_override_until > now:
        return officer.duty_override == "on"
    return rostered_until(officer.shifts, now) is not None


def describe(shift: DutyShift | Shift) -> str:
    """A roster line as a coordinator writes it."""
    times = f"{shift.starts}-{shift.ends}"
    if shift.on_date:
        whole_day = times == "00:00-24:00"
        return f"{'on' if shift.on_duty else 'off'} {shift.on_date}" + ("" if whole_day else f" {times}")
    return f"{DAYS[shift.weekday]} {times}"
