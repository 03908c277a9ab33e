"""The officer console (first cut): a live list of recent cases.

There is no officer login yet, so the console answers only to requests from
this machine (loopback). Reporters' message texts are not shown here.
"""

from __future__ import annotations

import ipaddress
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from referral.cases import list_cases
from referral.messages import attention_summary
from referral.storage import unit_of_work


def _is_local(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


FORBIDDEN = "The officer console is only served to this machine (no officer login is configured)."


async def page(request: Request) -> HTMLResponse:
    if not _is_local(request):
        return HTMLResponse(FORBIDDEN, status_code=403)
    html = resources.files("bot").joinpath("static", "console.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


async def list_cases_json(request: Request) -> JSONResponse:
    if not _is_local(request):
        return JSONResponse({"error": FORBIDDEN}, status_code=403)
    with unit_of_work(request.app.state.sessions) as session:
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
        attention = attention_summary(session)
    return JSONResponse({"cases": cases, "attention": attention}, headers={"Cache-Control": "no-store"})
