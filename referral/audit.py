"""The audit trail: every look at a case and every act on one, by whom, when, from where.

Written in the same transaction as the act it records, so an act and its audit row are
kept together or not at all. Rows are never changed (the database refuses it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import AuditEvent, Officer, utcnow

# The actions the trail knows (the contract fixes view_case, login and login_failed).
ACTIONS = frozenset({
    "view_case", "view_summary", "takeover", "message_sent", "hand_back", "note", "status", "assign",
    "referral_accepted", "referral_declined", "referral_rerouted", "export", "login", "login_failed", "logout",
    "password_set", "login_link", "conduct_accepted", "conduct_edited", "view_audit", "view_digest", "view_facility", "facilities_import", "possible_emergency_checked", "view_messages", "totp_enrolled", "totp_reset", "view_media", "view_officers", "view_facilities",
})


def record(
    session: Session,
    action: str,
    *,
    officer: Officer | None = None,
    officer_id: int | None = None,
    ticket: str | None = None,
    conversation_id: int | None = None,
    source: str | None = None,
    detail: dict | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        at=now or utcnow(), officer_id=officer.id if officer is not None else officer_id, action=action,
        ticket=ticket, conversation_id=conversation_id, source=(source or "")[:64] or None, detail=detail,
    )
    session.add(event)
    return event


def list_events(
    session: Session, *, ticket: str | None = None, officer_id: int | None = None, limit: int = 1000
) -> list[AuditEvent]:
    """The newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if ticket:
        query = query.where(AuditEvent.ticket == ticket.strip().upper())
    if officer_id is not None:
        query = query.where(AuditEvent.officer_id == officer_id)
    return list(session.scalars(query))


def as_json(event: AuditEvent) -> dict:
    return {
        "at": event.at.isoformat(), "officer_id": event.officer_id, "action": event.action, "ticket": event.ticket,
        "conversation_id": event.conversation_id, "source": event.source, "detail": event.detail,
    }
