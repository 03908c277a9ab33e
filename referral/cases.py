"""Opening cases and moving them through their lifecycle.

Functions take a Session and never commit: the caller's unit of work decides,
so a case, its ticket and its first event are written together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from referral.lifecycle import URGENCIES, CaseError, check_transition
from referral.urgency import assess_urgency
from referral.models import Case, CaseEvent, TicketCounter, utcnow
from referral.storage import insert_for
from referral.tickets import format_ticket


@dataclass(frozen=True)
class NewCase:
    category: str
    is_emergency: bool = False
    victim: str | None = None
    description: str | None = None
    reporter_id: int | None = None
    conversation_id: int | None = None
    source_message_id: int | None = None
    location_text: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    urgency: str | None = None  # computed from the facts when not given
    ongoing: bool = False  # the reporter said the abuse is still going on
    consent_contact: bool = False
    contact_preference: str | None = None  # chat | phone | none (anonymous); None: not asked
    contact_phone: str | None = None  # only with consent


def next_ticket(session: Session, year: int) -> str:
    """Take the next sequence number for `year` under a row lock.

    The counter row is created if missing (ON CONFLICT DO NOTHING), then
    incremented with UPDATE … RETURNING, which locks the row until the caller
    commits: concurrent openers queue and never get the same number. A rolled
    back transaction rolls its increment back too, so the next case takes that
    number: committed tickets are consecutive, and no two cases ever share one.
    """
    insert = insert_for(session)
    session.execute(
        insert(TicketCounter).values(year=year, last_value=0).on_conflict_do_nothing(index_elements=["year"])
    )
    sequence = session.execute(
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last_value=TicketCounter.last_value + 1)
        .returning(TicketCounter.last_value)
    ).scalar_one()
    return format_ticket(year, sequence)


def open_case(session: Session, new: NewCase, *, actor: str, now: datetime | None = None) -> Case:
    now = now or utcnow()
    if new.urgency is not None and new.urgency not in URGENCIES:
        raise CaseError(f"unknown urgency {new.urgency!r}; expected one of {', '.join(URGENCIES)}")
    urgency = new.urgency or assess_urgency(
        new.category, is_emergency=new.is_emergency, victim=new.victim, ongoing=new.ongoing, description=new.description
    )
    if new.contact_phone and not new.consent_contact:
        raise CaseError("a phone number is kept only with the reporter's consent to be contacted")
    case = Case(
        ticket=next_ticket(session, now.year),
        category=new.category,
        is_emergency=new.is_emergency,
        urgency=urgency,
        status="new",
        description=new.description,
        victim=new.victim,
        reporter_id=new.reporter_id,
        conversation_id=new.conversation_id,
        source_message_id=new.source_message_id,
        location_text=new.location_text,
        province_code=new.province_code,
        regency_code=new.regency_code,
        district_code=new.district_code,
        latitude=new.latitude,
        longitude=new.longitude,
        consent_contact=new.consent_contact,
        contact_preference=new.contact_preference,
        contact_phone=new.contact_phone,
        created_at=now,
        updated_at=now,
    )
    case.events.append(CaseEvent(at=now, actor=actor, kind="opened", to_status="new"))
    session.add(case)
    session.flush()
    return case


def change_status(
    session: Session, case: Case, to_status: str, *, actor: str, detail: dict | None = None
) -> CaseEvent:
    check_transition(case.ticket, case.status, to_status)
    event = CaseEvent(actor=actor, kind="status", from_status=case.status, to_status=to_status, detail=detail)
    case.status = to_status
    case.events.append(event)
    session.flush()
    return event


def get_case(session: Session, ticket: str) -> Case:
    case = session.scalar(select(Case).where(Case.ticket == ticket.upper()))
    if case is None:
        raise CaseError(f"no case with ticket {ticket}")
    return case


def list_cases(
    session: Session, *, status: str | None = None, category: str | None = None, limit: int = 50
) -> list[Case]:
    query: Select = select(Case).order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)
    if status:
        query = query.where(Case.status == status)
    if category:
        query = query.where(Case.category == category)
    return list(session.scalars(query))
