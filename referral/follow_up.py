"""The follow-up: some days after a case is closed, the reporter is asked once whether the
help arrived ("apakah bantuan sudah diterima?"), only when they agreed to be contacted in
the chat. The question and the answer are events on the case (and figures in the digest)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.lifecycle import CaseError
from referral.models import Case, CaseEvent, utcnow
from referral.tickets import find_ticket

FOLLOW_UP_DAYS = 3
SENT, ANSWERED = "follow_up_sent", "follow_up_answered"
_PAYLOAD_PREFIX = "tindak-lanjut"


def due_follow_ups(session: Session, *, now: datetime | None = None, after_days: int = FOLLOW_UP_DAYS) -> list[Case]:
    """Closed cases whose reporter agreed to be contacted in the chat, closed at least
    `after_days` ago, not asked yet."""
    closed_before = (now or utcnow()) - timedelta(days=after_days)
    asked = select(CaseEvent.case_id).where(CaseEvent.kind == SENT)
    closed_long_enough = select(CaseEvent.case_id).where(CaseEvent.to_status == "closed", CaseEvent.at <= closed_before)
    return list(
        session.scalars(
            select(Case).where(
                Case.status == "closed",
                Case.consent_contact.is_(True),
                Case.contact_preference == "chat",
                Case.conversation_id.is_not(None),
                Case.id.in_(closed_long_enough),
                Case.id.not_in(asked),
            ).order_by(Case.id)
        )
    )


def answer_payloads(ticket: str) -> tuple[str, str]:
    """What the two buttons send: (received, not received)."""
    return f"{_PAYLOAD_PREFIX} {ticket} ya", f"{_PAYLOAD_PREFIX} {ticket} belum"


def read_answer(text: str) -> tuple[str, bool] | None:
    """(ticket, received) when `text` is one of the follow-up buttons' payloads."""
    parts = (text or "").strip().split()
    if len(parts) != 3 or parts[0] != _PAYLOAD_PREFIX or parts[2] not in ("ya", "belum"):
        return None
    ticket = find_ticket(parts[1])
    return (ticket, parts[2] == "ya") if ticket else None


def record_sent(case: Case, *, now: datetime | None = None) -> None:
    case.events.append(CaseEvent(at=now or utcnow(), actor="bot", kind=SENT))


def record_answer(session: Session, ticket: str, conversation_id: int, received: bool) -> Case:
    """The reporter's answer, once, on their own case only."""
    case = session.scalar(select(Case).where(Case.ticket == ticket))
    if case is None or case.conversation_id != conversation_id:
        raise CaseError(f"no case with ticket {ticket} in this conversation")
    if not any(event.kind == ANSWERED for event in case.events):
        case.events.append(CaseEvent(actor="reporter", kind=ANSWERED, detail={"received": received}))
        session.flush()
    return case
