"""The officers' desk on the web: the queue, a case's page with its transcript, takeover,
chat, notes, status, assignment and referrals, a conversation without a case yet, a facility
contact's referrals, and reporters' media.

Every page passes the door first (bot/desk/web_door.py); every operation goes through the
same desk service as the Telegram desk (bot/desk/service.py), inside one transaction with its
audit row. A case outside the officer's remit is the same 404 as an unknown ticket. The shared
console token reads only health figures (`/console/api/health`): no case data.
"""

from __future__ import annotations

import logging
import re
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from bot.desk import media as desk_media
from bot.desk import queue as desk_queue
from bot.desk.service import MANUAL_TRANSITIONS, Desk, assignable_officers
from bot.desk.texts import CATEGORY_NAMES, STATUS_NAMES, URGENCY_NAMES, case_details, officer_names, speaker
from bot.desk.web_auth import client_address, current_session, not_signed_in, secured
from bot.desk.web_door import CONDUCT, OFF, missing_step, signed_in
from bot.desk.web_templates import render
from bot.duties.alerts import alerts_without_recipient
from bot.gateway.http_utils import bearer_matches
from messaging.models import Conversation, Message
from messaging.queries import attention_summary
from messaging.takeover import conversation_in_remit, open_takeover
from referral import audit
from referral.models import Case, CaseAlert, ConsoleSession, Officer, Referral
from referral.officers import case_in_remit
from referral.roster import WIB, is_on_duty
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
ID = re.compile(r"[0-9]{1,9}")  # str.isdigit() takes "²", which int() refuses
TRANSCRIPT_LIMIT = 200
REFUSED = "The console's health figures need its token (HELPLINE_CONSOLE_TOKEN)."
ASSETS = {"console.css": "text/css", "console.js": "text/javascript"}
# What the officer reads after an action (the desk service's outcome codes).
FLASH = {
    "taken": "Anda sekarang memegang percakapan ini. Bot berhenti menjawab; pesan Anda dikirim ke pelapor.",
    "taken_by_you": "Anda sudah memegang percakapan ini.",
    "taken_by_other": "Percakapan ini sudah ditangani petugas lain.",
    "relayed_to": "Pesan terkirim ke antrean kirim pelapor.",
    "empty_message": "Pesan kosong tidak dikirim.",
    "no_conversation": "Anda tidak sedang memegang percakapan ini. Tekan Ambil alih dulu.",
    "handed_back": "Percakapan diserahkan kembali ke bot.",
    "noted": "Catatan disimpan (hanya untuk petugas).",
    "note_usage": "Catatan kosong tidak disimpan.",
    "status_changed": "Status kasus diubah.",
    "status_not_allowed": "Status itu tidak bisa dipilih dari status sekarang.",
    "outside_remit": "Kasus ini di luar wilayah tugas Anda.",
    "assigned": "Kasus ditugaskan; petugas itu diberi tahu lewat Telegram.",
    "assigned_untold": "Kasus ditugaskan. Petugas itu belum menautkan Telegram: mohon kabari ia langsung.",
    "assign_not_possible": "Kasus tidak bisa ditugaskan kepada petugas itu (nonaktif, atau di luar wilayah tugasnya).",
    "assign_only_coordinator": "Hanya koordinator yang dapat menugaskan kasus.",
    "rerouted_next": "Rujukan dialihkan ke layanan berikutnya.",
    "rerouted_none": "Tidak ada layanan lain yang cocok di sekitarnya: mohon tangani kasus ini langsung.",
    "reroute_only_coordinator": "Hanya koordinator yang dapat mengalihkan rujukan.",
    "referral_gone": "Rujukan ini sudah dijawab atau bukan untuk layanan Anda.",
    "referral_accepted": "Terima kasih, rujukan diterima. Rincian kasus ada di bawah. Pelapor sudah kami kabari.",
    "decline_reason": "Mohon tulis alasan singkat mengapa rujukan tidak dapat diterima.",
    "declined_next": "Alasan dicatat. Kasus dirujuk ke layanan lain. Terima kasih.",
    "declined_none": "Alasan dicatat. Tidak ada layanan lain yang cocok; koordinator akan menanganinya.",
    "on_duty": "Anda sekarang siaga selama 12 jam: pemberitahuan kasus di wilayah Anda dikirim ke Telegram Anda.",
    "off_duty": "Siaga selesai. Terima kasih.",
    "off_duty_until": "Siaga selesai sampai akhir jadwal jaga Anda. Terima kasih.",
    "checked": "Tercatat: Anda sudah mengecek tanda bahaya pada percakapan ini. Pengingat untuknya berhenti.",
    "status_needs_note": "Menutup kasus tidak bisa dibatalkan: tuliskan catatan singkat alasannya.",
    "status_held_by_other": "Kasus belum bisa ditutup: percakapannya sedang dipegang petugas lain.",
    "status_emergency_open": "Kasus belum bisa ditutup: masih ada peringatan darurat yang belum dijawab. Pastikan pelapor aman dulu.",
}


