"""The second tier of emergencies: a message only the classifier took for danger now.

The reporter gets the hotline numbers at once and one question ("is anyone in danger
now?"). Their *Ya* is the emergency path (the action that opens the emergency case settles
the check in the same transaction); *Tidak* settles it as denied; a report that goes on
settles it with its case; no clear answer within a few minutes, or a skipped question,
opens a case marked as a possible emergency, for officers to look at (alerted again, on
slower timers than an emergency, until an officer opens its summary or takes it over). An
answer that comes after that is noted on that case. The words of the message are kept only
while the question is open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import Case, CaseEvent, EmergencyCheck, utcnow
from referral.reports import Report, open_report

CONFIRMED, DENIED, EXPIRED, REPORTED, TAKEN_OVER = "confirmed", "denied", "expired", "reported", "taken_over"
# An answer this soon after the question expired is still noted on the case it became.
LATE_ANSWER = timedelta(hours=6)


def open_check(session: Session, conversation_id: int | None) -> EmergencyCheck | None:
    """The conversation's open question, locked (the worker may be expiring it right now)."""
    if conversation_id is None:
        return None
    return session.scalar(
        select(EmergencyCheck)
        .where(EmergencyCheck.conversation_id == conversation_id, EmergencyCheck.settled_at.is_(None))
        .order_by(EmergencyCheck.id.desc())
        .limit(1)
        .with_for_update()
    )


def _recently_expired(session: Session, conversation_id: int | None, now: datetime) -> EmergencyCheck | None:
    if conversation_id is None:
        return None
    return session.scalar(
        select(EmergencyCheck)
        .where(
            EmergencyCheck.conversation_id == conversation_id,
            EmergencyCheck.outcome == EXPIRED,
            EmergencyCheck.settled_at >= now - LATE_ANSWER,
        )
        .order_by(EmergencyCheck.id.desc())
        .limit(1)
    )


def ask(session: Session, report: Report, *, now: datetime | None = None) -> EmergencyCheck:
    """Record that the question was asked (one open question per conversation: asking
    again keeps the first, with the newer story)."""
    now = now or utcnow()
    check = open_check(session, report.conversation_id)
    if check is None:
        check = EmergencyCheck(conversation_id=report.conversation_id, asked_at=now)
        session.add(check)
    check.reporter_id = report.reporter_id
    check.source_message_id = report.source_message_id
    check.category = report.category
    check.description = report.description
    session.flush()
    return check


def settle(session: Session, conversation_id: int | None, outcome: str, *, case: Case | None = None,
           now: datetime | None = None) -> EmergencyCheck | None:
    """The reporter answered (confirmed or denied), the report went on to a case of its
    own (reported), or an officer took the conversation over: the open question, if any,
    is closed and its copy of their words dropped. An answer to a question that already
    became a possible-emergency case is noted on that case for the officers."""
    now = now or utcnow()
    check = open_check(session, conversation_id)
    if check is None:
        late = _recently_expired(session, conversation_id, now) if outcome in (CONFIRMED, DENIED) else None
        if late is not None and late.case_id is not None:
            session.add(CaseEvent(case_id=late.case_id, at=now, actor="reporter", kind="danger_answer",
                                  detail={"answer": outcome, "emergency_case_id": case.id if case else None}))
            session.flush()
        return None
    close(check, outcome, now=now, case=case)
    session.flush()
    return check


def close(check: EmergencyCheck, outcome: str, *, now: datetime, case: Case | None = None) -> None:
    check.settled_at, check.outcome, check.description = now, outcome, None
    if case is not None:
        check.case_id = case.id


def expire_open(session: Session, conversation_id: int | None, *, now: datetime | None = None) -> list[Case]:
    """The reporter skipped the question (or could not answer it): a possible-emergency case
    now, without waiting."""
    check = open_check(session, conversation_id)
    return expire(session, [check], now=now) if check is not None else []


def unanswered(session: Session, *, now: datetime, wait: timedelta) -> list[EmergencyCheck]:
    """Questions open for `wait` or longer, locked (two workers never take the same one)."""
    return list(
        session.scalars(
            select(EmergencyCheck)
            .where(EmergencyCheck.settled_at.is_(None), EmergencyCheck.asked_at <= now - wait)
            .order_by(EmergencyCheck.id)
            .with_for_update(skip_locked=True)
        )
    )


def expire(session: Session, checks: list[EmergencyCheck], *, now: datetime | None = None) -> list[Case]:
    """Each question becomes a case marked as a possible emergency (not the emergency path:
    no hotline case, but its alert repeats until an officer looks)."""
    now = now or utcnow()
    opened = []
    for check in checks:
        report = Report(
            category=check.category,
            reporter_id=check.reporter_id,
            conversation_id=check.conversation_id,
            source_message_id=check.source_message_id,
            description=check.description,
            alert_reason="possible_emergency",
        )
        case = open_report(session, report)
        case.events.append(
            CaseEvent(at=now, actor="bot", kind="possible_emergency", detail={"asked_at": check.asked_at.isoformat()})
        )
        close(check, EXPIRED, now=now, case=case)
        opened.append(case)
    session.flush()
    return opened

