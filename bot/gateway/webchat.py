"""The web chat endpoint: POST /webchat/messages (see the contract).

Request: {"sender_id": "...", "text": "..."} or
         {"sender_id": "...", "location": {"latitude": ..., "longitude": ...}};
an optional "message_id" makes a retried request idempotent.
Response: {"replies": [{"text": "...", "buttons": [...], "id": N}]}.

GET /webchat/messages?after=N, with the sender id in the X-Webchat-Sender header, returns the
replies stored after id N: answers that arrive later (Rasa was down or slow, an officer wrote)
reach the page this way. The sender id stays out of the URL, where proxy and server logs would
keep it. The older form ?sender_id=...&after=N still works for this release (deprecated: its
answers carry a `Deprecation: true` header).
Errors are 4xx with {"error": {"code": ..., "message": <Indonesian, for the reporter>}}.

The sender id is the page's own random identifier (a UUID, or at least 22 URL-safe
characters): it is the only thing that keeps one reporter's conversation from another's.
Each client address is limited in requests per minute and in new conversations per
hour, so rotating ids cannot open unlimited cases.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.gateway.conversation import stored_reply
from bot.gateway.http_utils import BodyTooLarge, read_body
from bot.gateway.rate_limit import RateLimiter
from wiring.settings import Settings
from messaging.queries import outbound_after
from messaging.store import Inbound, find_conversation_by_address
from referral.storage import unit_of_work

MAX_BODY_BYTES = 128 * 1024
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
URL_SAFE_ID = re.compile(r"[A-Za-z0-9_\-]{22,100}")
# A random id of that length uses many different characters; "aaaa…" or "0000-…" does not.
MIN_DISTINCT_CHARACTERS = 8
AFTER_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and no more than a BIGINT holds
SENDER_HEADER = "X-Webchat-Sender"  # where a GET carries the sender id (never in the URL)


def is_random_sender_id(value: object) -> bool:
    if not isinstance(value, str) or not (UUID.fullmatch(value) or URL_SAFE_ID.fullmatch(value)):
        return False
    return len(set(value.replace("-", "").lower())) >= MIN_DISTINCT_CHARACTERS


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
TOO_MANY_CONVERSATIONS = BadRequest(
    429,
    "too_many_conversations",
    "Terlalu banyak percakapan baru dari jaringan ini. Mohon lanjutkan percakapan yang sudah ada, atau coba lagi "
    "nanti. Jika ada yang dalam bahaya saat ini, segera hubungi 112 atau 110.",
)
INVALID_SENDER = BadRequest(
    422,
    "invalid_sender_id",
    "Kode percakapan tidak valid: harus acak, berupa UUID atau minimal 22 huruf, angka, - atau _. "
    "Muat ulang halaman untuk memulai percakapan baru.",
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return number if math.isfinite(number) else None


def _storable(text: str) -> bool:
    """Lone surrogates (valid in JSON, not in UTF-8) cannot be stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
    if not is_random_sender_id(sender_id):
        raise INVALID_SENDER
    message_id = data.get("message_id")
    if message_id is not None and (
        not isinstance(message_id, str) or not 0 < len(message_id) <= 100 or not _storable(message_id)
    ):
        raise BadRequest(422, "invalid_message_id", "message_id harus berupa teks (maksimal 100 karakter).")
    provider_id = message_id or None  # unique within the conversation

    has_text, has_location = "text" in data, "location" in data
    if has_text == has_location:
        raise BadRequest(422, "text_or_location", "Kirim salah satu: teks pesan atau lokasi.")
    if has_text:
        text = data["text"]
        if not isinstance(text, str) or not _storable(text):
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


@dataclass(frozen=True)
class WebchatLimits:
    requests: RateLimiter  # POST and GET per client address, per minute
    new_conversations: RateLimiter  # new sender ids per client address, per hour
    per_sender: RateLimiter  # messages per conversation, per minute

    @classmethod
    def from_settings(cls, settings: Settings) -> "WebchatLimits":
        return cls(
            RateLimiter(settings.webchat_per_address_per_minute, 60),
            RateLimiter(settings.webchat_new_per_address_per_hour, 3600),
            RateLimiter(settings.messages_per_minute_per_sender, 60),
        )


def client_address(request: Request) -> str:
    """The client's address: the socket's peer, or what a trusted proxy reported
    (uvicorn applies X-Forwarded-For only from HELPLINE_TRUSTED_PROXIES). An IPv6 client
    counts as its /64 network, since it can pick any address inside it."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return host


def _conversation(request: Request, session: Session, sender_id: str):
    return find_conversation_by_address(
        session, secret_key=request.state.gateway.conversations.secret_key, channel="webchat", address=sender_id
    )


async def post_message(request: Request) -> JSONResponse:
    limits = request.state.gateway.webchat_limits
    address = client_address(request)
    if not limits.requests.allow(address):
        return RATE_LIMITED.response()
    try:
        body = await read_body(request, MAX_BODY_BYTES)
    except BodyTooLarge:
        return TOO_LARGE.response()
    try:
        sender_id, inbound = parse_request(body)
    except BadRequest as error:
        return error.response()
    with unit_of_work(request.state.gateway.sessions) as session:
        is_new_conversation = _conversation(request, session, sender_id) is None
    if is_new_conversation and not limits.new_conversations.allow(address):
        return TOO_MANY_CONVERSATIONS.response()
    if not limits.per_sender.allow(sender_id):
        return RATE_LIMITED.response()
    service = request.state.gateway.conversations
    answer = await service.handle("webchat", sender_id, inbound)
    return JSONResponse({"replies": [reply.as_json() for reply in answer]})


def polling_sender(request: Request) -> tuple[str, bool]:
    """The sender id of a GET, and whether it came the deprecated way (in the query string)."""
    header = request.headers.get(SENDER_HEADER)
    if header is not None:
        return header, False
    return request.query_params.get("sender_id", ""), True


async def get_messages(request: Request) -> JSONResponse:
    if not request.state.gateway.webchat_limits.requests.allow(client_address(request)):
        return RATE_LIMITED.response()
    sender_id, deprecated = polling_sender(request)
    if not is_random_sender_id(sender_id):
        return INVALID_SENDER.response()
    after_text = request.query_params.get("after", "0")
    if not AFTER_ID.fullmatch(after_text):
        return BadRequest(422, "invalid_after", "after harus berupa angka (nomor balasan terakhir).").response()
    with unit_of_work(request.state.gateway.sessions) as session:  # one read for the whole poll
        conversation = _conversation(request, session, sender_id)
        found = outbound_after(session, conversation.id, int(after_text)) if conversation else []
        answer = [stored_reply(message).as_json() for message in found]
    headers = {"Cache-Control": "no-store", **({"Deprecation": "true"} if deprecated else {})}
    return JSONResponse({"replies": answer}, headers=headers)