def not_found(console: ConsoleSession) -> Response:
    """The one 404 page: an unknown ticket and a case outside the remit look the same."""
    return render("not_found.html", 404, officer=console.officer, csrf_token=console.csrf_token)


# -- the queue ------------------------------------------------------------------------------


def _filters(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key, "") for key in desk_queue.FILTERS}


def _counts(db: Session) -> dict:
    return attention_summary(db) | {"alerts_without_recipient": alerts_without_recipient(db)}


@signed_in
async def queue_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    if officer.role == "facility":
        return render("referrals.html", officer=officer, csrf_token=console.csrf_token, referrals=_facility_referrals(db, officer),
                      flash=FLASH.get(request.query_params.get("done", "")))
    now = request.state.gateway.desk.clock()
    items = desk_queue.queue(db, officer, _filters(request), now=now)
    return render("queue.html", on_duty=is_on_duty(officer, now), flash=FLASH.get(request.query_params.get("done", "")), officer=officer, csrf_token=console.csrf_token, items=items, filters=_filters(request),
                  counts=_counts(db), statuses=STATUS_NAMES, categories=CATEGORY_NAMES, urgencies=URGENCY_NAMES)


@signed_in
async def queue_json(request: Request, db: Session, console: ConsoleSession) -> Response:
    items = desk_queue.queue(db, console.officer, _filters(request), now=request.state.gateway.desk.clock())
    counts = {} if console.officer.role == "facility" else _counts(db)  # the helpline's figures are staff's
    return secured(JSONResponse({"items": [item.as_json() for item in items], "counts": counts}))


@signed_in
async def duty(request: Request, db: Session, console: ConsoleSession) -> Response:
    """On or off duty outside the roster, as /siaga and /selesai_siaga on Telegram."""
    if console.officer.role == "facility":
        return not_found(console)
    desk = Desk(db, console.officer, now=request.state.gateway.desk.clock(), source=client_address(request))
    outcome = desk.go_on_duty() if request.state.form.get("state") == "on" else desk.go_off_duty()
    return _answer(request, outcome, "/console")


# -- a case ---------------------------------------------------------------------------------


def _case_in_remit(db: Session, officer: Officer, ticket: str) -> Case | None:
    """The case, only when this officer may see it; None is the same 404 as an unknown ticket."""
    if not officer.active or officer.role == "facility":  # facility contacts answer referrals on Telegram
        return None
    return db.scalar(select(Case).where(Case.ticket == ticket.strip().upper(), case_in_remit(officer)))


def _transcript(db: Session, conversation_id: int | None, after_id: int = 0) -> list[dict]:
    if not conversation_id:
        return []
    rows = db.scalars(
        select(Message).where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.id.desc()).limit(TRANSCRIPT_LIMIT)
    ).all()
    names = officer_names(db, rows)
    lines = []
    for message in reversed(rows):
        officer_id = (message.payload or {}).get("officer_id")
        who = speaker(message, names)
        media = message.kind == "media" and bool((message.payload or {}).get("file_id") or (message.payload or {}).get("media_id"))
        lines.append({
            "id": message.id, "at": message.created_at.astimezone(WIB).strftime("%d-%m %H:%M"), "who": who,
            "media_url": f"/console/media/{message.id}" if media else None,
            "media_type": (message.payload or {}).get("type") if media else None,
            "from_reporter": message.direction == "in", "from_officer": bool(officer_id),
            "text": message.text if message.text is not None else f"({message.kind})", "status": message.status,
        })
    return lines


