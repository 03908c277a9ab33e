"""The console's queue: the open cases in an officer's remit, what needs a person first.

Order: an emergency (an open emergency alert, or an emergency case nobody holds), a
possible emergency (the check the bot is asking), a reporter who asked for a person, a
reporter waiting for an answer, a referral nobody could take or past its time, then the
rest, newest first. The remit is part of the query (`case_in_remit`), never a filter after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.models import Conversation, HandoffRequest
from referral.models import Case, CaseAlert, Officer, Referral, utcnow
from messaging.takeover import conversation_in_remit
from referral.officers import case_in_remit
from referral.referrals import REFERRAL_SLA_HOURS

QUEUE_LIMIT = 200
# rank: what needs a person first (lower is sooner)
# ("referral" alerts are the facility's to answer; a referral past its time is "referral_late")
RANKS = {"emergency": 0, "possible_emergency": 1, "handoff": 2, "waiting": 3, "unrouted": 4, "referral_late": 4}
LABELS = {
    0: "DARURAT", 1: "Mungkin darurat", 2: "Minta petugas", 3: "Pelapor menunggu", 4: "Rujukan perlu tindakan", 5: "",
}
FILTERS = ("status", "category", "urgency", "holder", "region", "older_than_days")
REGION = re.compile(r"[0-9]{2}(\.[0-9]{2})?")  # a province (34) or a kabupaten/kota (34.04)


@dataclass(frozen=True)
class QueueItem:
    ticket: str  # or "Percakapan #N" for a conversation without a case yet
    link: str
    category: str | None
    urgency: str | None
    status: str | None
    region: str | None
    created_at: datetime
    rank: int
    held_by: str | None  # the officer's name, when someone holds the conversation
    held_by_me: bool

    @property
    def label(self) -> str:
        return LABELS[self.rank]

    def as_json(self) -> dict:
        return {
            "ticket": self.ticket, "link": self.link, "category": self.category, "urgency": self.urgency, "status": self.status,
            "region": self.region, "created_at": self.created_at.isoformat(), "rank": self.rank, "label": self.label,
            "held_by": self.held_by, "held_by_me": self.held_by_me,
        }


def queue(session: Session, officer: Officer, filters: dict[str, str] | None = None, *, now: datetime | None = None) -> list[QueueItem]:
    """`filters`: status, category, urgency; holder (me | unassigned); region (a province or
    kabupaten/kota code); older_than_days (cases opened at least that many days ago)."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v}
    if "region" in filters and not REGION.fullmatch(filters["region"]):
        filters.pop("region")
    if "older_than_days" in filters and not (filters["older_than_days"].isascii() and filters["older_than_days"].isdigit()):
        filters.pop("older_than_days")
    now = now or utcnow()
    if officer.role == "facility" or not officer.active:  # facility contacts answer their referrals on Telegram
        return []
    items = _case_items(session, officer, filters, now)
    if not set(filters) & {"status", "category", "urgency", "region", "older_than_days"}:  # a caseless conversation has none
        items += _conversation_items(session, officer, filters)
    return sorted(items, key=lambda item: (item.rank, -item.created_at.timestamp()))


def _conversation_items(session: Session, officer: Officer, filters: dict[str, str]) -> list[QueueItem]:
    """Conversations without a case that need a person: danger read, a person asked for,
    a reporter waiting; only those the officer may see (`conversation_in_remit`)."""
    with_case = select(Case.conversation_id).where(Case.conversation_id.is_not(None))
    reasons: dict[int, set[str]] = {}
    for conversation_id, reason in session.execute(
        select(CaseAlert.conversation_id, CaseAlert.reason).where(
            CaseAlert.resolved_at.is_(None), CaseAlert.case_id.is_(None), CaseAlert.conversation_id.is_not(None),
            CaseAlert.conversation_id.not_in(with_case),
        )
    ):
        reasons.setdefault(conversation_id, set()).add(reason)
    for conversation_id in session.scalars(
        select(HandoffRequest.conversation_id).where(HandoffRequest.status == "open", HandoffRequest.conversation_id.not_in(with_case))
    ):
        reasons.setdefault(conversation_id, set()).add("handoff")
    items = []
    for conversation_id, why in reasons.items():
        conversation = conversation_in_remit(session, officer, conversation_id)
        if conversation is None:
            continue
        holder = session.get(Officer, conversation.officer_id) if conversation.handled_by == "officer" and conversation.officer_id else None
        item = QueueItem(
            ticket=f"Percakapan #{conversation_id}", link=f"/console/conversations/{conversation_id}", category=None,
            urgency=None, status=None, region=None, created_at=conversation.last_inbound_at or conversation.created_at,
            rank=min((RANKS[r] for r in why if r in RANKS), default=5),
            held_by=holder.name if holder else None, held_by_me=bool(holder and holder.id == officer.id),
        )
        if _holder_matches(item, filters.get("holder")):
            items.append(item)
    return items


