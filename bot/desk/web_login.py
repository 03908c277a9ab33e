"""The web desk's way in: login and logout, the one-time link to choose a password, the second
factor (TOTP) and its set-up, and the code of conduct (read, accepted, edited by coordinators).
Every success and failure is in the audit trail."""

from __future__ import annotations

import logging
import re

import segno
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot.desk.web_auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    client_address,
    csrf_matches,
    form_csrf,
    login_csrf,
    secured,
    set_login_csrf,
    set_session_cookie,
)
from bot.desk.web_door import SECOND_FACTOR, SESSION, conduct_of, console_on, signed_in, signed_in_at, signed_in_before_conduct
from bot.desk.web_templates import render
from referral import audit, conduct, logins
from referral.models import ConsoleSession
from referral.roster import WIB
from referral.storage import unit_of_work

log = logging.getLogger(__name__)


@console_on
async def login_page(request: Request) -> Response:
    token = login_csrf(request)
    response = render("login.html", csrf_token=token, notice=request.query_params.get("notice"))
    set_login_csrf(request, response, token)
    return response


@console_on
async def login(request: Request) -> Response:
    gateway = request.state.gateway
    form, given = await form_csrf(request)
    token = login_csrf(request)
    if not csrf_matches(given, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return secured(PlainTextResponse("Permintaan ditolak: token keamanan (CSRF) tidak ada atau salah. Muat ulang halaman login.", status_code=403))
    source = client_address(request)
    now = gateway.desk.clock()
    with unit_of_work(gateway.sessions) as db:
        result = logins.log_in(db, form.get("username", ""), form.get("password", ""), source, now=now)
        officer = result.officer
        if result.token is None:
            audit.record(db, "login_failed", officer=officer, source=source, now=now,
                         detail={"locked": result.locked_until is not None})
        else:
            audit.record(db, "login", officer=officer, source=source, now=now)
    if result.locked_until is not None:
        until = result.locked_until.astimezone(WIB).strftime("%H:%M")
        response = render("login.html", 429, csrf_token=token, error=f"Terlalu banyak percobaan yang salah. Coba lagi setelah pukul {until} WIB.")
    elif result.token is None:
        response = render("login.html", 401, csrf_token=token, error="Nama pengguna atau kata sandi salah.")
    else:
        log.info("officer %s signed in to the console", officer.id)
        response = secured(RedirectResponse("/console", status_code=303))
        set_session_cookie(request, response, result.token)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
        return response
    set_login_csrf(request, response, token)
    return response


@signed_in_at(SESSION)
async def logout(request: Request, db: Session, console: ConsoleSession) -> Response:
    logins.end_session(db, request.cookies.get(SESSION_COOKIE, ""))
    audit.record(db, "logout", officer_id=console.officer_id, source=client_address(request))
    response = secured(RedirectResponse("/console/login", status_code=303))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@console_on
async def password_page(request: Request) -> Response:
    token = login_csrf(request)
    with unit_of_work(request.state.gateway.sessions) as db:
        officer = logins.link_officer(db, request.path_params["token"])
        name = officer.name if officer else None
    if name is None:
        return render("password.html", 404, gone=True, csrf_token=token)
    response = render("password.html", name=name, csrf_token=token, min_chars=logins.MIN_PASSWORD_CHARS)
    set_login_csrf(request, response, token)
    return response


@console_on
async def choose_password(request: Request) -> Response:
    form, given = await form_csrf(request)
    token = login_csrf(request)
    if not csrf_matches(given, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return secured(PlainTextResponse("Permintaan ditolak: token keamanan (CSRF) tidak ada atau salah.", status_code=403))
    password = form.get("password", "")
    if password != form.get("password_again", ""):
        return render("password.html", 400, name="", csrf_token=token, min_chars=logins.MIN_PASSWORD_CHARS,
                      error="Kedua kata sandi tidak sama.")
    try:
        with unit_of_work(request.state.gateway.sessions) as db:
            officer = logins.redeem_login_link(db, request.path_params["token"], password)
            audit.record(db, "password_set", officer=officer, source=client_address(request))
    except logins.LoginError as error:
        gone = isinstance(error, logins.LinkGone)
        message = None if gone else f"Kata sandi minimal {logins.MIN_PASSWORD_CHARS} karakter."
        return render("password.html", 404 if gone else 400, gone=gone, name="", csrf_token=token,
                      min_chars=logins.MIN_PASSWORD_CHARS, error=message)
    return secured(RedirectResponse("/console/login?notice=password", status_code=303))


# -- the second factor (TOTP) -------------------------------------------------------------


@signed_in_at(SESSION)
async def second_factor_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    if console.verified:
        return secured(RedirectResponse("/console", status_code=303))
    return render("totp_login.html", csrf_token=console.csrf_token)


@signed_in_at(SESSION)
async def second_factor(request: Request, db: Session, console: ConsoleSession) -> Response:
    source = client_address(request)
    now = request.state.gateway.desk.clock()
    result = logins.verify_second_factor(db, console, request.state.form.get("code", ""), source, now=now)
    if result is True:
        audit.record(db, "login", officer=console.officer, source=source, now=now, detail={"second_factor": True})
        return secured(RedirectResponse("/console", status_code=303))
    audit.record(db, "login_failed", officer=console.officer, source=source, now=now, detail={"second_factor": True})
    if result is False:
        return render("totp_login.html", 401, csrf_token=console.csrf_token, error="Kode salah atau sudah lewat. Coba kode terbaru dari aplikasi Anda.")
    until = result.astimezone(WIB).strftime("%H:%M")
    return render("totp_login.html", 429, csrf_token=console.csrf_token, error=f"Terlalu banyak kode yang salah. Coba lagi setelah pukul {until} WIB.")


@signed_in_at(SECOND_FACTOR)
async def totp_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    secret = logins.new_totp_secret()
    uri = logins.totp_uri(officer, secret)
    return render("totp.html", officer=officer, csrf_token=console.csrf_token, secret=secret,
                  qr=segno.make(uri, error="m").svg_data_uri(scale=4), enrolled=officer.totp_secret is not None,
                  required=request.state.gateway.settings.console_totp == "required" and officer.role in ("coordinator", "admin"),
                  error=request.query_params.get("error") == "1")


@signed_in_at(SECOND_FACTOR)
async def enrol_totp(request: Request, db: Session, console: ConsoleSession) -> Response:
    form = request.state.form
    now = request.state.gateway.desk.clock()
    officer = console.officer
    # Replacing a second factor needs a code from the current one, too.
    current_ok = officer.totp_secret is None or logins.totp_step(
        officer.totp_secret, form.get("current_code", ""), now=now, after=officer.totp_last_step) is not None
    secret = form.get("secret", "")
    if not current_ok or not re.fullmatch(r"[A-Z2-7]{32}", secret) or not logins.enrol_totp(db, console, secret, form.get("code", ""), now=now):
        audit.record(db, "login_failed", officer=officer, source=client_address(request), detail={"totp_enrolment": True})
        return secured(RedirectResponse("/console/totp?error=1", status_code=303))
    audit.record(db, "totp_enrolled", officer=officer, source=client_address(request))
    return secured(RedirectResponse("/console", status_code=303))


# -- the code of conduct ------------------------------------------------------------------


@signed_in_before_conduct
async def conduct_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    current = conduct_of(request, db)
    return render("conduct.html", officer=officer, csrf_token=console.csrf_token, conduct=current,
                  accepted=conduct.has_accepted(db, officer, current.version),
                  can_edit=officer.role in ("coordinator", "admin"), saved=request.query_params.get("saved") == "1")


@signed_in_before_conduct
async def accept_conduct(request: Request, db: Session, console: ConsoleSession) -> Response:
    current = conduct_of(request, db)
    if request.state.form.get("version") != current.version:  # changed while they read it: read the new one
        return secured(RedirectResponse("/console/conduct", status_code=303))
    conduct.accept(db, console.officer, current.version, client_address(request), now=request.state.gateway.desk.clock())
    audit.record(db, "conduct_accepted", officer=console.officer, source=client_address(request), detail={"version": current.version})
    return secured(RedirectResponse("/console", status_code=303))


@signed_in
async def edit_conduct(request: Request, db: Session, console: ConsoleSession) -> Response:
    try:
        saved = conduct.save(db, console.officer, request.state.form.get("text", ""), now=request.state.gateway.desk.clock())
    except conduct.ConductError:
        return secured(PlainTextResponse("Kode etik tidak disimpan: hanya koordinator yang dapat mengubahnya, dan teksnya tidak boleh kosong.", status_code=400))
    audit.record(db, "conduct_edited", officer=console.officer, source=client_address(request), detail={"version": saved.version})
    return secured(RedirectResponse("/console/conduct?saved=1", status_code=303))
