"""The web desk's pages: Jinja2 templates (bot/desk/templates/), escaped by default, and the
Indonesian names and WIB times they show."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from bot.desk.texts import AUDIT_NAMES, CATEGORY_NAMES, EVENT_NAMES, ROLE_NAMES, STATUS_NAMES, URGENCY_NAMES, VICTIM_NAMES
from bot.desk.web_auth import secured
from referral.roster import WIB


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("bot.desk", "templates"), autoescape=select_autoescape(default=True))
    env.filters["wib"] = lambda moment: moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M") if moment else "-"
    env.filters["actor"] = lambda actor: actor.replace("officer:", "petugas #") if actor else "-"
    env.globals.update(AUDIT_NAMES=AUDIT_NAMES, VICTIM_NAMES=VICTIM_NAMES, EVENT_NAMES=EVENT_NAMES, CATEGORY_NAMES=CATEGORY_NAMES, STATUS_NAMES=STATUS_NAMES, URGENCY_NAMES=URGENCY_NAMES, ROLE_NAMES=ROLE_NAMES)
    return env


_templates: Environment | None = None


def render(template: str, status_code: int = 200, **values) -> HTMLResponse:
    global _templates
    if _templates is None:  # built on first use, not at import
        _templates = _environment()
    return secured(HTMLResponse(_templates.get_template(template).render(**values), status_code=status_code))
