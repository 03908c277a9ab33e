"""The export for MPKS's social-welfare information system: de-identified figures by ISO
week and region (province and kabupaten/kota codes), as rows for CSV and JSON.

Counts only, never a ticket, a text, a name or an address; a count from 1 to 4 is written
"<5" (as in the weekly digest), so that a small region's row cannot point at somebody.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.digest import Week, shown
from referral.models import Case, Referral

COLUMNS = (
    "week", "province_code", "regency_code", "cases_opened", "emergencies", "violence", "bullying", "elderly_care", "aid",
    "cases_closed", "referrals_sent", "referrals_accepted", "referrals_declined",
)


def export_rows(session: Session, *, weeks: int, now: datetime) -> list[dict]:
    first = Week.containing(now - timedelta(weeks=weeks - 1)).start
    table: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS[3:], 0))

    def region(case: Case) -> tuple[str, str]:
        return case.province_code or "", case.regency_code or ""

    for case in session.scalars(select(Case).where(Case.created_at >= first)):
        row = table[(str(Week.containing(case.created_at)), *region(case))]
        row["cases_opened"] += 1
        row["emergencies"] += int(case.is_emergency)
        if case.category in row:
            row[case.category] += 1
        row["cases_closed"] += int(case.status == "closed")
    for referral, case in session.execute(
        select(Referral, Case).join(Case, Case.id == Referral.case_id).where(Referral.sent_at >= first)
    ):
        row = table[(str(Week.containing(referral.sent_at)), *region(case))]
        row["referrals_sent"] += 1
        row["referrals_accepted"] += int(referral.status == "accepted")
        row["referrals_declined"] += int(referral.status == "declined")
    return [
        {"week": week, "province_code": province or None, "regency_code": regency or None,
         **{key: shown(value) for key, value in counts.items()}}
        for (week, province, regency), counts in sorted(table.items())
    ]
