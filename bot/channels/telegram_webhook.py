"""POST /webhooks/telegram (webhook mode): the secret-token header, then store, then 200.

The work after storing (Rasa, replies) runs after the response; the inbox
worker picks up anything that part misses.
"""

from __future__ import annotations

import hmac
import json

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from telegram import Update

from bot.gateway.http_utils import WEBHOOK_MAX_BODY_BYTES, BodyTooLarge, read_body


async def receive(request: Request) -> JSONResponse:
    gateway = request.state.gateway
    channel = gateway.telegram
    if channel is None or not gateway.settings.telegram.webhook_url:
        return JSONResponse({"error": "Telegram webhook mode is off"}, status_code=404)
    given = request.headers.get("x-telegram-bot-api-secret-token", "")
    if not hmac.compare_digest(given.encode(), channel.secret_token.encode()):
        return JSONResponse({"error": "missing or wrong secret token"}, status_code=403)
    try:
        data = json.loads(await read_body(request, WEBHOOK_MAX_BODY_BYTES))
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an update object")
        update = Update.de_json(data, channel.application.bot)
    except BodyTooLarge:
        return JSONResponse({"error": "body too large"}, status_code=413)
    except (ValueError, TypeError, KeyError, AttributeError):  # PTB's parser on a shape it does not expect
        return JSONResponse({"error": "not a Telegram update"}, status_code=400)
    if update is None:
        return JSONResponse({"error": "not a Telegram update"}, status_code=400)
    stored = await channel.store_update(update)
    return JSONResponse({"status": "ok"}, background=BackgroundTask(channel.intake.after_store, stored))
