"""The follow-up: some days after a case is closed, the reporter is asked once whether the
help arrived ("apakah bantuan sudah diterima?"), only when they agreed to be contacted in
the chat. The question and the answer are events on the case (and figures in the digest)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referral.lifecycle import CaseError
from referral.models import Case, CaseEvent, utcnow
from referral.tickets import find_ticket

FOLLOW_UP_DAYS = 3
FOLLOW_UP_WINDOW_DAYS = 14  # closed longer ago than this: too late to ask (and no flood on the first run)
SENT, ANSWERED = "follow_up_sent", "follow_up_answered"
_PAYLOAD_PREFIX = "tindak-lanjut"


def due_follow_ups(session: Session, *, now: datetime | None = None, after_days: int = FOLLOW_UP_DAYS) -> list[Case]:
    """Closed cases whose reporter agreed to be contacted in the chat, closed at least
    `after_days` ago, not asked yet."""
    now = now or utcnow()
    asked = select(CaseEvent.case_id).where(CaseEvent.kind == SENT)
    last_closed = (  # a case reopened and closed again counts from its latest closing
        select(CaseEvent.case_id, func.max(CaseEvent.at).label("at"))
        .where(CaseEvent.to_status == "closed")
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Case)
            .join(last_closed, last_closed.c.case_id == Case.id)
            .where(
                Case.status == "closed",
                Case.consent_contact.is_(True),
                Case.contact_preference == "chat",
                Case.conversation_id.is_not(None),
                last_closed.c.at <= now - timedelta(days=after_days),
                last_closed.c.at >= now - timedelta(days=FOLLOW_UP_WINDOW_DAYS),
                Case.id.not_in(asked),
            )
            .order_by(Case.id)
            .with_for_update(of=Case, skip_locked=True)  # two runs at once (a leader change) never ask twice
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
