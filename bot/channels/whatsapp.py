"""WhatsApp Cloud API: webhook verification, signatures, payload parsing, and sending.

Webhook payloads follow Meta's documented shape:
{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
 "value": {"metadata": {...}, "contacts": [...], "messages": [...], "statuses": [...]}}]}]}
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from bot.channels.intake import InboundRecord
from bot.gateway.outbox import SendFailed
from messaging.store import Inbound
from referral.models import utcnow

log = logging.getLogger(__name__)

MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")
MAX_BUTTONS = 3  # Cloud API reply buttons
MAX_BUTTON_TITLE = 20


class WebhookError(ValueError):
    """The payload is not a WhatsApp webhook we can read."""


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: "sha256=" + HMAC-SHA256 of the raw body, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    # Compared as bytes: compare_digest refuses non-ASCII str, and a header may hold anything.
    return hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").encode())


def verification_challenge(params: dict[str, str], verify_token: str | None) -> str | None:
    """The hub.challenge to echo when Meta's subscription handshake is genuine, else None."""
    if not verify_token:
        return None
    if params.get("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(params.get("hub.verify_token", "").encode(), verify_token.encode()):
        return None
    return params.get("hub.challenge")


@dataclass(frozen=True)
class WaInbound:
    provider_id: str  # the wamid
    sender: str  # wa_id (the phone number): personal data
    kind: str  # text | location | media | reaction | unsupported
    text: str | None = None
    payload: dict[str, Any] | None = None

    def record(self) -> InboundRecord:
        """As every channel hands a message to the intake."""
        return InboundRecord(
            "whatsapp", self.sender, Inbound(kind=self.kind, text=self.text, payload=self.payload, provider_message_id=self.provider_id)
        )


@dataclass(frozen=True)
class WaStatus:
    provider_id: str
    status: str  # sent | delivered | read | failed
    errors: list[dict[str, Any]] = field(default_factory=list)


def _items(container: Any, key: str) -> list[Any]:
    """container[key] when it is a list (an absent key is an empty list); anything else is
    not Meta's shape."""
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise WebhookError(f"'{key}' is not a list")
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WebhookError(f"{what} is not an object")
    return value


def parse_webhook(data: Any) -> tuple[list[WaInbound], list[WaStatus]]:
    """Every message and status in a delivery, or WebhookError when its shape is not Meta's
    (checked in full before anything is stored)."""
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise WebhookError("not a whatsapp_business_account webhook")
    messages: list[WaInbound] = []
    statuses: list[WaStatus] = []
    for entry in _items(data, "entry"):
        for change in _items(_object(entry, "an entry"), "changes"):
            value = _object(_object(change, "a change").get("value") or {}, "a change's value")
            for raw in _items(value, "messages"):
                parsed = _parse_message(raw)
                if parsed:
                    messages.append(parsed)
            for raw in _items(value, "statuses"):
                if isinstance(raw, dict) and raw.get("id") and raw.get("status"):
                    errors = raw.get("errors") if isinstance(raw.get("errors"), list) else []
                    statuses.append(WaStatus(str(raw["id"])[:128], str(raw["status"])[:16], errors))
    return messages, statuses


def _field(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _parse_message(raw: Any) -> WaInbound | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("from"), str):
        return None
    wamid, sender, kind = raw["id"][:128], raw["from"][:32], raw.get("type")
    if not wamid or not sender.isdigit():  # wa_id is the number, digits only
        return None
    if kind == "text":
        body = (_text(_field(raw, "text").get("body")) or "").strip()
        if not body:
            return WaInbound(wamid, sender, "unsupported", payload={"type": "empty text"})
        return WaInbound(wamid, sender, "text", text=body)
    if kind == "location":
        location = _field(raw, "location")
        try:
            point = {"latitude": float(location["latitude"]), "longitude": float(location["longitude"])}
        except (KeyError, TypeError, ValueError):
            return WaInbound(wamid, sender, "unsupported", payload={"type": "location", "reason": "no coordinates"})
        return WaInbound(wamid, sender, "location", payload=point)
    if kind == "interactive":
        interactive = _field(raw, "interactive")
        reply = _field(interactive, "button_reply") or _field(interactive, "list_reply")
        # Our buttons carry the Rasa payload as their id; the title is what the person saw.
        chosen = (_text(reply.get("id")) or _text(reply.get("title")) or "").strip()
        if not chosen:
            return WaInbound(wamid, sender, "unsupported", payload={"type": "interactive"})
        return WaInbound(wamid, sender, "text", text=chosen)
    if kind == "button":  # a template's quick-reply button
        button = _field(raw, "button")
        chosen = (_text(button.get("payload")) or _text(button.get("text")) or "").strip()
        if not chosen:
            return WaInbound(wamid, sender, "unsupported", payload={"type": "button"})
        return WaInbound(wamid, sender, "text", text=chosen)
    if kind in MEDIA_KINDS:
        media = _field(raw, kind)
        return WaInbound(
            wamid, sender, "media",
            text=(_text(media.get("caption")) or "").strip() or None,
            payload={"type": kind, "media_id": _text(media.get("id")), "mime_type": _text(media.get("mime_type"))},
        )
    if kind == "reaction":
        reaction = _field(raw, "reaction")
        return WaInbound(
            wamid, sender, "reaction",
            payload={"emoji": _text(reaction.get("emoji")), "to": _text(reaction.get("message_id"))},
        )
    return WaInbound(wamid, sender, "unsupported", payload={"type": str(kind)[:40]})


def message_body(to: str, text: str | None, buttons: list[dict[str, str]]) -> dict[str, Any]:
    """A Cloud API message: reply buttons when they fit (≤ 3, short titles), else plain text."""
    text = (text or "").strip() or "…"
    if buttons and len(buttons) <= MAX_BUTTONS and all(len(b["title"]) <= MAX_BUTTON_TITLE for b in buttons):
        return {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": text[:1024]},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": b["payload"][:256], "title": b["title"]}} for b in buttons
                    ]
                },
            },
        }
    if buttons:  # too many or too long for buttons: list them so people can type one
        text += "\n" + "\n".join(f"• {b['title']}" for b in buttons)
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text[:4096]}}


