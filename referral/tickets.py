"""Ticket numbers: MPKS-YYYY-NNNNN (year of opening, per-year sequence, at least five digits)."""

from __future__ import annotations

import re

TICKET_PATTERN = re.compile(r"\bMPKS-(\d{4})-(\d{5,})\b", re.IGNORECASE)


class InvalidTicket(ValueError):
    pass


def format_ticket(year: int, sequence: int) -> str:
    if not 1000 <= year <= 9999:
        raise InvalidTicket(f"year must have four digits, got {year}")
    if sequence < 1:
        raise InvalidTicket(f"sequence starts at 1, got {sequence}")
    return f"MPKS-{year:04d}-{sequence:05d}"


def parse_ticket(text: str) -> tuple[int, int]:
    """Return (year, sequence) of a ticket written exactly, in any letter case."""
    match = TICKET_PATTERN.fullmatch(text.strip())
    if not match:
        raise InvalidTicket(f"not a ticket number: {text!r} (expected MPKS-YYYY-NNNNN)")
    return int(match.group(1)), int(match.group(2))


def find_ticket(text: str) -> str | None:
    """The first ticket mentioned in free text, normalised to upper case."""
    match = TICKET_PATTERN.search(text)
    return match.group(0).upper() if match else None
