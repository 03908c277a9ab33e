"""The gateway: one ASGI app serving the web chat, the officer console and health.

Run with `python -m bot.gateway` (the supervisor does); `create_app` wires
settings, database and the Rasa client when the app starts, not at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from importlib import resources

import httpx
from starlette.applications import Starlette
from telegram import Update
from telegram.error import TelegramError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from bot import console, webchat
from bot.alerts import OfficerAlerts
from bot.channels import telegram_webhook, whatsapp_webhook
from bot.channels.telegram import TelegramChannel, TelegramSender, build_application
from bot.channels.whatsapp import WhatsAppClient, WhatsAppSender
from bot.outbox import Outbox
from bot.flood import FloodGuard
from bot.logs import configure_logging, settings_secrets
from bot.conversation import ConversationService
from bot.engine_client import EngineClient
from bot.worker import InboxWorker
from referral.config import Settings
from referral.storage import make_engine, make_session_factory

log = logging.getLogger(__name__)


def _page(name: str) -> str:
    return resources.files("bot").joinpath("static", name).read_text(encoding="utf-8")


async def index(_: Request) -> HTMLResponse:
    return HTMLResponse(_page("webchat.html"), headers={"Cache-Control": "no-store"})


async def livez(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def healthz(request: Request) -> JSONResponse:
    """Whether the gateway, Rasa and the action server answer right now."""
    settings: Settings = request.app.state.settings
    engine: EngineClient = request.app.state.engine
    rasa_up = await engine.is_up(f"{settings.rasa_url}/")
    actions_up = await engine.is_up(f"{settings.action_server_url}/health")
    healthy = rasa_up and actions_up
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", "rasa": rasa_up, "action_server": actions_up},
        status_code=200 if healthy else 503,
    )


def channel_senders(settings: Settings, http: httpx.AsyncClient) -> dict:
    """The outbox's sender for each configured chat channel (none in the embedded mode)."""
    senders = {}
    if settings.whatsapp_enabled:
        client = WhatsAppClient(
            http, settings.whatsapp_api_base, settings.whatsapp_phone_number_id, settings.whatsapp_token
        )
        senders["whatsapp"] = WhatsAppSender(
            client, settings.whatsapp_template_name, settings.whatsapp_template_language
        )
    return senders


async def start_telegram(settings: Settings, conversations, outbox, flood_guard) -> TelegramChannel | None:
    """Polling by default (no public URL needed); webhook mode when TELEGRAM_WEBHOOK_URL is set."""
    application = build_application(settings.telegram_bot_token, settings.telegram_api_base)
    channel = TelegramChannel(
        application, conversations, outbox, flood_guard, settings.derived_secret("telegram-webhook")
    )
    try:
        await application.initialize()
        if settings.telegram_webhook_url:
            await application.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=channel.secret_token,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await application.start()
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
    except TelegramError as error:
        # The web chat and WhatsApp keep working; the reason goes to the log.
        log.error("Telegram is unavailable and stays off: %s", error)
        return None
    log.info("Telegram is on (%s mode)", "webhook" if settings.telegram_webhook_url else "polling")
    return channel


async def stop_telegram(application) -> None:
    with contextlib.suppress(Exception):
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


def create_app(settings: Settings | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        resolved = settings or Settings.from_env()
        db_engine = make_engine(resolved.database_url)
        sessions = make_session_factory(db_engine)
        async with httpx.AsyncClient() as http:
            engine = EngineClient(
                resolved.rasa_url, http, timeout_s=resolved.engine_timeout_s, token=resolved.resolved_engine_token()
            )
            app.state.settings = resolved
            app.state.webchat_limits = webchat.WebchatLimits.from_settings(resolved)
            app.state.flood_guard = FloodGuard(resolved.webchat_messages_per_minute)
            app.state.console_token = resolved.resolved_console_token()
            app.state.sessions = sessions
            app.state.engine = engine
            app.state.conversations = ConversationService(
                sessions,
                engine,
                resolved.resolved_secret_key(),
                resolved.max_message_chars,
                resolved.ack_after_s,
                resolved.webchat_wait_s,
            )
            senders = channel_senders(resolved, http)
            app.state.outbox = Outbox(sessions, senders)
            app.state.telegram = None
            if resolved.telegram_bot_token:
                app.state.telegram = await start_telegram(
                    resolved, app.state.conversations, app.state.outbox, app.state.flood_guard
                )
                if app.state.telegram:
                    senders["telegram"] = TelegramSender(app.state.telegram.application)
            telegram_bot = app.state.telegram.application.bot if app.state.telegram else None
            alerts = OfficerAlerts(sessions, resolved.alert_after_s, telegram_bot)
            app.state.worker = InboxWorker(app.state.conversations, resolved.inbox_interval_s, app.state.outbox, alerts)
            worker = None
            if resolved.inbox_interval_s > 0:  # 0: tests drive the worker themselves
                worker = asyncio.create_task(app.state.worker.run(), name="inbox-worker")
            try:
                yield
            finally:
                if worker:
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker
                if app.state.telegram:  # first, so no update starts new work
                    await stop_telegram(app.state.telegram.application)
                await app.state.conversations.stop()
        db_engine.dispose()

    routes = [
        Route("/", index),
        Route("/livez", livez),
        Route("/healthz", healthz),
        Route("/webchat/messages", webchat.post_message, methods=["POST"]),
        Route("/webchat/messages", webchat.get_messages, methods=["GET"]),
        Route("/webhooks/telegram", telegram_webhook.receive, methods=["POST"]),
        Route("/webhooks/whatsapp", whatsapp_webhook.verify, methods=["GET"]),
        Route("/webhooks/whatsapp", whatsapp_webhook.receive, methods=["POST"]),
        Route("/console", console.page),
        Route("/console/api/cases", console.list_cases_json),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    import uvicorn

    settings = Settings.from_env()
    configure_logging(settings_secrets(settings))
    # access_log off: URLs and client addresses are not needed in logs. log_config=None:
    # uvicorn's loggers go through ours (and its redaction). X-Forwarded-For is believed
    # only from the proxies the operator names (HELPLINE_TRUSTED_PROXIES), never by default.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        log_level="warning",
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


if __name__ == "__main__":
    main()
