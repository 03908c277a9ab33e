"""Case statuses and the transitions the contract allows.

new → referred (a facility is chosen) → accepted (the facility confirms)
→ in_progress → closed; declined sends a referred case back to routing.
"""

from __future__ import annotations

CATEGORIES = ("violence", "bullying", "elderly_care", "aid")
URGENCIES = ("emergency", "high", "normal")
STATUSES = ("new", "referred", "accepted", "in_progress", "closed")

# 'declined' is an event on a referral, not a resting status: the case returns to 'new'.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"referred", "closed"}),
    "referred": frozenset({"accepted", "new", "closed"}),
    "accepted": frozenset({"in_progress", "closed"}),
    "in_progress": frozenset({"closed"}),
    "closed": frozenset(),
}

INTENT_TO_CATEGORY = {
    "report_violence": "violence",
    "report_bullying": "bullying",
    "request_elderly_care": "elderly_care",
    "request_aid": "aid",
}


class CaseError(ValueError):
    """A domain rule was broken; the message says which, in plain English."""


class IllegalTransition(CaseError):
    def __init__(self, ticket: str, current: str, wanted: str) -> None:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS.get(current, ()))) or "none (the case is closed)"
        super().__init__(
            f"case {ticket} cannot go from '{current}' to '{wanted}'; allowed next: {allowed}"
        )
        self.current = current
        self.wanted = wanted


def check_transition(ticket: str, current: str, wanted: str) -> None:
    if wanted not in STATUSES:
        raise CaseError(f"unknown case status {wanted!r}; expected one of {', '.join(STATUSES)}")
    if wanted not in ALLOWED_TRANSITIONS[current]:
        raise IllegalTransition(ticket, current, wanted)
