"""The weekly digest's figures about cases, referrals and facilities, for one ISO week.

Plain data (dicts of counts and durations), no personal data: categories, urgencies,
regions down to kabupaten/kota, ages and durations, facility names (public). The files
a coordinator reads are written elsewhere (bot/duties/digest.py); the message-side figures
(channels, languages, replies) come from messaging/.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referral.models import Case, CaseEvent, Facility, Referral
from referral.referrals import REFERRAL_SLA_HOURS

JAKARTA = ZoneInfo("Asia/Jakarta")
SMALL_COUNT = 5  # a count under this is shown as "<5": too few to publish without re-identifying anyone
AGE_BANDS = ((1, "< 1 hari"), (7, "1–7 hari"), (30, "8–30 hari"), (None, "> 30 hari"))
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)  # "2026-w47" is meant the same


@dataclass(frozen=True)
class Week:
    """An ISO week in Western Indonesia Time (Monday 00:00 WIB to the next), its bounds in UTC."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"expected an ISO week like 2026-W47, got {text!r}")
        year, number = int(match.group(1)), int(match.group(2))
        if not 2000 <= year <= 2100:
            raise ValueError(f"expected a year between 2000 and 2100, got {year}")
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{year} has no week {number}") from None
        return cls(year, number)

    @classmethod
    def containing(cls, moment: datetime) -> "Week":
        local = moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(JAKARTA)
        year, number, _ = local.isocalendar()
        return cls(year, number)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def start(self) -> datetime:
        monday = datetime.combine(date.fromisocalendar(self.year, self.number, 1), datetime.min.time(), JAKARTA)
        return monday.astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=7)

    def previous(self) -> "Week":
        return Week.containing(self.start - timedelta(days=3))


def shown(count: int) -> int | str:
    """A count as published: under five is "<5" (zero stays zero)."""
    return "<5" if 0 < count < SMALL_COUNT else count