def location_body(to: str, point: dict[str, Any]) -> dict[str, Any]:
    """A location an officer shared with the reporter."""
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "location",
        "location": {"latitude": point["latitude"], "longitude": point["longitude"]},
    }


def template_body(to: str, name: str, language: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {"name": name, "language": {"code": language}},
    }


class WhatsAppClient:
    def __init__(self, http: httpx.AsyncClient, api_base: str, phone_number_id: str, token: str) -> None:
        self.http = http
        self.url = f"{api_base.rstrip('/')}/{phone_number_id}/messages"
        self.token = token

    async def send(self, body: dict[str, Any], *, timeout_s: float = 15.0) -> str:
        """POST one message, once (the outbox decides about retries). Returns the wamid."""
        try:
            response = await self.http.post(
                self.url, json=body, headers={"Authorization": f"Bearer {self.token}"}, timeout=timeout_s
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise SendFailed(f"Graph API unreachable: {type(error).__name__}", retryable=True) from error
        except httpx.HTTPError as error:  # sent, no answer: Meta may have accepted it
            raise SendFailed(f"no answer from the Graph API: {type(error).__name__}", retryable=False, ambiguous=True) from error
        if response.status_code < 300:
            try:
                return str(response.json()["messages"][0]["id"])
            except (ValueError, KeyError, IndexError, TypeError):
                raise SendFailed("unexpected answer from the Graph API", retryable=False, ambiguous=True) from None
        retryable = response.status_code == 429 or response.status_code >= 500
        raise SendFailed(f"Graph API answered {response.status_code}", retryable=retryable)


SERVICE_WINDOW_HOURS = 24


def within_whatsapp_window(last_inbound_at) -> bool:
    """May a free-form message go now? Only within 24 hours of the reporter's last message."""
    return last_inbound_at is not None and utcnow() - last_inbound_at <= timedelta(hours=SERVICE_WINDOW_HOURS)


class WhatsAppSender:
    """The outbox's sender for WhatsApp: a reply inside the 24-hour window, a template outside it."""

    def __init__(self, client: WhatsAppClient, template_name: str, template_language: str) -> None:
        self.client = client
        self.template_name = template_name
        self.template_language = template_language

    async def send(self, to: str, message, conversation) -> str:
        # Outside a reporter's 24-hour window (or to staff, who have no window we know of)
        # only an approved template may be sent.
        last = conversation.last_inbound_at if conversation else None
        if not within_whatsapp_window(last):
            body = template_body(to, self.template_name, self.template_language)
        elif message.kind == "location" and message.payload:
            body = location_body(to, message.payload)
        else:
            body = message_body(to, message.text, (message.payload or {}).get("buttons") or [])
        return await self.client.send(body)