def _chat_view(db: Session, officer: Officer, conversation: Conversation | None) -> dict:
    holder = db.get(Officer, conversation.officer_id) if conversation and conversation.officer_id else None
    mine = bool(conversation and open_takeover(db, officer, conversation.id))
    return {"conversation": conversation, "holder": holder, "held_by_me": mine,
            "transcript": _transcript(db, conversation.id if conversation else None)}


def _case_conversation(db: Session, officer: Officer, case: Case) -> Conversation | None:
    """The case's conversation, only when the officer may read it: it follows its newest open
    case (`conversation_in_remit`), which may lie in another region than this one."""
    return conversation_in_remit(db, officer, case.conversation_id) if case.conversation_id else None


def _open_danger_check(db: Session, conversation: Conversation | None) -> bool:
    return conversation is not None and db.scalar(select(CaseAlert.id).where(
        CaseAlert.conversation_id == conversation.id, CaseAlert.reason == "possible_emergency", CaseAlert.resolved_at.is_(None)
    ).limit(1)) is not None


def _case_view(db: Session, officer: Officer, case: Case) -> dict:
    conversation = _case_conversation(db, officer, case)
    coordinator = officer.role in ("coordinator", "admin")
    return {
        "coordinator": coordinator, "assignable": assignable_officers(db, case) if coordinator else [],
        "assignee": db.get(Officer, case.assigned_officer_id) if case.assigned_officer_id else None,
        "elsewhere": bool(case.conversation_id and conversation is None),
        "danger_check": _open_danger_check(db, conversation),
        "case": case, **_chat_view(db, officer, conversation),
        "base": f"/console/cases/{case.ticket}", "live": f"/console/api/cases/{case.ticket}/messages",
        "events": list(case.events), "referrals": list(db.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id))),
        "next_statuses": list(MANUAL_TRANSITIONS.get(case.status, ())),
    }


@signed_in
async def case_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    case = _case_in_remit(db, officer, request.path_params["ticket"])
    if case is None:
        return not_found(console)
    view = _case_view(db, officer, case)
    conversation_id = view["conversation"].id if view["conversation"] else None
    audit.record(db, "view_case", officer=officer, ticket=case.ticket, conversation_id=conversation_id, source=client_address(request))
    flash = FLASH.get(request.query_params.get("done", ""))
    return render("case.html", officer=officer, csrf_token=console.csrf_token, flash=flash, **view)


@signed_in
async def case_messages_json(request: Request, db: Session, console: ConsoleSession) -> Response:
    case = _case_in_remit(db, console.officer, request.path_params["ticket"])
    if case is None:
        return secured(JSONResponse({"error": "not found"}, status_code=404))
    conversation = _case_conversation(db, console.officer, case)
    if conversation is None:
        return secured(JSONResponse({"error": "not found"}, status_code=404))
    return _new_messages(request, db, console, conversation, case.ticket)


def _new_messages(request: Request, db: Session, console: ConsoleSession, conversation: Conversation, ticket: str | None) -> Response:
    """A live page's poll: the messages after `after`; reading new ones is audited (their id range)."""
    after = request.query_params.get("after", "0")
    messages = _transcript(db, conversation.id, int(after) if ID.fullmatch(after) else 0)
    if messages:
        audit.record(db, "view_messages", officer=console.officer, ticket=ticket, conversation_id=conversation.id,
                     source=client_address(request), detail={"from_id": messages[0]["id"], "to_id": messages[-1]["id"]})
    return secured(JSONResponse({"messages": messages, "handled_by": conversation.handled_by}))


# -- a facility contact's referrals -------------------------------------------------------


def _facility_referrals(db: Session, officer: Officer) -> list[Referral]:
    """This facility's referrals waiting for an answer or accepted, on open cases: all it sees."""
    return list(db.scalars(
        select(Referral).join(Case, Case.id == Referral.case_id).where(
            Referral.facility_id == officer.facility_id, Referral.status.in_(("sent", "accepted")), Case.status != "closed",
        ).order_by(Referral.id.desc())
    ))


def _own_referral(db: Session, officer: Officer, raw_id: str) -> Referral | None:
    if officer.role != "facility" or not ID.fullmatch(raw_id):
        return None
    return next((r for r in _facility_referrals(db, officer) if r.id == int(raw_id)), None)


