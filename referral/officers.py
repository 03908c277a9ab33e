"""Officers: roles, remits, one-time link codes, and who hears about a case.

A remit is a set of region codes (a province, `34`, or a kabupaten/kota, `34.02`), or
everything for a coordinator or an admin created without one (national staff). Every
question of the kind "may this officer see this case" is answered in SQL (`case_in_remit`),
so a case outside an officer's remit is never even read for them. A case whose place is
not known yet is everyone's only when it may be danger now; any other goes to national
staff until the place is known. Who is alerted follows the same rule (`officer_covers`),
then falls back rung by rung (`alert_recipients`) so that an alert always finds a person,
and whoever it found may act on that case.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true, update
from sqlalchemy.orm import Session

from referral.models import (
    AlertDelivery, Case, CaseAlert, CaseEvent, Facility, Officer, OfficerLinkCode, OfficerRegion, Referral, Takeover, utcnow,
)
from referral.roster import is_on_duty

ROLES = ("officer", "coordinator", "admin", "facility")
STAFF_ROLES = ("officer", "coordinator", "admin")  # those who get duty alerts and take conversations over
LINK_CODE_HOURS = 48
# No 0/O, 1/I/L: a code is read off a screen or a paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # about 49 bits: with the bot's attempt limit, not guessable
REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2})?")


class OfficerError(ValueError):
    """A rule about officers was broken; the message says which, in plain English."""


def check_region_codes(codes: list[str]) -> list[str]:
    cleaned = sorted({code.strip() for code in codes if code.strip()})
    for code in cleaned:
        if not REGION_CODE.fullmatch(code):
            raise OfficerError(f"region code {code!r} is neither a province (34) nor a kabupaten/kota (34.02)")
    return cleaned


def add_officer(
    session: Session, name: str, role: str, regions: list[str] | None = None, facility_code: str | None = None,
    *, username: str | None = None,
) -> Officer:
    name = " ".join((name or "").split())
    if not name:
        raise OfficerError("an officer needs a name")
    if role not in ROLES:
        raise OfficerError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    codes = check_region_codes(regions or [])
    facility = None
    if role == "facility":
        if not facility_code:
            raise OfficerError("a facility contact needs --facility CODE")
        facility = session.scalar(select(Facility).where(Facility.code == facility_code))
        if facility is None:
            raise OfficerError(f"no facility with code {facility_code!r}")
    elif facility_code:
        raise OfficerError("--facility is only for the facility role")
    if role == "officer" and not codes:
        raise OfficerError("a duty officer needs a remit: give --region CODE (a province or kabupaten/kota)")
    login = check_username(session, username) if username is not None else None
    officer = Officer(
        name=name[:120],
        username=login,
        role=role,
        active=True,
        facility_id=facility.id if facility else None,
        remit_all=role in ("coordinator", "admin") and not codes,
        regions=[OfficerRegion(code=code) for code in codes],
    )
    session.add(officer)
    session.flush()
    return officer


USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


def check_username(session: Session, username: str) -> str:
    """A console login: 3-64 lower-case letters, digits, '.', '_' or '-', not taken yet."""
    login = (username or "").strip()
    if login != login.lower() or not USERNAME.fullmatch(login):
        raise OfficerError(f"username {username!r}: use 3-64 lower-case letters, digits, '.', '_' or '-'")
    if session.scalar(select(Officer.id).where(Officer.username == login)) is not None:
        raise OfficerError(f"username {login!r} is taken")
    return login


def get_officer(session: Session, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise OfficerError(f"no officer with id {officer_id}")
    return officer


def disable_officer(session: Session, officer_id: int) -> Officer:
    """Off the rota and off the bot: no alerts, no commands, no rights on any case. The
    conversations they hold are handed back to the bot by the caller in the same transaction
    (`helpline officers disable`), and otherwise by the desk's next pass (bot/desk/telegram_desk.py,
    `release_disabled`): nobody's messages wait for an officer who is gone."""
    officer = get_officer(session, officer_id)
    officer.active = False
    session.execute(
        update(OfficerLinkCode).where(OfficerLinkCode.officer_id == officer.id, OfficerLinkCode.used_at.is_(None))
        .values(expires_at=utcnow())
    )
    return officer


