"""Web console logins: passwords (argon2id), one-time links to choose one, sessions with
an idle timeout, and a lockout with backoff after repeated failures.

Only hashes of secrets are stored: the password's argon2id hash, the SHA-256 of a session
token or a login link's token (both are 256-bit random, so a plain hash is enough). A
disabled officer's sessions end at once, and a session is checked against the officer's
`active` flag on every request as well.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from referral.models import ConsoleLoginLink, ConsoleSession, LoginAttempt, Officer, utcnow

LINK_HOURS = 24
MIN_PASSWORD_CHARS = 10
LOCKOUT_WINDOW = timedelta(minutes=15)
# After this many failures in the window, the account *from that address* waits 1, 2, 4 …
# minutes (at most MAX_LOCK) after its latest failure; an address trying many accounts, or
# an account tried from many addresses, waits too, at higher counts. Attempts made while
# waiting are refused unchecked and not counted, so nobody can keep an officer out for good
# by trying now and then; `helpline officers unlock ID` clears an account's failures.
FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
FAILURES_PER_ADDRESS = 20
FAILURES_PER_ACCOUNT = 50
MAX_LOCK = timedelta(minutes=15)
_hasher = PasswordHasher()  # argon2id with the library's current defaults
# A hash to verify against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a password of anybody's")


class LoginError(ValueError):
    """Why a password or link was refused (in English, for the command line)."""


class LinkGone(LoginError):
    """The one-time link is unknown, used or expired."""


class WeakPassword(LoginError):
    """The password is too short."""


@dataclass(frozen=True)
class LoginResult:
    officer: Officer | None = None
    token: str | None = None  # the new session's token, for the cookie
    locked_until: datetime | None = None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def set_password(session: Session, officer: Officer, password: str) -> None:
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise WeakPassword(f"a console password needs at least {MIN_PASSWORD_CHARS} characters")
    if not officer.username:
        raise LoginError(f"officer {officer.id} has no console username: set one with `helpline officers add … --username`")
    officer.password_hash = _hasher.hash(password)
    end_sessions(session, officer)  # a new password logs out every other session


def issue_login_link(session: Session, officer: Officer, *, now: datetime | None = None) -> str:
    """A one-time token (24 hours) to choose a password; earlier unused links stop working."""
    now = now or utcnow()
    if not officer.username:
        raise LoginError(f"officer {officer.id} has no console username")
    session.execute(
        update(ConsoleLoginLink).where(ConsoleLoginLink.officer_id == officer.id, ConsoleLoginLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    session.add(ConsoleLoginLink(officer_id=officer.id, token_hash=digest(token), created_at=now, expires_at=now + timedelta(hours=LINK_HOURS)))
    return token


def link_officer(session: Session, token: str, *, now: datetime | None = None) -> Officer | None:
    """The officer a usable link belongs to (not used, not expired, officer active)."""
    now = now or utcnow()
    link = session.scalar(select(ConsoleLoginLink).where(ConsoleLoginLink.token_hash == digest(token or "")))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    officer = session.get(Officer, link.officer_id)
    return officer if officer is not None and officer.active else None


def redeem_login_link(session: Session, token: str, password: str, *, now: datetime | None = None) -> Officer:
    now = now or utcnow()
    officer = link_officer(session, token, now=now)
    if officer is None:
        raise LinkGone("the link is unknown, used or expired")
    if len(password or "") < MIN_PASSWORD_CHARS:  # before the link is spent
        raise WeakPassword(f"a console password needs at least {MIN_PASSWORD_CHARS} characters")
    claimed = session.execute(  # exactly one of two posts at once wins the link
        update(ConsoleLoginLink).where(ConsoleLoginLink.token_hash == digest(token), ConsoleLoginLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise LinkGone("the link is unknown, used or expired")
    set_password(session, officer, password)
    return officer


def locked_until(session: Session, username: str, source: str, *, now: datetime) -> datetime | None:
    """When this account may be tried again from this address, if it must wait now."""
    since = now - LOCKOUT_WINDOW
    pair_success = session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username, LoginAttempt.source == source, LoginAttempt.succeeded.is_(True)))
    checks = (
        ((LoginAttempt.username == username, LoginAttempt.source == source), FAILURES_PER_ACCOUNT_AND_ADDRESS, pair_success),
        ((LoginAttempt.source == source,), FAILURES_PER_ADDRESS, None),  # a success does not reset an address trying many accounts
        ((LoginAttempt.username == username,), FAILURES_PER_ACCOUNT, None),
    )
    for where, allowed, reset in checks:
        start = max(since, reset) if reset else since
        failures, last = session.execute(
            select(func.count(), func.max(LoginAttempt.at)).where(*where, LoginAttempt.succeeded.is_(False), LoginAttempt.at > start)
        ).one()
        if failures >= allowed:
            until = last + min(MAX_LOCK, timedelta(minutes=2 ** (failures - allowed)))
            if until > now:
                return until
    return None


def unlock(session: Session, username: str) -> int:
    """Forget an account's failed logins (a coordinator's `helpline officers unlock`)."""
    login = normalise_username(username)
    return session.execute(
        delete(LoginAttempt).where(LoginAttempt.username.in_((login, f"{login}#totp")), LoginAttempt.succeeded.is_(False))
        .execution_options(synchronize_session=False)
    ).rowcount


def log_in(session: Session, username: str, password: str, source: str, *, now: datetime | None = None) -> LoginResult:
    """Check a username and password; on success a new session (a fresh token: the session
    is rotated at every login). A locked account or address is not even checked."""
    now = now or utcnow()
    username = normalise_username(username)[:64]
    source = (source or "?")[:64]
    until = locked_until(session, username, source, now=now)
    if until is not None:  # refused unchecked, and not counted: waiting does not grow by trying
        return LoginResult(locked_until=until)
    officer = session.scalar(select(Officer).where(Officer.username == username)) if username else None
    usable = officer is not None and officer.active and officer.password_hash
    try:
        _hasher.verify(officer.password_hash if usable else _DUMMY_HASH, password or "")
        ok = bool(usable)
    except (VerificationError, InvalidHashError):
        ok = False
    session.add(LoginAttempt(at=now, username=username, source=source, succeeded=ok))
    if not ok:
        return LoginResult(officer=officer if officer is not None else None)
    token = secrets.token_urlsafe(32)
    session.add(ConsoleSession(
        officer_id=officer.id, token_hash=digest(token), csrf_token=secrets.token_urlsafe(32),
        created_at=now, last_seen_at=now, source=source, verified=officer.totp_secret is None,
    ))
    return LoginResult(officer=officer, token=token)


# -- the second factor (TOTP, RFC 6238: any authenticator app) ------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(officer: Officer, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=officer.username or str(officer.id), issuer_name="MPKS Meja Petugas")


TOTP_STEP_S = 30


def totp_step(secret: str, code: str, *, now: datetime, after: int | None = None) -> int | None:
    """The 30-second step (now, or one either side for a slow clock) whose code this is; None
    when it is none of them, or a step at or before `after` (a code already used)."""
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp, current = pyotp.TOTP(secret), int(now.timestamp()) // TOTP_STEP_S
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.at(step * TOTP_STEP_S), code):
            return step
    return None


def second_factor_key(officer: Officer) -> str:
    """Wrong codes are counted apart from passwords, so a right password never resets them."""
    return f"{officer.username or officer.id}#totp"


def verify_second_factor(session: Session, console: ConsoleSession, code: str, source: str, *, now: datetime) -> bool | datetime:
    """True when the code is right and unused (the session is verified); False when wrong; the
    time to wait until when too many wrong codes came."""
    officer = console.officer
    key = second_factor_key(officer)
    until = locked_until(session, key, source, now=now)
    if until is not None:
        return until
    step = totp_step(officer.totp_secret, code, now=now, after=officer.totp_last_step) if officer.totp_secret else None
    session.add(LoginAttempt(at=now, username=key, source=source[:64], succeeded=step is not None))
    if step is None:
        return False
    officer.totp_last_step = step
    console.verified = True
    return True


def enrol_totp(session: Session, console: ConsoleSession, secret: str, code: str, *, now: datetime) -> bool:
    """Keep the secret once the officer proves their app has it (a right code). Every other
    session of the officer ends: from now on each sign-in needs a code."""
    step = totp_step(secret, code, now=now)
    if step is None:
        return False
    officer = console.officer
    officer.totp_secret, officer.totp_last_step = secret, step
    session.execute(
        update(ConsoleSession).where(ConsoleSession.officer_id == officer.id, ConsoleSession.id != console.id,
                                     ConsoleSession.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False)
    )
    return True


def reset_totp(session: Session, officer: Officer) -> None:
    """A lost phone: the officer sets the second factor up again at their next sign-in."""
    officer.totp_secret, officer.totp_last_step = None, None
    end_sessions(session, officer)


def session_for(session: Session, token: str, *, idle: timedelta, now: datetime | None = None) -> ConsoleSession | None:
    """The live session a cookie's token names, touched (its idle clock restarts); None when
    unknown, ended, idle too long, or its officer is disabled."""
    now = now or utcnow()
    if not token:
        return None
    found = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == digest(token)))
    if found is None or found.ended_at is not None:
        return None
    if found.last_seen_at + idle <= now or not found.officer.active:  # idle too long, or disabled
        found.ended_at = now
        return None
    found.last_seen_at = now
    return found


def end_session(session: Session, token: str, *, now: datetime | None = None) -> ConsoleSession | None:
    found = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == digest(token or "")))
    if found is not None and found.ended_at is None:
        found.ended_at = now or utcnow()
        return found
    return None


def end_sessions(session: Session, officer: Officer, *, now: datetime | None = None) -> int:
    return session.execute(
        update(ConsoleSession).where(ConsoleSession.officer_id == officer.id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=now or utcnow()).execution_options(synchronize_session=False)
    ).rowcount
