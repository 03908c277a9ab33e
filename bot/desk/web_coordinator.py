"""The coordinators' pages of the web desk: the weekly digest, facilities (their monthly
figures, the directory with CSV import and export), officers and their remits, the audit
trail, and the de-identified export for MPKS's social-welfare information system.

Coordinators and admins only; every page that shows officers, facilities, figures or the
audit is audited itself. None of them shows a reporter's words: the figures are the digest's,
with counts under five written "<5".
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from functools import wraps
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from bot.desk.web_auth import client_address, secured
from bot.desk.web_console import ID, not_found
from bot.desk.web_door import COORDINATORS, signed_in
from bot.desk.web_templates import render
from bot.duties.digest import build_digest, draw_charts, rows
from referral import audit, welfare_export
from referral.digest import Week
from referral.facilities import ImportFailed, export_csv, import_rows, read_csv_text
from referral.facility_report import facility_months
from referral.models import ConsoleSession, Facility, Officer
from referral.roster import describe, is_on_duty
from referral.storage import make_private_dir

CHARTS = ("kasus-per-kategori.png", "rujukan-diterima.png")
WEEKS_LISTED = 12
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def coordinators_only(handler):
    @signed_in
    @wraps(handler)
    async def checked(request: Request, db: Session, console: ConsoleSession) -> Response:
        if console.officer.role not in COORDINATORS:
            return not_found(console)
        return await handler(request, db, console)
    return checked


def _now(request: Request):
    return request.state.gateway.desk.clock()


def _week(request: Request) -> Week:
    try:
        return Week.parse(request.query_params["week"]) if request.query_params.get("week") else Week.containing(_now(request)).previous()
    except ValueError:
        return Week.containing(_now(request)).previous()


def _charts_dir(request: Request, week: Week):
    """The console's own copy of a week's charts: the archived report files stay as written."""
    return request.state.gateway.settings.data_dir / "reports" / ".console" / str(week)


@coordinators_only
async def digest_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    settings = request.state.gateway.settings
    week = _week(request)
    digest = build_digest(db, week, _now(request), settings.ack_after_s)
    folder = make_private_dir(_charts_dir(request, week))
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:  # drawn aside, then swapped in whole
        for name in draw_charts(digest, Path(scratch)):
            os.replace(Path(scratch) / name, folder / name)
    weeks, cursor = [], Week.containing(_now(request))
    for _ in range(WEEKS_LISTED):
        weeks.append(str(cursor))
        cursor = cursor.previous()
    sections: dict[str, list] = {}
    for section, metric, key, now, before in rows(digest):
        sections.setdefault(section, []).append((metric, key, now, before))
    audit.record(db, "view_digest", officer=console.officer, source=client_address(request), detail={"week": str(week)})
    return render("digest.html", officer=console.officer, csrf_token=console.csrf_token, week=str(week), weeks=weeks,
                  digest=digest, sections=sections, charts=CHARTS)


@coordinators_only
async def digest_chart(request: Request, db: Session, console: ConsoleSession) -> Response:
    name = request.path_params["name"]
    try:
        week = Week.parse(request.path_params["week"])
    except ValueError:
        return PlainTextResponse("not found", status_code=404)
    path = _charts_dir(request, week) / name
    if name not in CHARTS or not path.is_file():
        return PlainTextResponse("not found", status_code=404)
    return secured(FileResponse(path, media_type="image/png"))


@coordinators_only
async def facilities_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    return _facilities(db, console)


def _facilities(db: Session, console: ConsoleSession, *, problems=None, notice=None) -> Response:
    facilities = db.scalars(select(Facility).order_by(Facility.kind, Facility.name)).all()
    audit.record(db, "view_facilities", officer=console.officer)
    return render("facilities.html", 400 if problems else 200, officer=console.officer, csrf_token=console.csrf_token,
                  facilities=facilities, problems=problems, notice=notice)


@coordinators_only
async def facility_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    facility = db.scalar(select(Facility).where(Facility.code == request.path_params["code"]))
    if facility is None:
        return not_found(console)
    months = facility_months(db, facility, now=_now(request))
    audit.record(db, "view_facility", officer=console.officer, source=client_address(request), detail={"facility": facility.code})
    return render("facility.html", officer=console.officer, csrf_token=console.csrf_token, facility=facility, months=months)


@coordinators_only
async def facilities_export(request: Request, db: Session, console: ConsoleSession) -> Response:
    out = io.StringIO()
    count = export_csv(db, out)
    audit.record(db, "export", officer=console.officer, source=client_address(request), detail={"what": "facilities", "rows": count})
    return secured(Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="fasilitas.csv"'}))


@coordinators_only
async def facilities_import(request: Request, db: Session, console: ConsoleSession) -> Response:
    form = await request.form()
    upload = form.get("file")
    data = await upload.read(MAX_IMPORT_BYTES + 1) if hasattr(upload, "read") else b""
    if not data:
        return _facilities(db, console, problems=["Pilih berkas CSV dulu."])
    if len(data) > MAX_IMPORT_BYTES:
        return _facilities(db, console, problems=["Berkas lebih besar dari 2 MB."])
    try:
        parsed = read_csv_text(data.decode("utf-8-sig"), request.state.gateway.desk.routing.gazetteer)
    except UnicodeDecodeError:
        return _facilities(db, console, problems=["Berkas bukan teks UTF-8."])
    except ImportFailed as error:  # all rows or none: the errors by row, nothing imported
        return _facilities(db, console, problems=error.errors)
    summary = import_rows(db, parsed)
    audit.record(db, "facilities_import", officer=console.officer, source=client_address(request),
                 detail={ "created": summary.created, "updated": summary.updated})
    notice = f"{len(parsed)} layanan diimpor: {summary.created} baru, {summary.updated} diperbarui."
    return _facilities(db, console, notice=notice)


@coordinators_only
async def officers_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    now = _now(request)
    officers = [
        {"officer": o, "on_duty": o.active and is_on_duty(o, now), "shifts": [describe(s) for s in o.shifts],
         "remit": "seluruh Indonesia" if o.remit_all else ", ".join(r.code for r in o.regions) or "-"}
        for o in db.scalars(select(Officer).order_by(Officer.id))
    ]
    audit.record(db, "view_officers", officer=console.officer, source=client_address(request))
    return render("officers.html", officer=console.officer, csrf_token=console.csrf_token, officers=officers)


@coordinators_only
async def audit_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    ticket = request.query_params.get("ticket") or None
    raw_officer = request.query_params.get("officer", "")
    officer_id = int(raw_officer) if ID.fullmatch(raw_officer) else None
    events = audit.list_events(db, ticket=ticket, officer_id=officer_id, limit=500)
    names = {o.id: o.name for o in db.scalars(select(Officer))}
    audit.record(db, "view_audit", officer=console.officer, source=client_address(request),
                 detail={"ticket": ticket, "officer": officer_id})
    return render("audit.html", officer=console.officer, csrf_token=console.csrf_token, events=events, names=names,
                  ticket=ticket or "", officer_filter=raw_officer)


@coordinators_only
async def welfare_export_file(request: Request, db: Session, console: ConsoleSession) -> Response:
    kind = request.path_params["format"]
    if kind not in ("csv", "json"):
        return not_found(console)
    raw = request.query_params.get("weeks", "12")
    weeks = min(max(int(raw), 1), 104) if ID.fullmatch(raw) else 12
    now = _now(request)
    tables = {"rows": welfare_export.export_rows(db, weeks=weeks, now=now),
              "facility_rows": welfare_export.facility_rows(db, weeks=weeks, now=now)}
    audit.record(db, "export", officer=console.officer, source=client_address(request),
                 detail={"what": "welfare", "format": kind, "weeks": weeks, "rows": sum(map(len, tables.values()))})
    if kind == "json":
        body = {"columns": list(welfare_export.COLUMNS), "facility_columns": list(welfare_export.FACILITY_COLUMNS), **tables}
        return secured(Response(json.dumps(body, ensure_ascii=False), media_type="application/json"))
    facilities = request.query_params.get("table") == "facilities"
    columns = welfare_export.FACILITY_COLUMNS if facilities else welfare_export.COLUMNS
    table = tables["facility_rows" if facilities else "rows"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(table)
    name = f"mpks-helpline-{'layanan-' if facilities else ''}{weeks}-minggu.csv"
    return secured(Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@coordinators_only
async def export_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    return render("export.html", officer=console.officer, csrf_token=console.csrf_token, columns=welfare_export.COLUMNS,
                  facility_columns=welfare_export.FACILITY_COLUMNS)