def _holder_matches(item: QueueItem, wanted: str | None) -> bool:
    return not (wanted == "me" and not item.held_by_me or wanted == "unassigned" and item.held_by is not None)


def _case_items(session: Session, officer: Officer, filters: dict[str, str], now: datetime) -> list[QueueItem]:
    """Every case that needs a person now (whatever their number), then the newest others."""
    query = select(Case).where(case_in_remit(officer))
    if "region" in filters:
        column = Case.regency_code if "." in filters["region"] else Case.province_code
        query = query.where(column == filters["region"])
    if "older_than_days" in filters:
        query = query.where(Case.created_at <= now - timedelta(days=min(int(filters["older_than_days"]), 3650)))
    query = query.where(Case.status == filters["status"]) if "status" in filters else query.where(Case.status != "closed")
    if "category" in filters:
        query = query.where(Case.category == filters["category"])
    if "urgency" in filters:
        query = query.where(Case.urgency == filters["urgency"])
    alerted = select(CaseAlert.id).where(
        CaseAlert.resolved_at.is_(None), CaseAlert.reason.in_(list(RANKS)),
        # an alert about a case is that case's; one about a conversation (no case yet) is its cases'
        (CaseAlert.case_id == Case.id)
        | (CaseAlert.case_id.is_(None) & (CaseAlert.conversation_id == Case.conversation_id) & CaseAlert.conversation_id.is_not(None)),
    ).exists()
    asked = select(HandoffRequest.id).where(HandoffRequest.status == "open", HandoffRequest.conversation_id == Case.conversation_id).exists()
    overdue = select(Referral.id).where(
        Referral.case_id == Case.id, Referral.status == "sent", Referral.sent_at <= now - timedelta(hours=REFERRAL_SLA_HOURS)
    ).exists()
    urgent = query.where(alerted | asked | overdue | (Case.is_emergency.is_(True) & (Case.status == "new")))
    by_id = {case.id: case for case in session.scalars(urgent)}
    by_id.update({case.id: case for case in session.scalars(query.order_by(Case.id.desc()).limit(QUEUE_LIMIT))})
    cases = list(by_id.values())
    if not cases:
        return []
    ids = [case.id for case in cases]
    conversation_ids = [case.conversation_id for case in cases if case.conversation_id]
    alerts: dict[int, set[str]] = {}
    for case_id, conversation_id, reason in session.execute(
        select(CaseAlert.case_id, CaseAlert.conversation_id, CaseAlert.reason).where(
            CaseAlert.resolved_at.is_(None), (CaseAlert.case_id.in_(ids)) | (CaseAlert.conversation_id.in_(conversation_ids))
        )
    ):
        for case in cases:
            if case.id == case_id or (case_id is None and conversation_id and case.conversation_id == conversation_id):
                alerts.setdefault(case.id, set()).add(reason)
    handoffs = set(session.scalars(
        select(HandoffRequest.conversation_id).where(HandoffRequest.status == "open", HandoffRequest.conversation_id.in_(conversation_ids))
    ))
    late = set(session.scalars(select(Referral.case_id).where(
        Referral.case_id.in_(ids), Referral.status == "sent", Referral.sent_at <= now - timedelta(hours=REFERRAL_SLA_HOURS))))
    holders = {
        conversation_id: (officer_id, name)
        for conversation_id, officer_id, name in session.execute(
            select(Conversation.id, Officer.id, Officer.name).join(Officer, Officer.id == Conversation.officer_id)
            .where(Conversation.id.in_(conversation_ids), Conversation.handled_by == "officer")
        )
    }
    items = []
    for case in cases:
        reasons = alerts.get(case.id, set())
        if case.conversation_id in handoffs:
            reasons = reasons | {"handoff"}
        if case.id in late:
            reasons = reasons | {"referral_late"}
        holder = holders.get(case.conversation_id)
        if case.is_emergency and case.status == "new" and holder is None:
            reasons = reasons | {"emergency"}
        rank = min((RANKS[r] for r in reasons if r in RANKS), default=5)
        item = QueueItem(
            ticket=case.ticket, link=f"/console/cases/{case.ticket}", category=case.category, urgency=case.urgency, status=case.status,
            region=case.regency_code or case.province_code, created_at=case.created_at, rank=rank,
            held_by=holder[1] if holder else None, held_by_me=bool(holder and holder[0] == officer.id),
        )
        if _holder_matches(item, filters.get("holder")):
            items.append(item)
    return items
