"""Service functions the dialogue calls: open a case from a conversation, look one up.

They take a Session (the caller's unit of work) and a conversation's engine
sender id; they know nothing of Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from referral.cases import NewCase, get_case, open_case
from referral.lifecycle import CaseError
from referral.messages import find_conversation
from referral.models import Case


@dataclass(frozen=True)
class Report:
    sender_id: str
    category: str
    is_emergency: bool = False
    victim: str | None = None
    description: str | None = None
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def open_report(session: Session, report: Report) -> Case:
    conversation = find_conversation(session, report.sender_id)
    new = NewCase(
        category=report.category,
        is_emergency=report.is_emergency,
        victim=report.victim,
        description=report.description,
        reporter_id=conversation.reporter_id if conversation else None,
        conversation_id=conversation.id if conversation else None,
        location_text=report.location_text,
        latitude=report.latitude,
        longitude=report.longitude,
    )
    return open_case(session, new, actor="bot")


def add_location(session: Session, ticket: str, report: Report) -> Case:
    """Complete an already opened case (an emergency opened first) with where it is."""
    case = get_case(session, ticket)
    case.location_text = report.location_text or case.location_text
    if report.latitude is not None and report.longitude is not None:
        case.latitude, case.longitude = report.latitude, report.longitude
    if report.victim and not case.victim:
        case.victim = report.victim
    session.flush()
    return case


def case_for_reporter(session: Session, sender_id: str, ticket: str) -> Case:
    """A case, only if it was reported from this same conversation's reporter.

    Nobody learns about someone else's case by guessing ticket numbers.
    """
    case = get_case(session, ticket)
    conversation = find_conversation(session, sender_id)
    if conversation is None or case.reporter_id != conversation.reporter_id:
        raise CaseError(f"no case with ticket {ticket}")
    return case
