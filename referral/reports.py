"""Service functions the dialogue calls: open a case from a conversation, look one up.

They take a Session (the caller's unit of work) and the reporter and conversation
ids the caller found for the message; they know nothing of Rasa or of chat channels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.cases import NewCase, get_case, open_case
from referral.lifecycle import CaseError
from referral.models import Case, CaseAlert, CaseEvent, utcnow

# A second emergency message within this time, while the first emergency case is still
# open, is the same emergency going on: it is added to that case (and officers alerted
# again) instead of opening another.
SAME_EMERGENCY_HOURS = 6


@dataclass(frozen=True)
class Report:
    category: str
    reporter_id: int | None = None  # who reported, from which conversation (None: unknown)
    conversation_id: int | None = None
    source_message_id: int | None = None  # the reporter's message this report comes from
    is_emergency: bool = False
    victim: str | None = None
    description: str | None = None
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def already_opened(session: Session, report: Report) -> Case | None:
    """The case this same reporter message opened before: Rasa can run a turn twice (a call
    cut off and retried), and the second run must find the first run's case, not open another."""
    if report.conversation_id is None or report.source_message_id is None:
        return None
    return session.scalar(
        select(Case).where(
            Case.conversation_id == report.conversation_id, Case.source_message_id == report.source_message_id
        )
    )


def open_report(session: Session, report: Report) -> Case:
    existing = already_opened(session, report)
    if existing is not None:
        return existing
    new = NewCase(
        category=report.category,
        is_emergency=report.is_emergency,
        victim=report.victim,
        description=report.description,
        reporter_id=report.reporter_id,
        conversation_id=report.conversation_id,
        source_message_id=report.source_message_id,
        location_text=report.location_text,
        latitude=report.latitude,
        longitude=report.longitude,
    )
    return open_case(session, new, actor="bot")


def report_emergency(session: Session, report: Report, *, now: datetime | None = None) -> tuple[Case, bool]:
    """Danger now: open an emergency case, or, while this conversation's emergency case
    from the last hours is still open, record the new message on it. Either way officers
    are alerted (a CaseAlert, sent by the gateway). Returns (case, is_new)."""
    now = now or utcnow()
    repeated_turn = already_opened(session, report)
    if repeated_turn is not None:
        return repeated_turn, True
    ongoing = None
    if report.conversation_id is not None:
        ongoing = session.scalar(
            select(Case)
            .where(
                Case.conversation_id == report.conversation_id,
                Case.is_emergency.is_(True),
                Case.status != "closed",
                Case.created_at >= now - timedelta(hours=SAME_EMERGENCY_HOURS),
            )
            .order_by(Case.id.desc())
            .limit(1)
        )
    if ongoing is None:
        case = open_report(session, replace(report, is_emergency=True))
        session.add(CaseAlert(case_id=case.id, reason="emergency", created_at=now))
        return case, True
    if any(
        event.kind == "emergency_repeated" and (event.detail or {}).get("message_id") == report.source_message_id
        for event in ongoing.events
        if report.source_message_id is not None
    ):
        return ongoing, False  # this very message was recorded by an earlier run of the turn
    ongoing.events.append(
        CaseEvent(
            at=now,
            actor="bot",
            kind="emergency_repeated",
            detail={"message": report.description, "message_id": report.source_message_id},
        )
    )
    session.add(CaseAlert(case_id=ongoing.id, reason="emergency_repeated", created_at=now))
    session.flush()
    return ongoing, False


def add_location(session: Session, ticket: str, report: Report) -> Case:
    """Complete the emergency case this conversation just opened with where it is.

    Only a case of this conversation that has no place yet is filled in; a place given
    for a case that already has one is recorded as an event and changes nothing else.
    """
    case = get_case(session, ticket)
    if report.conversation_id is None or case.conversation_id != report.conversation_id or case.status == "closed":
        raise CaseError(f"case {ticket} cannot be completed from this conversation")
    has_place = case.location_text is not None or case.latitude is not None
    if has_place:
        case.events.append(
            CaseEvent(
                actor="bot",
                kind="location_given",
                detail={"location": report.location_text, "latitude": report.latitude, "longitude": report.longitude},
            )
        )
    else:
        case.location_text = report.location_text
        if report.latitude is not None and report.longitude is not None:
            case.latitude, case.longitude = report.latitude, report.longitude
    if report.victim and not case.victim:
        case.victim = report.victim
    session.flush()
    return case


def case_for_reporter(session: Session, reporter_id: int | None, ticket: str) -> Case:
    """A case, only if it was reported by this same reporter.

    Nobody learns about someone else's case by guessing ticket numbers.
    """
    case = get_case(session, ticket)
    if reporter_id is None or case.reporter_id != reporter_id:
        raise CaseError(f"no case with ticket {ticket}")
    return case
