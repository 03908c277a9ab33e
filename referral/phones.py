"""Indonesian phone numbers as reporters type them: 0812-3456-7890, +62 812 3456 7890, 62812…"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-.()/]")
# After the country code: a mobile number (8xx…, 9–12 digits) or a landline with its
# area code (2x…–7x…, 8–11 digits).
_NATIONAL = re.compile(r"(8\d{8,11}|[2-7]\d{7,10})")


def normalise_phone(text: str) -> str | None:
    """The number in international form (+62…), or None when it is not an Indonesian number."""
    compact = _SEPARATORS.sub("", text.strip())
    for prefix in ("+62", "62", "0"):
        if compact.startswith(prefix):
            national = compact[len(prefix):]
            if prefix != "0" and national.startswith("0"):  # "+62 0812…": the trunk 0 written too
                national = national[1:]
            return f"+62{national}" if _NATIONAL.fullmatch(national) else None
    return None


_CANDIDATE = re.compile(r"(?<![\w+])(\+?62|0)[\d\s\-.()/]{7,20}\d")


def find_phone(text: str) -> str | None:
    """The first Indonesian number in a reply ("nomor saya 0812-3456-7890 ya"), normalised."""
    for match in _CANDIDATE.finditer(text or ""):
        number = normalise_phone(match.group(0))
        if number:
            return number
    return None
