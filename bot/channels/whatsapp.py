"""WhatsApp Cloud API: webhook verification, signatures, payload parsing, and sending.

Webhook payloads follow Meta's documented shape:
{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
 "value": {"metadata": {...}, "contacts": [...], "messages": [...], "statuses": [...]}}]}]}
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

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
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def verification_challenge(params: dict[str, str], verify_token: str | None) -> str | None:
    """The hub.challenge to echo when Meta's subscription handshake is genuine, else None."""
    if not verify_token:
        return None
    if params.get("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(params.get("hub.verify_token", ""), verify_token):
        return None
    return params.get("hub.challenge")


@dataclass(frozen=True)
class WaInbound:
    provider_id: str  # the wamid
    sender: str  # wa_id (the phone number): personal data
    kind: str  # text | location | media | reaction | unsupported
    text: str | None = None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class WaStatus:
    provider_id: str
    status: str  # sent | delivered | read | failed
    errors: list[dict[str, Any]] = field(default_factory=list)


def parse_webhook(data: Any) -> tuple[list[WaInbound], list[WaStatus]]:
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise WebhookError("not a whatsapp_business_account webhook")
    messages: list[WaInbound] = []
    statuses: list[WaStatus] = []
    for entry in data.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for raw in value.get("messages") or []:
                parsed = _parse_message(raw)
                if parsed:
                    messages.append(parsed)
            for raw in value.get("statuses") or []:
                if isinstance(raw, dict) and raw.get("id") and raw.get("status"):
                    statuses.append(WaStatus(str(raw["id"]), str(raw["status"]), list(raw.get("errors") or [])))
    return messages, statuses


def _parse_message(raw: Any) -> WaInbound | None:
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("from"):
        return None
    wamid, sender, kind = str(raw["id"]), str(raw["from"]), raw.get("type")
    if kind == "text":
        return WaInbound(wamid, sender, "text", text=str((raw.get("text") or {}).get("body") or ""))
    if kind == "location":
        location = raw.get("location") or {}
        try:
            point = {"latitude": float(location["latitude"]), "longitude": float(location["longitude"])}
        except (KeyError, TypeError, ValueError):
            return WaInbound(wamid, sender, "unsupported", payload={"type": "location", "reason": "no coordinates"})
        return WaInbound(wamid, sender, "location", payload=point)
    if kind == "interactive":
        interactive = raw.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        # Our buttons carry the Rasa payload as their id; the title is what the person saw.
        return WaInbound(wamid, sender, "text", text=str(reply.get("id") or reply.get("title") or ""))
    if kind == "button":  # a template's quick-reply button
        button = raw.get("button") or {}
        return WaInbound(wamid, sender, "text", text=str(button.get("payload") or button.get("text") or ""))
    if kind in MEDIA_KINDS:
        media = raw.get(kind) or {}
        return WaInbound(
            wamid, sender, "media",
            text=media.get("caption"),
            payload={"type": kind, "media_id": media.get("id"), "mime_type": media.get("mime_type")},
        )
    if kind == "reaction":
        reaction = raw.get("reaction") or {}
        return WaInbound(wamid, sender, "reaction", payload={"emoji": reaction.get("emoji"), "to": reaction.get("message_id")})
    return WaInbound(wamid, sender, "unsupported", payload={"type": kind})


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


def template_body(to: str, name: str, language: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {"name": name, "language": {"code": language}},
    }


class SendFailed(RuntimeError):
    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.retryable = retryable


class WhatsAppClient:
    def __init__(self, http: httpx.AsyncClient, api_base: str, phone_number_id: str, token: str) -> None:
        self.http = http
        self.url = f"{api_base.rstrip('/')}/{phone_number_id}/messages"
        self.token = token

    async def send(self, body: dict[str, Any], *, attempts: int = 3, base_delay_s: float = 1.0) -> str:
        """POST one message; retries 429 and 5xx with backoff. Returns the wamid."""
        for attempt in range(1, attempts + 1):
            try:
                response = await self.http.post(
                    self.url, json=body, headers={"Authorization": f"Bearer {self.token}"}, timeout=15
                )
            except httpx.HTTPError as error:
                failure = SendFailed(f"network error: {type(error).__name__}", retryable=True)
            else:
                if response.status_code < 300:
                    try:
                        return str(response.json()["messages"][0]["id"])
                    except (ValueError, KeyError, IndexError, TypeError):
                        raise SendFailed("unexpected answer from the Graph API", retryable=False) from None
                retryable = response.status_code == 429 or response.status_code >= 500
                failure = SendFailed(f"Graph API answered {response.status_code}", retryable=retryable)
            if not failure.retryable or attempt == attempts:
                raise failure
            await asyncio.sleep(base_delay_s * 2 ** (attempt - 1))
        raise SendFailed("not sent", retryable=True)  # unreachable: the loop returns or raises


SERVICE_WINDOW_HOURS = 24


class WhatsAppSender:
    """The outbox's sender for WhatsApp: a reply inside the 24-hour window, a template outside it."""

    def __init__(self, client: WhatsAppClient, template_name: str, template_language: str) -> None:
        self.client = client
        self.template_name = template_name
        self.template_language = template_language

    async def send(self, conversation, message) -> str:
        to = conversation.channel_address
        if not to:
            raise SendFailed("the conversation has no WhatsApp number", retryable=False)
        last = conversation.last_inbound_at
        if last is None or utcnow() - last > timedelta(hours=SERVICE_WINDOW_HOURS):
            body = template_body(to, self.template_name, self.template_language)
        else:
            body = message_body(to, message.text, (message.payload or {}).get("buttons") or [])
        return await self.client.send(body)
