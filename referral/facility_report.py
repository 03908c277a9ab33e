"""Per facility, by month: what MPKS's AUMSos performance index needs.

Referrals received, accepted, declined (with their reasons), re-routed by a coordinator
(unanswered), median hours to accept, referrals answered late or not at all past the SLA, and reporters' answers to "did help arrive?" for
the cases the facility accepted. Months are in WIB. No personal data: a decline reason is
the facility's own words about capacity or fit, shown to coordinators only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.digest import median_and_p90
from referral.models import CaseEvent, Facility, Referral
from referral.referrals import REFERRAL_SLA_HOURS, REROUTE_REASON
from referral.roster import WIB


def month_of(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m")


def facility_months(session: Session, facility: Facility, *, now: datetime) -> list[dict]:
    """Newest month first."""
    referrals = session.scalars(select(Referral).where(Referral.facility_id == facility.id)).all()
    months: dict[str, dict] = defaultdict(lambda: {
        "received": 0, "accepted": 0, "declined": 0, "rerouted": 0, "unanswered_past_sla": 0, "hours_to_accept": [],
        "decline_reasons": [], "help_arrived": 0, "help_not_arrived": 0,
    })
    accepted_cases = {}
    for referral in referrals:
        month = months[month_of(referral.sent_at)]
        month["received"] += 1
        if referral.status == "accepted":
            month["accepted"] += 1
            accepted_cases[referral.case_id] = month
            if referral.responded_at:
                month["hours_to_accept"].append((referral.responded_at - referral.sent_at).total_seconds() / 3600)
        elif referral.status == "declined" and (referral.reason or "").startswith(REROUTE_REASON):
            month["rerouted"] += 1  # sent on by a coordinator: unanswered, not declined
        elif referral.status == "declined":
            month["declined"] += 1
            if referral.reason:
                month["decline_reasons"].append(referral.reason[:200])
        rerouted = referral.status == "declined" and (referral.reason or "").startswith(REROUTE_REASON)
        answered_late = not rerouted and referral.responded_at and (referral.responded_at - referral.sent_at).total_seconds() > REFERRAL_SLA_HOURS * 3600
        unanswered = referral.status == "sent" and (now - referral.sent_at).total_seconds() > REFERRAL_SLA_HOURS * 3600
        if answered_late or unanswered or rerouted:
            month["unanswered_past_sla"] += 1
    if accepted_cases:
        for case_id, detail in session.execute(
            select(CaseEvent.case_id, CaseEvent.detail).where(CaseEvent.case_id.in_(accepted_cases), CaseEvent.kind == "follow_up_answered")
        ):
            received = (detail or {}).get("received")
            if received is True:
                accepted_cases[case_id]["help_arrived"] += 1
            elif received is False:
                accepted_cases[case_id]["help_not_arrived"] += 1
    rows = []
    for month, figures in sorted(months.items(), reverse=True):
        hours = figures.pop("hours_to_accept")
        rows.append({"month": month, **figures, "median_hours_to_accept": median_and_p90(hours)["median"]})
    return rows
