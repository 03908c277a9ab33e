"""Routing a case: find where it is, choose the nearest capable facility, record the referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.cases import change_status
from referral.gazetteer import Gazetteer, Region
from referral.models import Case, CaseAlert, CaseEvent, Facility, Referral, utcnow
from referral.routing import FacilityIndex, RouteResult


@dataclass(frozen=True)
class Place:
    """Where a case is: a point to route from, and the region it falls in (if known)."""

    latitude: float
    longitude: float
    region: Region | None


def locate(gazetteer: Gazetteer, text: str | None, latitude: float | None, longitude: float | None) -> Place | None:
    """A shared point wins over typed text; typed text is resolved to its region's centroid."""
    if latitude is not None and longitude is not None:
        district, _ = gazetteer.nearest_district(latitude, longitude)
        return Place(latitude, longitude, district)
    if text:
        best = gazetteer.lookup(text).best
        if best:
            return Place(best.region.latitude, best.region.longitude, best.region)
    return None


def refer_case(session: Session, case: Case, index: FacilityIndex, gazetteer: Gazetteer, *, actor: str) -> RouteResult | None:
    """Fill the case's region, route it, and record the referral (or why there is none).

    Returns None when the case has no usable location; it stays 'new' for a coordinator.
    """
    place = locate(gazetteer, case.location_text, case.latitude, case.longitude)
    if place is None:
        case.events.append(CaseEvent(actor=actor, kind="unrouted", detail={"reason": "no usable location"}))
        session.flush()
        return None
    if place.region is not None:
        case.province_code = place.region.province_code
        case.regency_code = place.region.regency_code
        case.district_code = place.region.district_code
    result = index.route(case.category, place.latitude, place.longitude, province_code=case.province_code)
    if result.facility is None:
        case.events.append(CaseEvent(actor=actor, kind="fallback", detail=result.fallback))
        session.flush()
        return result
    facility = session.scalar(select(Facility).where(Facility.code == result.facility.facility.code))
    referral = Referral(facility_id=facility.id, status="sent", distance_km=round(result.facility.distance_km, 2))
    case.referrals.append(referral)
    session.flush()
    # The facility's contact hears of it (through the gateway's alerts) and answers Terima/Tolak.
    session.add(CaseAlert(case_id=case.id, referral_id=referral.id, reason="referral"))
    change_status(
        session, case, "referred", actor=actor,
        detail={"facility": facility.code, "distance_km": round(result.facility.distance_km, 2)},
    )
    return result


class ReferralError(ValueError):
    pass


def _open_referral(case: Case) -> Referral:
    for referral in reversed(case.referrals):
        if referral.status == "sent":
            return referral
    raise ReferralError(f"case {case.ticket} has no referral waiting for an answer")


def accept_referral(session: Session, case: Case, *, actor: str) -> Referral:
    """The facility confirms it takes the case: referral accepted, case accepted."""
    referral = _open_referral(case)
    referral.status, referral.responded_at = "accepted", utcnow()
    change_status(session, case, "accepted", actor=actor, detail={"facility_id": referral.facility_id})
    return referral


def decline_referral(
    session: Session, case: Case, reason: str, index: FacilityIndex, gazetteer: Gazetteer, *, actor: str
) -> RouteResult | None:
    """The facility cannot take the case: record why, send the case back to routing,
    and route it again to the nearest capable facility that has not declined it."""
    reason = (reason or "").strip()
    if not reason:
        raise ReferralError("a declined referral needs a reason")
    referral = _open_referral(case)
    referral.status, referral.reason, referral.responded_at = "declined", reason[:1000], utcnow()
    change_status(session, case, "new", actor=actor, detail={"declined_by": referral.facility_id, "reason": reason[:200]})
    declined_codes = {
        code
        for code in session.scalars(
            select(Facility.code).join(Referral, Referral.facility_id == Facility.id).where(
                Referral.case_id == case.id, Referral.status == "declined"
            )
        )
    }
    return refer_case(session, case, index.without(declined_codes), gazetteer, actor=actor)


OVERDUE_EVENT = "referral_overdue"
# A facility answers a referral within this, or the coordinators hear of it (and may re-route).
REFERRAL_SLA_HOURS = 24.0
# The reason written when a coordinator sends an unanswered referral on: not the facility's
# own decline (the facility figures count it apart).
REROUTE_REASON = "Tidak dijawab; dialihkan oleh koordinator"
REFERRAL_SLA_URGENT_HOURS = 1.0  # for a high-urgency case or an emergency
OVERDUE_WINDOW_DAYS = 7  # older unanswered referrals were reported before (or predate the job): no flood


def referral_sla_hours(case: Case, *, sla_hours: float, urgent_hours: float) -> float:
    return urgent_hours if case.urgency in ("high", "emergency") or case.is_emergency else sla_hours


def overdue_referrals(
    session: Session, *, sla_hours: float, urgent_hours: float | None = None, now: datetime | None = None
) -> list[Referral]:
    """Referrals a facility has not answered within the SLA for their case's urgency, not
    yet reported to coordinators."""
    now = now or utcnow()
    urgent_hours = sla_hours if urgent_hours is None else urgent_hours
    cutoff = now - timedelta(hours=min(sla_hours, urgent_hours))
    waiting = session.scalars(
        select(Referral)
        .join(Case, Case.id == Referral.case_id)
        .where(
            Referral.status == "sent",
            Case.status != "closed",  # a closed case's open referral waits for nobody
            Referral.sent_at < cutoff,
            Referral.sent_at >= now - timedelta(hours=max(sla_hours, urgent_hours), days=OVERDUE_WINDOW_DAYS),
        )
        .order_by(Referral.sent_at)
        .with_for_update(skip_locked=True)  # two runs at once never report twice
    ).all()
    return [
        referral for referral in waiting
        if referral.sent_at < now - timedelta(hours=referral_sla_hours(referral.case, sla_hours=sla_hours, urgent_hours=urgent_hours))
        and not any(e.kind == OVERDUE_EVENT and (e.detail or {}).get("referral_id") == referral.id for e in referral.case.events)
    ]


def mark_overdue_reported(referral: Referral) -> None:
    referral.case.events.append(
        CaseEvent(actor="system", kind=OVERDUE_EVENT, detail={"referral_id": referral.id, "facility_id": referral.facility_id})
    )
