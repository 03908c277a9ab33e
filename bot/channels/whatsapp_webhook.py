"""GET/POST /webhooks/whatsapp: Meta's handshake, and signed deliveries stored before the 200.

The work after storing (Rasa, replies) runs after the response, so Meta gets
its 200 within a second; the inbox worker picks up anything that part misses.
"""

from __future__ import annotations

import json
import logging

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.channels.whatsapp import WebhookError, parse_webhook, verification_challenge, verify_signature
from bot.http_utils import BodyTooLarge, read_body
from referral.messages import Inbound, record_delivery_status
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


async def verify(request: Request) -> Response:
    settings = request.app.state.settings
    challenge = verification_challenge(dict(request.query_params), settings.whatsapp_verify_token)
    if challenge is None:
        return PlainTextResponse("verification failed", status_code=403)
    return PlainTextResponse(challenge)


async def receive(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.whatsapp_enabled:
        return JSONResponse({"error": "WhatsApp is not configured"}, status_code=404)
    try:
        body = await read_body(request, MAX_BODY_BYTES)
    except BodyTooLarge:
        return JSONResponse({"error": "body too large"}, status_code=413)
    if not verify_signature(settings.whatsapp_app_secret, body, request.headers.get("x-hub-signature-256")):
        return JSONResponse({"error": "invalid signature"}, status_code=401)
    try:
        messages, statuses = parse_webhook(json.loads(body))
    except (ValueError, WebhookError) as error:
        return JSONResponse({"error": f"unreadable webhook: {error}"}, status_code=400)

    service = request.app.state.conversations
    inbound = [
        (m.sender, Inbound(kind=m.kind, text=m.text, payload=m.payload, provider_message_id=m.provider_id))
        for m in messages
    ]
    # One transaction for the whole delivery: all of it is stored, or none (and Meta retries).
    with unit_of_work(request.app.state.sessions) as session:
        results = service.store_all(session, "whatsapp", inbound)
        for status in statuses:
            record_delivery_status(session, "whatsapp", status.provider_id, status.status)
            if status.status == "failed":
                log.warning("WhatsApp reports a reply was not delivered (%s error(s))", len(status.errors))
    new_ids = [(sender, message_id) for (sender, _), (message_id, is_new) in zip(inbound, results) if is_new]
    return JSONResponse({"status": "ok"}, background=BackgroundTask(_process, request.app, new_ids))


async def _process(app, stored: list[tuple[str, int]]) -> None:
    for sender, message_id in stored:
        await app.state.flood_guard.process(app.state.conversations, f"whatsapp:{sender}", message_id)
    await app.state.outbox.flush()
