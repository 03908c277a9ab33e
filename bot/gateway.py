"""The gateway: one ASGI app serving the web chat, the webhooks, the officer console and health.

Run with `python -m bot.gateway` (the supervisor does); `create_app` wires settings,
the database (bot/bootstrap.py) and the services into a typed GatewayState when the
app starts, not at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import httpx
from starlette.applications import Starlette
from telegram import Update
from telegram.error import TelegramError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from sqlalchemy.orm import Session, sessionmaker

from bot import console, webchat
from bot.alerts import OfficerAlerts
from bot.channels import telegram_webhook, whatsapp_webhook
from bot.channels.telegram import TelegramChannel, TelegramSender, build_application
from bot.channels.whatsapp import WhatsAppClient, WhatsAppSender
from bot.bootstrap import Database, connect
from bot.channels.intake import Intake
from bot.conversation import ConversationService
from bot.engine_client import EngineClient
from bot.flood import FloodGuard
from bot.officer_desk import OfficerDesk
from bot.logs import configure_logging, settings_secrets
from bot.outbox import Outbox
from bot.settings import Settings
from bot.scheduler import ScheduledJobs
from bot.worker import InboxWorker
from referral.models import utcnow
from referral.routing_cache import RoutingCache

log = logging.getLogger(__name__)


def _page(name: str) -> str:
    return resources.files("bot").joinpath("static", name).read_text(encoding="utf-8")


async def index(_: Request) -> HTMLResponse:
    return HTMLResponse(_page("webchat.html"), headers={"Cache-Control": "no-store"})


async def livez(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def healthz(request: Request) -> JSONResponse:
    """Whether the gateway, Rasa and the action server answer right now."""
    gateway: GatewayState = request.state.gateway
    rasa_up = await gateway.engine.is_up(f"{gateway.settings.engine.rasa_url}/")
    actions_up = await gateway.engine.is_up(f"{gateway.settings.engine.action_server_url}/health")
    healthy = rasa_up and actions_up
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", "rasa": rasa_up, "action_server": actions_up},
        status_code=200 if healthy else 503,
    )


@dataclass
class GatewayState:
    """Everything the gateway's routes use, built once when the app starts
    (`request.state.gateway` in a route; `client.app_state["gateway"]` in a test)."""

    settings: Settings
    sessions: sessionmaker[Session]
    engine: EngineClient
    conversations: ConversationService
    outbox: Outbox
    intake: Intake
    webchat_limits: webchat.WebchatLimits
    console_token: str
    worker: InboxWorker
    desk: OfficerDesk
    telegram: TelegramChannel | None = None


def channel_senders(settings: Settings, http: httpx.AsyncClient) -> dict:
    """The outbox's sender for each configured chat channel (none in the embedded mode)."""
    senders = {}
    if settings.whatsapp.enabled:
        client = WhatsAppClient(http, settings.whatsapp.api_base, settings.whatsapp.phone_number_id, settings.whatsapp.token)
        senders["whatsapp"] = WhatsAppSender(client, settings.whatsapp.template_name, settings.whatsapp.template_language)
    return senders


async def start_telegram(settings: Settings, intake: Intake, desk: OfficerDesk) -> TelegramChannel | None:
    """Polling by default (no public URL needed); webhook mode when TELEGRAM_WEBHOOK_URL is set."""
    application = build_application(settings.telegram.bot_token, settings.telegram.api_base)
    channel = TelegramChannel(application, intake, settings.derived_secret("telegram-webhook"), desk)
    try:
        await application.initialize()
        if settings.telegram.webhook_url:
            await application.bot.set_webhook(
                settings.telegram.webhook_url,
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
    log.info("Telegram is on (%s mode)", "webhook" if settings.telegram.webhook_url else "polling")
    return channel


async def stop_telegram(application) -> None:
    with contextlib.suppress(Exception):
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


async def start_gateway(
    settings: Settings, database: Database, http: httpx.AsyncClient, clock: Callable[[], datetime] = utcnow
) -> GatewayState:
    """Wire the gateway's services: the Rasa client, the inbox, the outbox and its senders,
    the channels, the worker. `clock` is the time they all go by (tests move it)."""
    engine = EngineClient(
        settings.engine.rasa_url, http, timeout_s=settings.engine.timeout_s, token=settings.resolved_engine_token()
    )
    conversations = ConversationService(
        database.sessions,
        engine,
        settings.resolved_secret_key(),
        settings.max_message_chars,
        settings.ack_after_s,
        settings.webchat_wait_s,
        clock=clock,
    )
    senders = channel_senders(settings, http)
    outbox = Outbox(database.sessions, senders, clock)
    intake = Intake(conversations, FloodGuard(settings.messages_per_minute_per_sender), outbox)
    desk = OfficerDesk(
        database.sessions, engine, settings.resolved_secret_key(), RoutingCache(settings.config_dir / "routing.yml"), clock
    )
    telegram = await start_telegram(settings, intake, desk) if settings.telegram.bot_token else None
    if telegram:
        senders["telegram"] = TelegramSender(telegram.application)
    alerts = OfficerAlerts(
        database.sessions, settings.alert_after_s, "telegram" if telegram else None, clock, settings.alert_times
    )
    return GatewayState(
        settings=settings,
        sessions=database.sessions,
        engine=engine,
        conversations=conversations,
        outbox=outbox,
        intake=intake,
        webchat_limits=webchat.WebchatLimits.from_settings(settings),
        console_token=settings.resolved_console_token(),
        worker=InboxWorker(conversations, settings.inbox_interval_s, outbox, alerts, desk),
        telegram=telegram,
        desk=desk,
    )


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = utcnow) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        resolved = settings or Settings.from_env()
        database = connect(resolved)
        async with httpx.AsyncClient() as http:
            gateway = await start_gateway(resolved, database, http, clock)
            background = []
            if resolved.inbox_interval_s > 0:  # 0: tests drive the worker themselves
                background.append(asyncio.create_task(gateway.worker.run(), name="inbox-worker"))
            if resolved.scheduler:  # `helpline run` turns it on: the scheduled jobs, one process per database
                jobs = ScheduledJobs(resolved, database.engine, database.sessions)
                background.append(asyncio.create_task(jobs.run(), name="scheduled-jobs"))
            try:
                yield {"gateway": gateway}
            finally:
                for task in background:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                if gateway.telegram:  # first, so no update starts new work
                    await stop_telegram(gateway.telegram.application)
                await gateway.conversations.stop()
        database.dispose()

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