def _code_hash(secret_key: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"officer-link:{code}".encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def issue_link_code(
    session: Session, officer: Officer, secret_key: str, *, now: datetime | None = None, hours: float = LINK_CODE_HOURS
) -> tuple[str, datetime]:
    """A new one-time code for the officer; any earlier unused one stops working."""
    if not officer.active:
        raise OfficerError(f"officer {officer.id} is disabled")
    now = now or utcnow()
    session.execute(
        update(OfficerLinkCode).where(OfficerLinkCode.officer_id == officer.id, OfficerLinkCode.used_at.is_(None))
        .values(expires_at=now)
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + timedelta(hours=hours)
    session.add(OfficerLinkCode(officer_id=officer.id, code_hash=_code_hash(secret_key, code), created_at=now, expires_at=expires))
    session.flush()
    return code, expires


def redeem_link_code(session: Session, code: str, chat_id: str, secret_key: str, *, now: datetime | None = None) -> Officer | None:
    """Link `chat_id` to the code's officer, once, before it expires. None for a wrong,
    used or expired code (the caller says so without telling which)."""
    now = now or utcnow()
    claimed = session.execute(  # one statement: two chats sending one code at once cannot both win
        update(OfficerLinkCode)
        .where(
            OfficerLinkCode.code_hash == _code_hash(secret_key, normalise_code(code)),
            OfficerLinkCode.used_at.is_(None),
            OfficerLinkCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(OfficerLinkCode.officer_id)
    ).scalar()
    if claimed is None:
        return None
    officer = session.get(Officer, claimed)
    if officer is None or not officer.active:
        return None
    # The chat may have been linked to someone else before (a handed-on phone): it is theirs no more.
    session.execute(update(Officer).where(Officer.telegram_chat_id == chat_id, Officer.id != officer.id).values(telegram_chat_id=None))
    officer.telegram_chat_id = chat_id
    session.flush()
    return officer


def linked_officer(session: Session, chat_id: str) -> Officer | None:
    """The active officer this Telegram chat belongs to, if any."""
    return session.scalar(select(Officer).where(Officer.telegram_chat_id == chat_id, Officer.active.is_(True)))


POSSIBLE_EMERGENCY = "possible_emergency"  # the case event of an unanswered "danger now?" question


def may_be_danger(case: Case) -> bool:
    """An emergency, or a possible emergency: nobody may miss it, wherever it is."""
    return case.is_emergency or any(event.kind == POSSIBLE_EMERGENCY for event in case.events)


def _danger_case() -> ColumnElement[bool]:
    """`may_be_danger` as a WHERE clause on Case."""
    return or_(Case.is_emergency.is_(True), exists().where(CaseEvent.case_id == Case.id, CaseEvent.kind == POSSIBLE_EMERGENCY))


def case_in_remit(officer: Officer) -> ColumnElement[bool]:
    """A WHERE clause on Case: the officer may see this case. National staff see every case;
    others the cases of their regions, those without a place yet that may be danger now (an
    emergency before the place is given), and a case an alert asked them to act on, for as
    long as that alert is why (`_alert_grants`)."""
    if officer.remit_all:
        return true()
    codes = select(OfficerRegion.code).where(OfficerRegion.officer_id == officer.id)
    return or_(
        Case.province_code.in_(codes),
        Case.regency_code.in_(codes),
        and_(Case.province_code.is_(None), _danger_case()),
        exists().where(
            AlertDelivery.officer_id == officer.id, AlertDelivery.alert_id == CaseAlert.id, CaseAlert.case_id == Case.id,
            _alert_grants(),
        ),
    )


# Alerts repeated until someone acts on them (bot.duties.alerts.REPEATING); the others are resolved once told.
REPEATING = ("emergency", "possible_emergency")


def _alert_grants() -> ColumnElement[bool]:
    """Whether an alert delivery (joined to its alert and case) still lets its officer see the
    case. One sent within their remit (a case without a place yet) only while the case has no
    place: once it has one, that place's staff take it. One sent on a fallback rung, because
    nobody nearer could be reached, while the alert is unresolved; an alert told only once (a
    new case: resolved the moment it reached somebody) while the case is open and still lies
    where it did, since nobody else was asked to act on it there."""
    told_once = CaseAlert.reason.not_in(REPEATING)
    unmoved = func.coalesce(Case.regency_code, Case.province_code, "") == func.coalesce(AlertDelivery.case_place, "")
    return or_(
        and_(AlertDelivery.beyond_remit.is_(False), Case.province_code.is_(None)),
        and_(
            AlertDelivery.beyond_remit.is_(True),
            or_(CaseAlert.resolved_at.is_(None), and_(told_once, Case.status != "closed", unmoved)),
        ),
    )


def case_place(case: Case | None) -> str | None:
    """Where a case lies, as an alert delivery remembers it: its regency, else its province."""
    return (case.regency_code or case.province_code) if case is not None else None


def officer_covers(case: Case | None) -> ColumnElement[bool]:
    """A WHERE clause on Officer: its remit covers this case, by the rule of `case_in_remit`.
    A conversation without a case yet, like a case without a place, is national staff's."""
    if case is None or case.province_code is None:
        return true() if case is not None and may_be_danger(case) else Officer.remit_all.is_(True)
    codes = [case.province_code] + ([case.regency_code] if case.regency_code else [])
    return or_(
        Officer.remit_all.is_(True),
        exists().where(OfficerRegion.officer_id == Officer.id, OfficerRegion.code.in_(codes)),
    )


def covering(session: Session, case: Case | None, officers: list[Officer]) -> set[int]:
    """The ids of these officers whose remit covers the case (`officer_covers`)."""
    if not officers:
        return set()
    return set(session.scalars(select(Officer.id).where(Officer.id.in_([o.id for o in officers]), officer_covers(case))))


def reachable_staff(session: Session, case: Case | None, roles: tuple[str, ...] = STAFF_ROLES,
                    *, anywhere: bool = False) -> list[Officer]:
    """Linked, active staff of these roles whose remit covers the case (`anywhere`: any remit)."""
    return list(
        session.scalars(
            select(Officer)
            .where(
                Officer.active.is_(True),
                Officer.telegram_chat_id.is_not(None),
                Officer.role.in_(roles),
                true() if anywhere else officer_covers(case),
            )
            .order_by(Officer.id)
        )
    )


# The rungs an alert climbs until it finds somebody (`alert_recipients`).
ON_DUTY, COORDINATORS, NATIONAL, REMIT, ON_DUTY_ANYWHERE, ANYONE = range(6)


def _rung(session: Session, case: Case | None, rung: int, now: datetime) -> list[Officer]:
    if rung == ON_DUTY:
        return [o for o in reachable_staff(session, case) if is_on_duty(o, now)]
    if rung == COORDINATORS:
        return reachable_staff(session, case, roles=("coordinator",))
    if rung == NATIONAL:
        return [o for o in reachable_staff(session, None, roles=("coordinator", "admin"), anywhere=True) if o.remit_all]
    if rung == REMIT:
        return reachable_staff(session, case)
    if rung == ON_DUTY_ANYWHERE:
        return [o for o in reachable_staff(session, case, anywhere=True) if is_on_duty(o, now)]
    return reachable_staff(session, case, anywhere=True)


def alert_recipients(
    session: Session, case: Case | None, *, now: datetime, with_coordinators: bool = False,
    from_rung: int = ON_DUTY, to_rung: int = ANYONE, passed_over: frozenset[int] | set[int] = frozenset(),
) -> list[Officer]:
    """Who hears about this case now: the first rung with somebody on it, of
    the on-duty staff whose remit covers it (with the remit's coordinators as well when
    asked, as for an emergency) → the remit's coordinators → national coordinators and
    admins → the remit's staff off duty → on-duty staff anywhere → any linked staff member.
    `passed_over`: officers whose chat just refused this alert. An empty list: nobody at all."""
    for rung in range(from_rung, to_rung + 1):
        chosen = [o for o in _rung(session, case, rung, now) if o.id not in passed_over]
        if rung == ON_DUTY and with_coordinators and chosen:
            chosen += [o for o in _rung(session, case, COORDINATORS, now) if o not in chosen and o.id not in passed_over]
        if chosen:
            return chosen
    return []


def facility_contacts(session: Session, facility_id: int) -> list[Officer]:
    return list(
        session.scalars(
            select(Officer).where(
                Officer.active.is_(True),
                Officer.telegram_chat_id.is_not(None),
                Officer.role == "facility",
                Officer.facility_id == facility_id,
            )
        )
    )


def case_for_officer(session: Session, officer: Officer, ticket: str) -> Case | None:
    """A case by ticket for an officer to change (status, a note), only when it lies in the
    officer's remit or belongs to a conversation they hold right now (a facility contact: only
    a case their facility accepted). Rights end with the takeover: a conversation handed back
    gives no rights on its later cases, in whatever region."""
    if not officer.active:
        return None
    query = select(Case).where(Case.ticket == ticket.strip().upper())
    if officer.role == "facility":
        query = query.where(
            exists().where(Referral.case_id == Case.id, Referral.facility_id == officer.facility_id, Referral.status == "accepted")
        )
    elif not officer.remit_all:
        # A case with no region yet may be everyone's to hear of, but only the officer holding
        # its conversation now may change it; otherwise it must lie in the remit.
        codes = select(OfficerRegion.code).where(OfficerRegion.officer_id == officer.id)
        query = query.where(or_(
            Case.province_code.in_(codes),
            Case.regency_code.in_(codes),
            exists().where(
                Takeover.conversation_id == Case.conversation_id, Takeover.officer_id == officer.id, Takeover.ended_at.is_(None)
            ),
        ))
    return session.scalar(query)
