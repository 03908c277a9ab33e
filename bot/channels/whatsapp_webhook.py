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
from bot.gateway.http_utils import WEBHOOK_MAX_BODY_BYTES, BodyTooLarge, read_body
from messaging.store import record_delivery_status
from referral.storage import unit_of_work

log = logging.getLogger(__name__)


async def verify(request: Request) -> Response:
    settings = request.state.gateway.settings
    challenge = verification_challenge(dict(request.query_params), settings.whatsapp.verify_token)
    if challenge is None:
        return PlainTextResponse("verification failed", status_code=403)
    return PlainTextResponse(challenge)


async def receive(request: Request) -> Response:
    gateway = request.state.gateway
    settings = gateway.settings
    if not settings.whatsapp.enabled:
        return JSONResponse({"error": "WhatsApp is not configured"}, status_code=404)
    try:
        body = await read_body(request, WEBHOOK_MAX_BODY_BYTES)
    except BodyTooLarge:
        return JSONResponse({"error": "body too large"}, status_code=413)
    if not verify_signature(settings.whatsapp.app_secret, body, request.headers.get("x-hub-signature-256")):
        return JSONResponse({"error": "invalid signature"}, status_code=401)
    try:
        messages, statuses = parse_webhook(json.loads(body))
    except (ValueError, WebhookError) as error:
        return JSONResponse({"error": f"unreadable webhook: {error}"}, status_code=400)

    # One transaction for the whole delivery: all of it is stored, or none (and Meta retries).
    with unit_of_work(gateway.sessions) as session:
        stored = gateway.intake.store([message.record() for message in messages], session)
        for status in statuses:
            record_delivery_status(session, "whatsapp", status.provider_id, status.status)
            if status.status == "failed":
                log.warning("WhatsApp reports a reply was not delivered (%s error(s))", len(status.errors))
    return JSONResponse({"status": "ok"}, background=BackgroundTask(gateway.intake.after_store, stored))
