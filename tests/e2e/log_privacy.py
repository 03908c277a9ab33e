"""No reporter's words, phone number or chat id in any log line.

After a stack has run its tests (and stopped, so its shutdown lines are in too), every
personal value its database holds is looked for in every log it wrote: the supervisor's
own output and each service's file under the data folder. The values come from the
database, not from a list in the tests, so a new test's messages are checked too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from referral.storage import make_engine

MIN_TEXT_CHARS = 12  # shorter texts ("ya", "halo", "2") are ordinary words in any log
TEXT_PIECE_CHARS = 24  # a longer text is looked for piece by piece
MIN_NUMBER_DIGITS = 9  # longer than any pid or port, so a number found is the number

PERSONAL_VALUES = {
    "reporter's message": "SELECT text FROM messages WHERE direction = 'in' AND text IS NOT NULL",
    "message address": "SELECT address FROM messages WHERE address IS NOT NULL",
    "conversation address": "SELECT channel_address FROM conversations WHERE channel_address IS NOT NULL",
    "case description": "SELECT description FROM cases WHERE description IS NOT NULL",
    "contact number": "SELECT contact_phone FROM cases WHERE contact_phone IS NOT NULL",
    "officer chat id": "SELECT telegram_chat_id FROM officers WHERE telegram_chat_id IS NOT NULL",
}


@dataclass
class Findings:
    checked: dict[str, int] = field(default_factory=dict)  # kind -> how many values were looked for
    leaks: list[str] = field(default_factory=list)


def personal_values(database_url: str) -> dict[str, set[str]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            found = {kind: {row[0] for row in connection.execute(text(query))} for kind, query in PERSONAL_VALUES.items()}
    finally:
        engine.dispose()
    return {kind: {value.strip() for value in values if value and value.strip()} for kind, values in found.items()}


def searchable(value: str) -> re.Pattern | None:
    """A pattern for `value`, or None when it is too short to tell apart from other text."""
    digits = re.sub(r"[\s+().-]", "", value)
    if digits.isdigit():
        if len(digits) < MIN_NUMBER_DIGITS:
            return None
        forms = {digits}
        if digits.startswith("62"):  # an Indonesian number is written +62… or 0…
            forms.add("0" + digits[2:])
        elif digits.startswith("0"):
            forms.add("62" + digits[1:])
        return re.compile("|".join(rf"(?<!\d){re.escape(form)}(?!\d)" for form in sorted(forms)))
    if len(value) < MIN_TEXT_CHARS:
        return None
    # A log that cuts a message short still leaks it: any cut of 48 characters or more holds
    # one of these 24-character pieces. Looked for as written or JSON-escaped (with or
    # without \u escapes for what is not ASCII).
    pieces = [value[start:start + TEXT_PIECE_CHARS] for start in range(0, len(value), TEXT_PIECE_CHARS)]
    pieces = [piece for piece in pieces if len(piece) >= MIN_TEXT_CHARS] or [value]
    forms = set()
    for piece in pieces:
        forms |= {piece, json.dumps(piece)[1:-1], json.dumps(piece, ensure_ascii=False)[1:-1]}
    return re.compile("|".join(re.escape(form) for form in sorted(forms)), re.IGNORECASE)


def log_lines(data_dir: Path, output: list[str]) -> list[tuple[str, str]]:
    lines = [("helpline run", line) for line in output]
    for path in sorted((data_dir / "log").glob("*.log")):
        # split("\n"), not splitlines(): a JSON line may hold an escaped U+2028, never a raw newline
        lines += [(path.name, line) for line in path.read_text(encoding="utf-8", errors="replace").split("\n") if line]
    return lines


def find_leaks(database_url: str, data_dir: Path, output: list[str]) -> Findings:
    findings = Findings()
    lines = log_lines(data_dir, output)
    for kind, values in personal_values(database_url).items():
        patterns = [pattern for pattern in map(searchable, values) if pattern]
        findings.checked[kind] = len(patterns)
        for pattern in patterns:
            for source, line in lines:
                if pattern.search(line):
                    findings.leaks.append(f"{kind} in {source}: {line[:200]}")
    return findings


def assert_logs_private(stack, expect: tuple[str, ...] = ("reporter's message",)) -> Findings:
    """Fail on any personal value in the stack's logs; `expect` names the kinds this stack
    must have held, so a check that found nothing to look for cannot pass unnoticed."""
    findings = find_leaks(stack.database_url, stack.data_dir, stack.output)
    assert findings.leaks == [], "personal data in the logs:\n" + "\n".join(findings.leaks[:20])
    missing = [kind for kind in expect if not findings.checked.get(kind)]
    assert missing == [], f"nothing of {missing} to look for: the check would prove nothing ({findings.checked})"
    return findings