@signed_in
async def referral_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    referral = _own_referral(db, officer, request.path_params["referral_id"])
    if referral is None:
        return not_found(console)
    accepted = referral.status == "accepted"
    audit.record(db, "view_case", officer=officer, ticket=referral.case.ticket, source=client_address(request),
                 detail={"referral_id": referral.id})
    return render("referral.html", officer=officer, csrf_token=console.csrf_token, referral=referral, case=referral.case,
                  details=case_details(referral.case, for_facility=True) if accepted else None,
                  flash=FLASH.get(request.query_params.get("done", "")))


@signed_in
async def referral_action(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    referral = _own_referral(db, officer, request.path_params["referral_id"])
    if referral is None:
        return not_found(console)
    desk = Desk(db, officer, now=request.state.gateway.desk.clock(), source=client_address(request),
                routing=request.state.gateway.desk.routing)
    action = request.path_params["action"]
    if action == "accept":
        outcome = desk.accept_referral(referral.id)
    elif action == "decline":
        outcome = desk.decline_referral(referral.id, request.state.form.get("reason", ""))
    else:
        return secured(PlainTextResponse("Tindakan tidak dikenal.", status_code=400))
    if outcome.code.startswith("declined_"):
        return secured(RedirectResponse(f"/console?done={outcome.code}", status_code=303))
    return _answer(request, outcome, f"/console/referrals/{referral.id}")


# -- a conversation without a case yet (a possible emergency, a reporter asking for a person) --


def _conversation_in_remit(db: Session, officer: Officer, raw_id: str) -> Conversation | None:
    """A conversation by number (the queue links one without a case this way; one that gets a
    case while open here stays readable, by the remit of its newest case)."""
    if not ID.fullmatch(raw_id) or not officer.active or officer.role == "facility":
        return None
    return conversation_in_remit(db, officer, int(raw_id))


@signed_in
async def conversation_page(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    conversation = _conversation_in_remit(db, officer, request.path_params["conversation_id"])
    if conversation is None:
        return not_found(console)
    audit.record(db, "view_case", officer=officer, conversation_id=conversation.id, source=client_address(request))
    possible = db.scalar(select(CaseAlert.id).where(
        CaseAlert.conversation_id == conversation.id, CaseAlert.reason.in_(("emergency", "possible_emergency"))).limit(1)) is not None
    return render("conversation.html", officer=officer, csrf_token=console.csrf_token, label=f"Percakapan #{conversation.id}",
                  possible=possible, danger_check=_open_danger_check(db, conversation), flash=FLASH.get(request.query_params.get("done", "")),
                  base=f"/console/conversations/{conversation.id}", live=f"/console/api/conversations/{conversation.id}/messages",
                  **_chat_view(db, officer, conversation))


@signed_in
async def conversation_messages_json(request: Request, db: Session, console: ConsoleSession) -> Response:
    conversation = _conversation_in_remit(db, console.officer, request.path_params["conversation_id"])
    if conversation is None:
        return secured(JSONResponse({"error": "not found"}, status_code=404))
    return _new_messages(request, db, console, conversation, None)


@signed_in
async def conversation_action(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    conversation = _conversation_in_remit(db, officer, request.path_params["conversation_id"])
    if conversation is None:
        return not_found(console)
    form = request.state.form
    desk = Desk(db, officer, now=request.state.gateway.desk.clock(), source=client_address(request))
    action = request.path_params["action"]
    if action == "checked":
        outcome = desk.mark_checked(conversation.id)
    elif action == "takeover":
        outcome = desk.take_over(conversation.id)
    elif action == "handback":
        outcome = desk.hand_back(conversation.id, form.get("note"))
    elif action == "messages":
        outcome = desk.send(conversation.id, "text", form.get("text"))
    else:
        return secured(PlainTextResponse("Tindakan tidak dikenal.", status_code=400))
    return _answer(request, outcome, f"/console/conversations/{conversation.id}")


def _answer(request: Request, outcome, page: str) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return secured(JSONResponse({"done": outcome.code, "ok": outcome.ok}, status_code=200 if outcome.ok else 409))
    return secured(RedirectResponse(f"{page}?done={outcome.code}", status_code=303))


@signed_in
async def case_action(request: Request, db: Session, console: ConsoleSession) -> Response:
    officer = console.officer
    ticket = request.path_params["ticket"]
    case = _case_in_remit(db, officer, ticket)
    if case is None:
        return not_found(console)
    form = request.state.form
    desk = Desk(db, officer, now=request.state.gateway.desk.clock(), source=client_address(request),
                routing=request.state.gateway.desk.routing)
    action = request.path_params["action"]
    if action == "checked" and case.conversation_id:
        outcome = desk.mark_checked(case.conversation_id)
    elif action == "takeover" and case.conversation_id:
        outcome = desk.take_over(case.conversation_id)
    elif action == "handback":
        outcome = desk.hand_back(case.conversation_id, form.get("note"))
    elif action == "messages":
        outcome = desk.send(case.conversation_id, "text", form.get("text"))
    elif action == "notes":
        outcome = desk.note(case, form.get("text", ""))
    elif action == "status" and form.get("status") in STATUS_NAMES:
        outcome = desk.change_status(case, form["status"], form.get("note"))
    elif action == "assign" and ID.fullmatch(form.get("officer_id", "")):
        outcome = desk.assign(case, int(form["officer_id"]))
    elif action == "reroute" and ID.fullmatch(form.get("referral_id", "")) and any(
        r.id == int(form["referral_id"]) for r in case.referrals
    ):
        outcome = desk.reroute(int(form["referral_id"]))
    else:
        return secured(PlainTextResponse("Tindakan tidak dikenal.", status_code=400))
    return _answer(request, outcome, f"/console/cases/{case.ticket}")


# -- a reporter's media, fetched from its channel for a signed-in officer --------------------


async def media(request: Request) -> Response:
    """Outside the usual door's transaction: fetching from the channel may take seconds."""
    gateway = request.state.gateway
    raw = request.path_params["message_id"]
    with unit_of_work(gateway.sessions) as db:
        console = current_session(request, db)
        if console is None:
            return not_signed_in(request)
        if missing_step(request, db, console, CONDUCT) is not None or not ID.fullmatch(raw):
            return secured(PlainTextResponse("not found", status_code=404))
        message = db.get(Message, int(raw))
        allowed = (message is not None and message.kind == "media" and message.conversation_id is not None
                   and console.officer.role != "facility"
                   and conversation_in_remit(db, console.officer, message.conversation_id) is not None)
        if not allowed:
            return secured(PlainTextResponse("not found", status_code=404))
        channel, payload = message.channel, dict(message.payload or {})
        audit.record(db, "view_media", officer=console.officer, conversation_id=message.conversation_id,
                     source=client_address(request), detail={"message_id": message.id})
    try:
        if channel == "telegram" and payload.get("file_id"):
            application = gateway.telegram.application if gateway.telegram else None
            data, content_type = await desk_media.telegram_media(application, payload["file_id"])
        elif channel == "whatsapp" and payload.get("media_id"):
            wa = gateway.settings.whatsapp
            data, content_type = await desk_media.whatsapp_media(gateway.http, wa.api_base, wa.token, payload["media_id"], payload.get("mime_type"))
        else:
            raise desk_media.MediaUnavailable("no file")
    except desk_media.MediaUnavailable as error:
        log.warning("a reporter's media could not be fetched: %s", error)
        return secured(PlainTextResponse("Lampiran ini tidak bisa diambil dari salurannya sekarang. Coba lagi nanti.", status_code=502))
    if len(data) > desk_media.MAX_BYTES:
        return secured(PlainTextResponse("Lampiran terlalu besar untuk ditampilkan di sini.", status_code=413))
    inline = content_type in desk_media.INLINE_TYPES
    disposition = "inline" if inline else f'attachment; filename="lampiran-{raw}"'
    return secured(Response(data, media_type=content_type if inline else "application/octet-stream",
                            headers={"Content-Disposition": disposition}))


# -- read-only health figures for the shared token, and the page assets --------------------


async def health_json(request: Request) -> JSONResponse:
    if not request.state.gateway.settings.console_enabled:
        return JSONResponse({"error": OFF}, status_code=404)
    if not bearer_matches(request, request.state.gateway.console_token):
        return JSONResponse({"error": REFUSED}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    with unit_of_work(request.state.gateway.sessions) as db:
        attention = _counts(db)
    return JSONResponse({"attention": attention}, headers={"Cache-Control": "no-store"})


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        return PlainTextResponse("not found", status_code=404)
    body = resources.files("bot").joinpath("static", name).read_text(encoding="utf-8")
    response = Response(body, media_type=ASSETS[name])
    response.headers.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})
    return response