def median_and_p90(values: list[float]) -> dict[str, float | None]:
    """The median (interpolated) and the 90th percentile (nearest rank) of durations, and
    how many there were; None without data."""
    if not values:
        return {"median": None, "p90": None, "n": 0}
    ordered = sorted(values)
    rank = max(1, -(-9 * len(ordered) // 10))  # ceil(0.9 n)
    return {"median": round(statistics.median(ordered), 2), "p90": round(ordered[rank - 1], 2), "n": len(ordered)}


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def case_figures(session: Session, week: Week) -> dict:
    """Cases opened in the week: by category, urgency, province, the ten busiest
    kabupaten/kota, emergencies; and how fast they were referred, accepted and closed."""
    cases = session.execute(
        select(Case.id, Case.category, Case.urgency, Case.is_emergency, Case.province_code, Case.regency_code, Case.created_at)
        .where(Case.created_at >= week.start, Case.created_at < week.end)
    ).all()
    ids = [row.id for row in cases]
    opened_at = {row.id: row.created_at for row in cases}
    to_accept, to_close = [], []
    for event in _events_of(session, ids, ("accepted", "closed")):
        target = to_accept if event.to_status == "accepted" else to_close
        target.append(_hours(event.at, opened_at[event.case_id]))
    to_officer = [_hours(at, opened_at[case_id]) for case_id, at in _first_officer_actions(session, ids)]
    # (a facility's acceptance is "to acceptance", below; an officer's action is by "officer:…")
    return {
        "opened": len(cases),
        "emergencies": sum(1 for row in cases if row.is_emergency),
        "by_category": dict(Counter(row.category for row in cases)),
        "by_urgency": dict(Counter(row.urgency for row in cases)),
        "by_province": dict(Counter(row.province_code or "tidak diketahui" for row in cases)),
        "by_regency": dict(Counter(row.regency_code for row in cases if row.regency_code)),
        "hours_to_first_officer_action": median_and_p90(to_officer),
        "hours_to_acceptance": median_and_p90(to_accept),
        "hours_to_closure": median_and_p90(to_close),
        "follow_ups": follow_up_figures(session, week),
    }


def follow_up_figures(session: Session, week: Week) -> dict:
    """Follow-up questions asked in the week, and the answers given in it."""
    events = session.execute(
        select(CaseEvent.kind, CaseEvent.detail).where(
            CaseEvent.kind.in_(("follow_up_sent", "follow_up_answered")), CaseEvent.at >= week.start, CaseEvent.at < week.end
        )
    ).all()
    answers = [(detail or {}).get("received") for kind, detail in events if kind == "follow_up_answered"]
    return {
        "asked": sum(1 for kind, _ in events if kind == "follow_up_sent"),
        "help_received": sum(1 for received in answers if received is True),
        "help_not_received": sum(1 for received in answers if received is False),
    }


def _events_of(session: Session, case_ids: list[int], statuses: tuple[str, ...]) -> list[CaseEvent]:
    """The first event that moved each case into each of `statuses`."""
    firsts: dict[tuple[int, str], CaseEvent] = {}
    for start in range(0, len(case_ids), 1000):  # bounded IN lists
        chunk = case_ids[start : start + 1000]
        for event in session.scalars(
            select(CaseEvent).where(CaseEvent.case_id.in_(chunk), CaseEvent.to_status.in_(statuses)).order_by(CaseEvent.at)
        ):
            firsts.setdefault((event.case_id, event.to_status), event)
    return list(firsts.values())


def _first_officer_actions(session: Session, case_ids: list[int]) -> list[tuple[int, datetime]]:
    """When an officer (an actor "officer:…") first acted on each case."""
    firsts: dict[int, datetime] = {}
    for start in range(0, len(case_ids), 1000):
        chunk = case_ids[start : start + 1000]
        for case_id, at in session.execute(
            select(CaseEvent.case_id, func.min(CaseEvent.at))
            .where(CaseEvent.case_id.in_(chunk), CaseEvent.actor.like("officer%"))
            .group_by(CaseEvent.case_id)
        ):
            firsts[case_id] = at
    return list(firsts.items())


def backlog(session: Session, now: datetime) -> dict:
    """Open cases now: by status and age band, and the ten oldest (ticket and age in days
    only). Counted in the database: a backlog may be large."""
    is_open = Case.status != "closed"
    by_status = dict(session.execute(select(Case.status, func.count()).where(is_open).group_by(Case.status)).all())
    by_age: dict[str, int] = {}
    lower = None
    for limit, label in AGE_BANDS:
        band = [is_open]
        if limit is not None:
            band.append(Case.created_at > now - timedelta(days=limit))
        if lower is not None:
            band.append(Case.created_at <= now - timedelta(days=lower))
        by_age[label] = session.scalar(select(func.count()).select_from(Case).where(*band))
        lower = limit
    oldest = session.execute(select(Case.ticket, Case.created_at).where(is_open).order_by(Case.created_at, Case.id).limit(10)).all()
    return {
        "open": sum(by_status.values()),
        "by_status": by_status,
        "by_age": by_age,
        "oldest": [{"ticket": row.ticket, "age_days": int((now - row.created_at).total_seconds() // 86400)} for row in oldest],
    }


def facility_figures(session: Session, week: Week, now: datetime) -> dict:
    """Referrals sent in the week, per facility and per kind: sent, accepted, declined,
    unanswered past the SLA, and the median hours to acceptance."""
    rows = session.execute(
        select(Referral.status, Referral.sent_at, Referral.responded_at, Facility.code, Facility.name, Facility.kind)
        .join(Facility, Facility.id == Referral.facility_id)
        .where(Referral.sent_at >= week.start, Referral.sent_at < week.end)
    ).all()
    overdue = now - timedelta(hours=REFERRAL_SLA_HOURS)

    def summary(group: list) -> dict:
        accepted = [_hours(r.responded_at, r.sent_at) for r in group if r.status == "accepted" and r.responded_at]
        return {
            "sent": len(group),
            "accepted": sum(1 for r in group if r.status == "accepted"),
            "declined": sum(1 for r in group if r.status == "declined"),
            "unanswered_past_sla": sum(1 for r in group if r.status == "sent" and r.sent_at < overdue),
            "median_hours_to_accept": median_and_p90(accepted)["median"],
        }

    by_facility: dict[str, list] = {}
    by_kind: dict[str, list] = {}
    for row in rows:
        by_facility.setdefault(row.code, []).append(row)
        by_kind.setdefault(row.kind, []).append(row)
    return {
        "per_facility": {
            code: {"name": group[0].name, "kind": group[0].kind, **summary(group)} for code, group in sorted(by_facility.items())
        },
        "per_kind": {kind: summary(group) for kind, group in sorted(by_kind.items())},
        "sla_hours": REFERRAL_SLA_HOURS,
    }
