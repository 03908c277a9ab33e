"""The export for MPKS's social-welfare information system: de-identified figures by ISO
week and region (province and kabupaten/kota codes), and each facility's referrals by week,
as rows for CSV and JSON.

Counts only, never a ticket, a text, a name or an address, and only for weeks that have
ended (a week still going would show each new case as it comes). A count from 1 to 4 is
"<5", as in the weekly digest; and so that a small count cannot be worked out from the others,
a row whose cases number fewer than 5 shows none of its breakdown, and when any category of a
row is under 5, all its categories are withheld ("<5" as well).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.digest import SMALL_COUNT, Week, shown
from referral.models import Case, CaseEvent, Facility, Referral

CATEGORIES = ("violence", "bullying", "elderly_care", "aid")
COLUMNS = (
    "week", "province_code", "regency_code", "cases_opened", "emergencies", *CATEGORIES,
    "cases_closed", "referrals_sent", "referrals_accepted", "referrals_declined",
)
WITHHELD = "<5"
FACILITY_COLUMNS = ("week", "facility_code", "facility_kind", "province_code", "regency_code",
                    "referrals_received", "referrals_accepted", "referrals_declined", "referrals_unanswered")


def export_rows(session: Session, *, weeks: int, now: datetime) -> list[dict]:
    """`weeks` full weeks, the last one the week that ended most recently."""
    last = Week.containing(now).previous()
    first = Week.containing(last.start - timedelta(weeks=weeks - 1))
    start, end = first.start, last.end
    table: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS[3:], 0))

    def region(case: Case) -> tuple[str, str]:
        return case.province_code or "", case.regency_code or ""

    for case in session.scalars(select(Case).where(Case.created_at >= start, Case.created_at < end)):
        row = table[(str(Week.containing(case.created_at)), *region(case))]
        row["cases_opened"] += 1
        row["emergencies"] += int(case.is_emergency)
        if case.category in CATEGORIES:
            row[case.category] += 1
    closings = select(CaseEvent.at, Case).join(Case, Case.id == CaseEvent.case_id).where(
        CaseEvent.kind == "status", CaseEvent.to_status == "closed", CaseEvent.at >= start, CaseEvent.at < end)
    for at, case in session.execute(closings):  # closed in that week, whenever opened
        table[(str(Week.containing(at)), *region(case))]["cases_closed"] += 1
    for referral, case in session.execute(
        select(Referral, Case).join(Case, Case.id == Referral.case_id).where(Referral.sent_at >= start, Referral.sent_at < end)
    ):
        row = table[(str(Week.containing(referral.sent_at)), *region(case))]
        row["referrals_sent"] += 1
        row["referrals_accepted"] += int(referral.status == "accepted")
        row["referrals_declined"] += int(referral.status == "declined")
    return [
        {"week": week, "province_code": province or None, "regency_code": regency or None, **_published(counts)}
        for (week, province, regency), counts in sorted(table.items())
    ]


def facility_rows(session: Session, *, weeks: int, now: datetime) -> list[dict]:
    """Referrals each PSKM/AUMSos received per ended week (an institution is not a person, but
    its small counts are "<5" too: a week's one referral could point at its case)."""
    last = Week.containing(now).previous()
    start, end = Week.containing(last.start - timedelta(weeks=weeks - 1)).start, last.end
    table: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(FACILITY_COLUMNS[5:], 0))
    for referral, facility in session.execute(
        select(Referral, Facility).join(Facility, Facility.id == Referral.facility_id)
        .where(Referral.sent_at >= start, Referral.sent_at < end)
    ):
        key = (str(Week.containing(referral.sent_at)), facility.code, facility.kind, facility.province_code or "", facility.regency_code or "")
        row = table[key]
        row["referrals_received"] += 1
        row["referrals_accepted"] += int(referral.status == "accepted")
        row["referrals_declined"] += int(referral.status == "declined")
        row["referrals_unanswered"] += int(referral.status == "sent")
    return [
        {"week": week, "facility_code": code, "facility_kind": kind, "province_code": province or None,
         "regency_code": regency or None, **{key: shown(value) for key, value in counts.items()}}
        for (week, code, kind, province, regency), counts in sorted(table.items())
    ]


def _published(counts: dict) -> dict:
    out = {key: shown(value) for key, value in counts.items()}
    if counts["cases_opened"] < SMALL_COUNT:  # a handful of cases: their breakdown would point at them
        for key in ("emergencies", *CATEGORIES):
            out[key] = WITHHELD if counts["cases_opened"] else 0
    elif any(0 < counts[c] < SMALL_COUNT for c in CATEGORIES):  # one small category is the total minus the rest
        for key in CATEGORIES:
            out[key] = WITHHELD
    return out
