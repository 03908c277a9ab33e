"""The web chat endpoint: POST /webchat/messages (see the contract).

Request: {"sender_id": "...", "text": "..."} or
         {"sender_id": "...", "location": {"latitude": ..., "longitude": ...}};
an optional "message_id" makes a retried request idempotent.
Response: {"replies": [{"text": "...", "buttons": [...], "id": N}]}.

GET /webchat/messages?sender_id=...&after=N returns the replies stored after id N: answers
that arrive later (Rasa was down and the inbox worker caught up) reach the page this way.
Errors are 4xx with {"error": {"code": ..., "message": <Indonesian, for the reporter>}}.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.conversation import stored_reply
from bot.http_utils import BodyTooLarge, read_body
from referral.messages import Inbound, find_conversation_by_address, outbound_after
from referral.storage import unit_of_work

MAX_BODY_BYTES = 128 * 1024
SENDER_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        return JSONResponse({"error": {"code": self.code, "message": self.message}}, status_code=self.status)


TOO_LARGE = BadRequest(413, "body_too_large", "Pesan terlalu besar. Mohon kirim pesan yang lebih pendek.")


RATE_LIMITED = BadRequest(
    429, "rate_limited", "Terlalu banyak pesan dalam waktu singkat. Mohon tunggu sebentar, lalu kirim lagi."
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def parse_request(body: bytes) -> tuple[str, Inbound]:
    """Validate a web chat request body; raises BadRequest with a reporter-readable reason."""
    if len(body) > MAX_BODY_BYTES:
        raise TOO_LARGE
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "invalid_json", "Format pesan tidak dikenali (bukan JSON yang benar).") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "invalid_json", "Format pesan tidak dikenali (harus berupa objek JSON).")

    sender_id = data.get("sender_id")
    if not isinstance(sender_id, str) or not SENDER_ID.match(sender_id):
        raise BadRequest(
            422, "invalid_sender_id", "sender_id wajib diisi (1–100 huruf, angka, atau tanda - _ . :)."
        )
    message_id = data.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not 0 < len(message_id) <= 100):
        raise BadRequest(422, "invalid_message_id", "message_id harus berupa teks (maksimal 100 karakter).")
    provider_id = f"{sender_id}:{message_id}" if message_id else None

    has_text, has_location = "text" in data, "location" in data
    if has_text == has_location:
        raise BadRequest(422, "text_or_location", "Kirim salah satu: teks pesan atau lokasi.")
    if has_text:
        text = data["text"]
        if not isinstance(text, str):
            raise BadRequest(422, "invalid_text", "Pesan harus berupa teks.")
        text = text.replace("\x00", "").strip()
        if not text:
            raise BadRequest(422, "empty_text", "Pesan masih kosong. Silakan tulis pesan Anda.")
        return sender_id, Inbound(kind="text", text=text, provider_message_id=provider_id)

    location = data["location"]
    if not isinstance(location, dict):
        raise BadRequest(422, "invalid_location", "Lokasi harus berisi latitude dan longitude.")
    latitude, longitude = _number(location.get("latitude")), _number(location.get("longitude"))
    if latitude is None or longitude is None:
        raise BadRequest(422, "invalid_location", "Lokasi harus berisi latitude dan longitude berupa angka.")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadRequest(
            422, "location_out_of_range", "Lokasi tidak valid: latitude -90..90 dan longitude -180..180."
        )
    return sender_id, Inbound(
        kind="location",
        payload={"latitude": latitude, "longitude": longitude},
        provider_message_id=provider_id,
    )


async def post_message(request: Request) -> JSONResponse:
    try:
        body = await read_body(request, MAX_BODY_BYTES)
    except BodyTooLarge:
        return TOO_LARGE.response()
    try:
        sender_id, inbound = parse_request(body)
    except BadRequest as error:
        return error.response()
    if not request.app.state.rate_limiter.allow(sender_id):
        return RATE_LIMITED.response()
    service = request.app.state.conversations
    answer = await service.handle("webchat", sender_id, inbound)
    return JSONResponse({"replies": [reply.as_json() for reply in answer]})


async def get_messages(request: Request) -> JSONResponse:
    sender_id = request.query_params.get("sender_id", "")
    if not SENDER_ID.match(sender_id):
        return BadRequest(422, "invalid_sender_id", "sender_id tidak valid.").response()
    after_text = request.query_params.get("after", "0")
    if not after_text.isdigit():
        return BadRequest(422, "invalid_after", "after harus berupa angka.").response()
    service = request.app.state.conversations
    with unit_of_work(request.app.state.sessions) as session:
        conversation = find_conversation_by_address(
            session, secret_key=service.secret_key, channel="webchat", address=sender_id
        )
        found = outbound_after(session, conversation.id, int(after_text)) if conversation else []
        answer = [stored_reply(message).as_json() for message in found]
    return JSONResponse({"replies": answer}, headers={"Cache-Control": "no-store"})
