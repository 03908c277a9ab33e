"""Service functions the dialogue calls: open a case from a conversation, look one up.

They take a Session (the caller's unit of work) and the reporter and conversation
ids the caller found for the message; they know nothing of Rasa or of chat channels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
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
    province_code: str | None = None  # the place, when already known (a case of the same conversation)
    regency_code: str | None = None
    district_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    ongoing: bool = False  # the abuse is still going on (raises urgency)
    consent_contact: bool = False
    contact_preference: str | None = None  # chat | phone | none; None: not asked or skipped
    contact_phone: str | None = None  # only with consent
    confirmed: bool | None = None  # the reporter confirmed the summary (None: not asked, an emergency)
    alert_reason: str = "new_case"  # what officers are told ("possible_emergency": an unanswered danger question)


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
        province_code=report.province_code,
        regency_code=report.regency_code,
        district_code=report.district_code,
        latitude=report.latitude,
        longitude=report.longitude,
        ongoing=report.ongoing,
        consent_contact=report.consent_contact,
        contact_preference=report.contact_preference,
        contact_phone=report.contact_phone if report.consent_contact else None,
    )
    case = open_case(session, new, actor="bot")
    if not report.is_emergency:  # an emergency has its own alert (report_emergency)
        session.add(CaseAlert(case_id=case.id, conversation_id=case.conversation_id, reason=report.alert_reason, created_at=case.created_at))
    if report.confirmed is not None:  # the case worker sees whether the reporter checked what we wrote
        case.events.append(CaseEvent(actor="reporter", kind="summary_confirmed" if report.confirmed else "summary_unconfirmed"))
        session.flush()
    return case


def report_emergency(
    session: Session, report: Report, *, now: datetime | None = None, repeated_alert: str = "emergency_repeated"
) -> tuple[Case, bool]:
    """Danger now: open an emergency case, or, while this conversation's emergency case
    from the last hours is still open, record the new message on it; a possible emergency
    of this conversation (an unanswered "in danger now?") becomes the emergency case. Either
    way officers are alerted (a CaseAlert, sent by the gateway). `repeated_alert`: the reason of
    the alert about a message added to the open case ("emergency" during a takeover: it repeats
    until the officer holding the conversation answers). Returns (case, is_new)."""
    now = now or utcnow()
    repeated_turn = already_opened(session, report)
    if repeated_turn is not None:
        return repeated_turn, True
    ongoing = recent_emergency(session, report.conversation_id, now=now)
    if ongoing is None:
        possible = possible_emergency(session, report.conversation_id, now=now)
        if possible is not None:
            return confirm_emergency(session, possible, report, now=now), True
        case = open_report(session, replace(report, is_emergency=True))
        session.add(CaseAlert(case_id=case.id, conversation_id=case.conversation_id, reason="emergency", created_at=now))
        return case, True
    earlier = _recorded(ongoing, report.source_message_id)
    if earlier is not None:  # this very message was recorded by an earlier run of the turn
        return ongoing, earlier.kind == "emergency_confirmed"
    ongoing.events.append(_danger_event("emergency_repeated", "bot", report, now))
    _alert_again(session, ongoing, repeated_alert, now)
    session.flush()
    return ongoing, False


def _alert_again(session: Session, case: Case, reason: str, now: datetime) -> None:
    """Officers hear of a further danger message on an open emergency case. An "emergency"
    alert repeats until the holding officer answers: while one is still open it waits from now
    for their next answer, so one chain of repeats runs however many messages come."""
    open_alert = session.scalar(
        select(CaseAlert)
        .where(CaseAlert.case_id == case.id, CaseAlert.reason == reason, CaseAlert.resolved_at.is_(None))
        .order_by(CaseAlert.id.desc())
        .limit(1)
    ) if reason == "emergency" else None
    if open_alert is not None:
        open_alert.created_at = now  # answered_by_holder waits for an answer after this message
    else:
        session.add(CaseAlert(case_id=case.id, conversation_id=case.conversation_id, reason=reason, created_at=now))


def _recorded(case: Case, message_id: int | None) -> CaseEvent | None:
    """The event that recorded the reporter's message `message_id` as danger on this case."""
    if message_id is None:
        return None
    return next(
        (event for event in case.events
         if event.kind in ("emergency_repeated", "emergency_confirmed") and (event.detail or {}).get("message_id") == message_id),
        None,
    )


def possible_emergency(session: Session, conversation_id: int | None, *, now: datetime | None = None) -> Case | None:
    """This conversation's case from the last hours that is marked as a possible emergency
    (nobody answered "in danger now?"), while it is still open."""
    return _recent_open_case(
        session, conversation_id, now, Case.is_emergency.is_(False), Case.events.any(CaseEvent.kind == "possible_emergency")
    )


