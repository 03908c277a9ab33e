"""Handoff requests: a reporter wants a person. Recorded here; the officers' side acts on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.models import HandoffRequest
from referral.models import Case, CaseAlert, utcnow

HANDOFF_REASONS = ("asked",)  # the officers' side may add its own (an emergency, say)


def request_handoff(
    session: Session, conversation_id: int, reason: str, *, now: datetime | None = None
) -> tuple[HandoffRequest, bool]:
    """Record that this conversation needs a person; returns (request, is_new). The case is
    the conversation's latest open one, if any. Asking again while a request is open
    returns that request."""
    if reason not in HANDOFF_REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    open_request = session.scalar(
        select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.status == "open")
    )
    if open_request is not None:
        return open_request, False
    case_id = session.scalar(
        select(Case.id)
        .where(Case.conversation_id == conversation_id, Case.status != "closed")
        .order_by(Case.id.desc())
        .limit(1)
    )
    request = HandoffRequest(
        conversation_id=conversation_id, case_id=case_id, reason=reason, status="open", created_at=now or utcnow()
    )
    session.add(request)
    # The on-duty officers hear of it, with a button to take the conversation over.
    session.add(CaseAlert(case_id=case_id, conversation_id=conversation_id, reason="handoff", created_at=request.created_at))
    session.flush()
    return request, True
