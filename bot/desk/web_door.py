"""The web desk's door: what a request must carry before a page answers it.

In order: the console switched on; a live session (the cookie); the CSRF token on every POST
(after a size cap, and only once the session is known, so nobody's upload is read first); the
second factor, when the officer has one; the second factor set up, when required; and the
current code of conduct accepted. A page names how far in it needs the officer.
"""

from __future__ import annotations

from functools import wraps

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from bot.desk.web_auth import SESSION_COOKIE, csrf_matches, current_session, form_csrf, not_signed_in, secured, wants_json
from referral import conduct
from referral.models import ConsoleSession
from referral.storage import unit_of_work

OFF = "The officer console is turned off (HELPLINE_CONSOLE=off)."
MAX_POST_BYTES = 3 * 1024 * 1024  # the largest form: a facility directory of 2 MB
COORDINATORS = ("coordinator", "admin")


def console_on(handler):
    @wraps(handler)
    async def checked(request: Request) -> Response:
        if not request.state.gateway.settings.console_enabled:
            return PlainTextResponse(OFF, status_code=404)
        return await handler(request)
    return checked


# How far into the door a page needs the officer: a session; the second factor given; the
# second factor set up (when required); the code of conduct accepted (every other page).
SESSION, SECOND_FACTOR, ENROLLED, CONDUCT = range(4)


def _signed_in(handler, *, needs: int):
    @wraps(handler)
    async def checked(request: Request) -> Response:
        if not request.state.gateway.settings.console_enabled:
            return PlainTextResponse(OFF, status_code=404)
        declared = request.headers.get("content-length", "")
        if request.method == "POST" and (not declared.isascii() or not declared.isdigit() or int(declared) > MAX_POST_BYTES):
            return secured(PlainTextResponse("Permintaan terlalu besar atau tanpa panjang.", status_code=413))
        if request.method == "POST":
            with unit_of_work(request.state.gateway.sessions) as db:  # nobody's upload is read before their session is
                if current_session(request, db) is None:
                    return not_signed_in(request)
        form, given = (await form_csrf(request)) if request.method == "POST" else ({}, None)
        with unit_of_work(request.state.gateway.sessions) as db:
            console = current_session(request, db)
            if console is None:
                return not_signed_in(request)
            if request.method == "POST" and not csrf_matches(given, console.csrf_token):
                return secured(PlainTextResponse("Permintaan ditolak: token keamanan (CSRF) tidak ada atau salah. Muat ulang halaman lalu coba lagi.", status_code=403))
            missing = missing_step(request, db, console, needs)
            if missing is not None:
                if wants_json(request):
                    return secured(JSONResponse({"error": "sign-in not complete", "next": missing}, status_code=403))
                return secured(RedirectResponse(missing, status_code=303))
            request.state.form = form
            return await handler(request, db, console)
    return checked


def missing_step(request: Request, db: Session, console: ConsoleSession, needs: int) -> str | None:
    """The page the officer must go through first, if any."""
    officer = console.officer
    if needs >= SECOND_FACTOR and not console.verified:
        return "/console/login/totp"
    if needs >= ENROLLED and officer.totp_secret is None and request.state.gateway.settings.console_totp == "required" \
            and officer.role in COORDINATORS:
        return "/console/totp"
    if needs >= CONDUCT and not conduct.has_accepted(db, officer, conduct_of(request, db).version):
        return "/console/conduct"
    return None


def signed_in(handler):
    """The handler gets (request, db, console session) inside one transaction, or the
    request goes to the login page (401 for JSON). State-changing requests need the CSRF
    token; nothing is shown before the second factor (when the officer has one or must) and
    the current code of conduct."""
    return _signed_in(handler, needs=CONDUCT)


def signed_in_before_conduct(handler):
    """For the pages an officer needs before accepting: the code itself."""
    return _signed_in(handler, needs=ENROLLED)


def signed_in_at(needs: int):
    return lambda handler: _signed_in(handler, needs=needs)


def conduct_of(request: Request, db: Session) -> conduct.Conduct:
    return conduct.current(db, request.state.gateway.settings.config_dir / "code_of_conduct.yml")


def signed_in_coordinator(request: Request) -> bool:
    """Does this request carry a live console session of a coordinator or admin (for /metrics)?"""
    if not request.cookies.get(SESSION_COOKIE):
        return False
    with unit_of_work(request.state.gateway.sessions) as db:
        console = current_session(request, db)
        return (console is not None and console.officer.role in COORDINATORS
                and missing_step(request, db, console, CONDUCT) is None)
