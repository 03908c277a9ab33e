"""Retention: what a reporter told us is kept only as long as a case worker may need it.

Cases older than the retention period lose their description, the place as written, the
exact coordinates, the contact number and the reporter's words quoted in events; they keep
category, urgency, status, region codes and every time, so the figures stay true. Each
erasure is an event on the case, and a case is erased once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import Case, CaseEvent, utcnow

ERASED_EVENT = "details_erased"
PERSONAL_EVENT_KEYS = ("message", "location", "latitude", "longitude", "reason")


def erase_old_case_details(session: Session, *, days: int, now: datetime | None = None, batch: int = 500) -> int:
    """Erase the personal details of cases opened more than `days` ago; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    already = select(CaseEvent.case_id).where(CaseEvent.kind == ERASED_EVENT)
    cases = session.scalars(
        select(Case).where(Case.created_at < cutoff, Case.id.not_in(already)).order_by(Case.id).limit(batch)
    ).all()
    for case in cases:
        case.description = None
        case.location_text = None
        case.latitude = case.longitude = None
        case.contact_phone = None
        for event in case.events:
            if event.detail and any(key in event.detail for key in PERSONAL_EVENT_KEYS):
                event.detail = {key: value for key, value in event.detail.items() if key not in PERSONAL_EVENT_KEYS}
        case.events.append(CaseEvent(at=now or utcnow(), actor="system", kind=ERASED_EVENT, detail={"retention_days": days}))
    session.flush()
    return len(cases)
