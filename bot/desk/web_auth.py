"""The web console's door: the session cookie, the CSRF token, and the headers every page carries.

A signed-in request carries the `helpline_console` cookie (HttpOnly, SameSite=Lax, Secure
over HTTPS); the session it names must be live and its officer active. Every request that
changes something carries the session's CSRF token, as the form field `csrf_token` or the
header `X-CSRF-Token`; before login, the login forms use a double-submit token in a cookie.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from referral import logins
from referral.models import ConsoleSession

SESSION_COOKIE = "helpline_console"
LOGIN_CSRF_COOKIE = "helpline_login_csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class ConsoleHeaders:
    """ASGI middleware: every response under /console carries the security headers, errors,
    redirects and framework answers (404, 405) included."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/console"):
            return await self.app(scope, receive, send)
        is_asset = scope["path"].startswith("/console/assets/")

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"} if is_asset else SECURITY_HEADERS
                message["headers"] = list(message.get("headers", [])) + [
                    (name.lower().encode(), value.encode()) for name, value in extra.items() if name.lower().encode() not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/console/api/") or "application/json" in request.headers.get("accept", "")


def current_session(request: Request, db: Session) -> ConsoleSession | None:
    """The live console session of this request (touched), inside the caller's transaction."""
    gateway = request.state.gateway
    token = request.cookies.get(SESSION_COOKIE, "")
    idle = timedelta(minutes=gateway.settings.console_idle_minutes)
    return logins.session_for(db, token, idle=idle, now=gateway.desk.clock()) if token else None


def not_signed_in(request: Request) -> Response:
    if wants_json(request):
        return secured(JSONResponse({"error": "not signed in"}, status_code=401))
    return secured(RedirectResponse("/console/login", status_code=303))


def csrf_matches(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


async def form_csrf(request: Request) -> tuple[dict, str | None]:
    """The posted form and the CSRF token it (or its header) carries."""
    form = dict(await request.form()) if "form" in request.headers.get("content-type", "") else {}
    return form, request.headers.get("x-csrf-token") or form.get("csrf_token")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    # A browser-session cookie: the idle time is enforced by the server (logins.session_for).
    # Path "/": a signed-in coordinator also reads /metrics (the contract's GET /metrics).
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=is_https(request), path="/")


def login_csrf(request: Request) -> str:
    """The login form's token: the cookie's, or a new one the response sets."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request), path="/console")
