"""The officer console (first cut): a live list of recent cases.

There are no officer logins yet, so the case data answers only to a bearer token
(HELPLINE_CONSOLE_TOKEN, or one derived from the secret key) that `helpline run`
prints as part of the console's link; HELPLINE_CONSOLE=off turns the console off.
The client's address is never trusted for this: behind a reverse proxy every request
comes from 127.0.0.1, and X-Forwarded-For is whatever the sender wrote.
Reporters' message texts are not shown here.
"""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from bot.duties.alerts import alerts_without_recipient
from bot.gateway.http_utils import bearer_matches
from referral.cases import list_cases
from messaging.queries import attention_summary
from referral.storage import unit_of_work

OFF = "The officer console is turned off (HELPLINE_CONSOLE=off)."
REFUSED = "The officer console needs its token: open the link `helpline run` printed."


def _authorised(request: Request) -> bool:
    return bearer_matches(request, request.state.gateway.console_token)


async def page(request: Request) -> HTMLResponse:
    # The page itself holds no data; it asks for it with the token.
    if not request.state.gateway.settings.console_enabled:
        return HTMLResponse(OFF, status_code=404)
    html = resources.files("bot").joinpath("static", "console.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


async def list_cases_json(request: Request) -> JSONResponse:
    if not request.state.gateway.settings.console_enabled:
        return JSONResponse({"error": OFF}, status_code=404)
    if not _authorised(request):
        return JSONResponse({"error": REFUSED}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    with unit_of_work(request.state.gateway.sessions) as session:
        cases = [
            {
                "ticket": case.ticket,
                "category": case.category,
                "urgency": case.urgency,
                "status": case.status,
                "is_emergency": case.is_emergency,
                "location": case.location_text,
                "created_at": case.created_at.isoformat(),
            }
            for case in list_cases(session, limit=100)
        ]
        attention = attention_summary(session) | {"alerts_without_recipient": alerts_without_recipient(session)}
    return JSONResponse({"cases": cases, "attention": attention}, headers={"Cache-Control": "no-store"})
