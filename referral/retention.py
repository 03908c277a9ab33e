"""Retention: what a reporter told us is kept only as long as a case worker may need it.

Cases nobody has worked on for the retention period lose their description, the place as
written, the exact coordinates, the contact number and what facilities wrote about them;
any event older than the period loses the words it quoted. They keep category, urgency,
status, region codes and every time, so the figures stay true. Each erasure of a case is
an event on it, and a case is erased once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import Case, CaseEvent, utcnow

ERASED_EVENT = "details_erased"
PERSONAL_EVENT_KEYS = ("message", "location", "latitude", "longitude", "reason", "note")  # note: officers write about people


def erase_old_case_details(session: Session, *, days: int, now: datetime | None = None, batch: int = 500) -> int:
    """Erase the personal details of cases nobody has worked on for `days` (a case still
    being worked keeps them), and the reporter's words in any event older than that.
    Returns how many cases were erased in this batch."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    already = select(CaseEvent.case_id).where(CaseEvent.kind == ERASED_EVENT)
    cases = session.scalars(
        select(Case).where(Case.updated_at < cutoff, Case.id.not_in(already)).order_by(Case.id).limit(batch)
    ).all()
    for case in cases:
        case.description = None
        case.location_text = None
        case.latitude = case.longitude = None
        case.contact_phone = None
        for referral in case.referrals:
            referral.reason = None  # a facility's words about the reporter
        for event in case.events:
            _scrub(event)
        case.events.append(CaseEvent(at=now, actor="system", kind=ERASED_EVENT, detail={"retention_days": days}))
    # Cases still being worked: the events that have just grown older than the period (a
    # month's margin for nights the job did not run).
    recent_past = select(CaseEvent).where(
        CaseEvent.at < cutoff, CaseEvent.at >= cutoff - timedelta(days=30), CaseEvent.detail.is_not(None)
    )
    for event in session.scalars(recent_past):
        _scrub(event)
    session.flush()
    return len(cases)


def _scrub(event: CaseEvent) -> None:
    if event.detail and any(key in event.detail for key in PERSONAL_EVENT_KEYS):
        event.detail = {key: value for key, value in event.detail.items() if key not in PERSONAL_EVENT_KEYS}