def confirm_emergency(session: Session, case: Case, report: Report, *, now: datetime | None = None) -> Case:
    """A possible emergency turns out to be one (a late Ya, a further sign of danger): the
    same case becomes the emergency, not a second one beside it. Its quiet alert gives way
    to the emergency's, which repeats until someone takes the conversation over."""
    now = now or utcnow()
    case.is_emergency, case.urgency = True, "emergency"
    if not case.victim and report.victim:
        case.victim = report.victim
    if case.latitude is None and report.latitude is not None and report.longitude is not None:
        case.latitude, case.longitude = report.latitude, report.longitude
    case.events.append(_danger_event("emergency_confirmed", "reporter", report, now))
    session.execute(
        update(CaseAlert)
        .where(CaseAlert.case_id == case.id, CaseAlert.reason == "possible_emergency", CaseAlert.resolved_at.is_(None))
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    session.add(CaseAlert(case_id=case.id, conversation_id=case.conversation_id, reason="emergency", created_at=now))
    session.flush()
    return case


def complete_emergency(session: Session, ticket: str, report: Report) -> Case:
    """Complete the emergency case this conversation just opened with what the reporter
    told us after it: where, who, and whether and how we may contact them.

    Only a case of this conversation that is still open is completed. A place given for a
    case that already has one is recorded as an event and changes nothing else; what is
    already known is never overwritten.
    """
    case = get_case(session, ticket)
    if report.conversation_id is None or case.conversation_id != report.conversation_id or case.status == "closed":
        raise CaseError(f"case {ticket} cannot be completed from this conversation")
    has_place = case.location_text is not None or case.latitude is not None
    gave_place = report.location_text is not None or report.latitude is not None
    if has_place and gave_place:
        case.events.append(
            CaseEvent(
                actor="bot",
                kind="location_given",
                detail={"location": report.location_text, "latitude": report.latitude, "longitude": report.longitude},
            )
        )
    elif gave_place:
        case.location_text = report.location_text
        if report.latitude is not None and report.longitude is not None:
            case.latitude, case.longitude = report.latitude, report.longitude
    if report.victim and not case.victim:
        case.victim = report.victim
    if report.contact_preference and not case.contact_preference:
        case.consent_contact = report.consent_contact
        case.contact_preference = report.contact_preference
        case.contact_phone = report.contact_phone if report.consent_contact else None
    session.flush()
    return case


def add_to_case(session: Session, case: Case, text: str, *, source_message_id: int | None = None) -> None:
    """More of the reporter's story for an open case: kept as an event for the case worker."""
    if any((event.detail or {}).get("message_id") == source_message_id for event in case.events if source_message_id):
        return  # this message was recorded by an earlier run of the turn
    case.events.append(
        CaseEvent(actor="reporter", kind="reporter_message", detail={"message": text, "message_id": source_message_id})
    )
    session.flush()


def recent_emergency(session: Session, conversation_id: int | None, *, now: datetime | None = None) -> Case | None:
    """This conversation's emergency case from the last hours, while it is still open."""
    return _recent_open_case(session, conversation_id, now, Case.is_emergency.is_(True))


def _recent_open_case(session: Session, conversation_id: int | None, now: datetime | None, *conditions) -> Case | None:
    """The conversation's newest open case of the last SAME_EMERGENCY_HOURS that meets `conditions`."""
    if conversation_id is None:
        return None
    now = now or utcnow()
    return session.scalar(
        select(Case)
        .where(
            Case.conversation_id == conversation_id,
            Case.status != "closed",
            Case.created_at >= now - timedelta(hours=SAME_EMERGENCY_HOURS),
            *conditions,
        )
        .order_by(Case.id.desc())
        .limit(1)
    )


def cases_of_reporter(session: Session, reporter_id: int | None, limit: int = 5) -> list[Case]:
    """The reporter's own cases, newest first."""
    if reporter_id is None:
        return []
    return list(
        session.scalars(select(Case).where(Case.reporter_id == reporter_id).order_by(Case.id.desc()).limit(limit))
    )


def case_for_reporter(session: Session, reporter_id: int | None, ticket: str) -> Case:
    """A case, only if it was reported by this same reporter.

    Nobody learns about someone else's case by guessing ticket numbers.
    """
    case = get_case(session, ticket)
    if reporter_id is None or case.reporter_id != reporter_id:
        raise CaseError(f"no case with ticket {ticket}")
    return case


def _danger_event(kind: str, actor: str, report: Report, now: datetime) -> CaseEvent:
    """An event that adds a danger message to a case (recorded once per message id)."""
    return CaseEvent(at=now, actor=actor, kind=kind,
                     detail={"message": report.description, "message_id": report.source_message_id})
