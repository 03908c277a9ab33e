"""The second tier of emergencies: a message only the classifier took for danger now.

The reporter gets the hotline numbers at once and one question ("is anyone in danger
now?"). Their *Ya* is the emergency path (referral.reports.report_emergency settles the
check); *Tidak* settles it as denied; no answer within a few minutes opens a case marked
as a possible emergency, for officers to look at like any new report (one alert, no
repeats). The words of the message are kept only while the question is open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import Case, CaseEvent, EmergencyCheck, utcnow
from referral.reports import Report, open_report

CONFIRMED, DENIED, EXPIRED = "confirmed", "denied", "expired"
DEFAULT_WAIT = timedelta(minutes=5)


def open_check(session: Session, conversation_id: int | None) -> EmergencyCheck | None:
    if conversation_id is None:
        return None
    return session.scalar(
        select(EmergencyCheck)
        .where(EmergencyCheck.conversation_id == conversation_id, EmergencyCheck.settled_at.is_(None))
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
    """The reporter answered (confirmed or denied): the open question, if any, is closed
    and its copy of their words dropped."""
    check = open_check(session, conversation_id)
    if check is None:
        return None
    check.settled_at = now or utcnow()
    check.outcome = outcome
    check.description = None
    if case is not None:
        check.case_id = case.id
    session.flush()
    return check


def expire_unanswered(session: Session, *, now: datetime | None = None, wait: timedelta = DEFAULT_WAIT) -> list[Case]:
    """Every question left unanswered for `wait` becomes a case marked as a possible
    emergency (not the emergency path: one alert, no repeats). Rows are locked, so two
    workers never open two cases for one question."""
    now = now or utcnow()
    due = list(
        session.scalars(
            select(EmergencyCheck)
            .where(EmergencyCheck.settled_at.is_(None), EmergencyCheck.asked_at <= now - wait)
            .order_by(EmergencyCheck.id)
            .with_for_update(skip_locked=True)
        )
    )
    opened = []
    for check in due:
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
        check.settled_at, check.outcome, check.case_id, check.description = now, EXPIRED, case.id, None
        opened.append(case)
    session.flush()
    return opened

