"""The gateway: one ASGI app serving the web chat, the webhooks, the officer console and health.

Run with `python -m bot.gateway.app` (the supervisor does); `create_app` wires settings,
the database (wiring/bootstrap.py) and the services into a typed GatewayState when the
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
from starlette.middleware import Middleware
from starlette.routing import Route
from sqlalchemy import text as sql
from sqlalchemy.orm import Session, sessionmaker

from bot.desk import web_console, web_coordinator, web_login
from bot.desk.web_auth import ConsoleHeaders
from bot.gateway import webchat
from bot.duties.alerts import OfficerAlerts, alerts_without_recipient
from bot.channels import telegram_webhook, whatsapp_webhook
from bot.channels.telegram import TelegramChannel, TelegramSender, build_application
from bot.channels.whatsapp import WhatsAppClient, WhatsAppSender
from wiring.bootstrap import Database, connect
from bot.channels.intake import Intake
from bot.gateway.conversation import ConversationService
from bot.gateway.engine_client import EngineClient
from bot.gateway.flood import FloodGuard
from bot.desk.telegram_desk import OfficerDesk
from wiring.logs import configure_logging, settings_secrets
from bot.gateway.outbox import Outbox
from bot.gateway.metrics import Metrics
from bot.gateway.metrics import metrics as metrics_route
from wiring.settings import Settings
from bot.duties.scheduler import ScheduledJobs
from bot.gateway.worker import InboxWorker
from referral.models import utcnow
from referral.routing_cache import RoutingCache
from referral.storage import read_only, unit_of_work

log = logging.getLogger(__name__)


def _page(name: str) -> str:
    return resources.files("bot").joinpath("static", name).read_text(encoding="utf-8")


async def index(_: Request) -> HTMLResponse:
    return HTMLResponse(_page("webchat.html"), headers={"Cache-Control": "no-store"})


async def livez(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def healthz(request: Request) -> JSONResponse:
    """Whether Rasa and the action server answer right now, whether Telegram (when set up) is
    connected, and whether officers' alerts reach anybody; `degraded` says what is not well.
    200 while the process lives: a degraded helpline still takes and stores every message."""
    gateway: GatewayState = request.state.gateway
    body = {
        **await gateway.engine_services_up(),
        "telegram": gateway.telegram is not None if gateway.settings.telegram.bot_token else None,
    }
    degraded = [name for name, up in body.items() if up is False]
    try:
        body["alerts_without_recipient"] = await asyncio.to_thread(gateway.count_unreached_alerts)
        body["turns_retrying"] = await asyncio.to_thread(gateway.conversations.count_retrying_turns)
    except Exception as error:  # the database is away: say so, stay up
        log.warning("health: the alerts could not be counted (%s)", type(error).__name__)
        body["alerts_without_recipient"] = body.get("alerts_without_recipient")
        body["turns_retrying"] = None
        degraded.append("database")
    if body["alerts_without_recipient"]:
        degraded.append("alerts with no recipient")
    # Turns the database refused: being retried now, and given up on since the gateway started.
    body["turns_given_up"] = gateway.conversations.turns_given_up
    if body["turns_retrying"]:
        degraded.append(f"turns the database refuses, retrying: {body['turns_retrying']}")
    if body["turns_given_up"]:
        degraded.append(f"turns given up (not recorded, officers alerted): {body['turns_given_up']}")
    poller = gateway.telegram.poller if gateway.telegram else None
    body["telegram_updates_given_up"] = poller.given_up if poller else 0
    if body["telegram_updates_given_up"]:
        degraded.append(f"Telegram updates given up (senders asked to write again): {body['telegram_updates_given_up']}")
    failing = sorted(gateway.alerts.failing) if gateway.alerts else []
    if failing:
        degraded.append("alert duties failing: " + ", ".join(failing))
    body["alert_duty_failures"] = dict(gateway.alerts.failures) if gateway.alerts else {}
    return JSONResponse({"status": "degraded" if degraded else "ok", **body, "degraded": degraded})


async def readyz(request: Request) -> JSONResponse:
    """200 only when this gateway can answer a reporter now: the database, Rasa and the action
    server all answer; 503 with which do not (for a load balancer or an orchestrator; /healthz
    stays 200 while the process lives)."""
    gateway: GatewayState = request.state.gateway
    checks = {**await gateway.engine_services_up(), "database": await asyncio.to_thread(gateway.database_answers)}
    not_ready = [name for name, up in checks.items() if not up]
    return JSONResponse({"ready": not not_ready, **checks, "not_ready": not_ready}, status_code=503 if not_ready else 200)


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
    alerts: OfficerAlerts | None = None
    telegram: TelegramChannel | None = None  # None until Telegram is connected (or when it is off)
    telegram_waiting: TelegramChannel | None = None  # set up, not connected yet: retried in the background
    metrics: Metrics | None = None  # GET /metrics
    http: httpx.AsyncClient | None = None  # the gateway's outgoing HTTP (channels' media for the desk)

    async def engine_services_up(self) -> dict[str, bool]:
        """Whether Rasa and the action server answer right now (/healthz, /readyz)."""
        return {
            "rasa": await self.engine.is_up(f"{self.settings.engine.rasa_url}/"),
            "action_server": await self.engine.is_up(f"{self.settings.engine.action_server_url}/health"),
        }

    def database_answers(self) -> bool:
        try:
            with read_only(self.sessions) as session:
                session.execute(sql("SELECT 1"))
            return True
        except Exception as error:  # whatever keeps it from answering, it does not answer
            log.warning("ready: the database does not answer (%s)", type(error).__name__)
            return False

    def count_unreached_alerts(self) -> int:
        with unit_of_work(self.sessions) as session:
            return alerts_without_recipient(session)

    def use_telegram(self, channel: TelegramChannel) -> None:
        """Telegram is connected: replies and officers' alerts go out through it from now on."""
        self.telegram, self.telegram_waiting = channel, None
        self.outbox.senders["telegram"] = TelegramSender(channel.application)
        if self.alerts:
            self.alerts.connected = True


def channel_senders(settings: Settings, http: httpx.AsyncClient) -> dict:
    """The outbox's sender for each configured chat channel (none in the embedded mode)."""
    senders = {}
    if settings.whatsapp.enabled:
        client = WhatsAppClient(http, settings.whatsapp.api_base, settings.whatsapp.phone_number_id, settings.whatsapp.token)
        senders["whatsapp"] = WhatsAppSender(client, settings.whatsapp.template_name, settings.whatsapp.template_language)
    return senders


def telegram_channel(settings: Settings, intake: Intake, desk: OfficerDesk) -> TelegramChannel:
    application = build_application(settings.telegram.bot_token, settings.telegram.api_base)
    return TelegramChannel(application, intake, settings.derived_secret("telegram-webhook"), desk)


async def connect_telegram(settings: Settings, channel: TelegramChannel) -> bool:
    """Polling by default (no public URL needed); webhook mode when TELEGRAM_WEBHOOK_URL is set.
    False when Telegram cannot be reached; the channel may be tried again."""
    application = channel.application
    try:
        await application.initialize()  # a no-op once it has worked
        if settings.telegram.webhook_url:
            await application.bot.set_webhook(
                settings.telegram.webhook_url,
                secret_token=channel.secret_token,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await application.bot.delete_webhook()  # getUpdates is refused while a webhook is set
            channel.start_polling(settings.telegram.retry_max_s)
    except TelegramError as error:
        # The web chat and WhatsApp keep working; the reason goes to the log.
        log.error("Telegram is unavailable: %s", error)
        return False
    log.info("Telegram is on (%s mode)", "webhook" if settings.telegram.webhook_url else "polling")
    return True


async def keep_connecting_telegram(gateway: GatewayState, first_delay_s: float = 2.0) -> None:
    """Telegram could not start: try again in the background, waiting twice as long after
    each failure (at most TELEGRAM_RETRY_MAX_SECONDS), until it is connected."""
    channel = gateway.telegram_waiting
    if channel is None:
        return
    delay = min(first_delay_s, gateway.settings.telegram.retry_max_s)
    while True:
        log.info("Telegram: trying to connect again in %.0f s", delay)
        await asyncio.sleep(delay)
        try:
            connected = await connect_telegram(gateway.settings, channel)
        except Exception as error:  # whatever went wrong, the next try may work
            log.error("Telegram could not be connected (%s)", type(error).__name__)
            connected = False
        if connected:
            gateway.use_telegram(channel)
            return
        delay = min(delay * 2, gateway.settings.telegram.retry_max_s)


async def stop_telegram(channel: TelegramChannel) -> None:
    with contextlib.suppress(Exception):
        await channel.stop_polling()
        await channel.application.shutdown()


async def start_gateway(
    settings: Settings, database: Database, http: httpx.AsyncClient, clock: Callable[[], datetime] = utcnow
) -> GatewayState:
    """Wire the gateway's services: the Rasa client, the inbox, the outbox and its senders,
    the channels, the worker. `clock` is the time they all go by (tests move it)."""
    engine = EngineClient(
        settings.engine.rasa_url, http, timeout_s=settings.engine.timeout_s, token=settings.resolved_engine_token(),
        actions_health_url=f"{settings.engine.action_server_url}/health",
    )
    metrics = Metrics(database.sessions)
    conversations = ConversationService(
        database.sessions,
        engine,
        settings.resolved_secret_key(),
        settings.max_message_chars,
        settings.ack_after_s,
        settings.webchat_wait_s,
        clock=clock,
        hotlines_file=settings.config_dir / "hotlines.yml",
        turn_retry_s=settings.turn_retry_s,
        on_turn=metrics.observe_turn,
    )
    senders = channel_senders(settings, http)
    outbox = Outbox(database.sessions, senders, clock)
    intake = Intake(conversations, FloodGuard(settings.messages_per_minute_per_sender), outbox)
    desk = OfficerDesk(
        database.sessions, engine, settings.resolved_secret_key(), RoutingCache(settings.config_dir / "routing.yml"), clock
    )
    channel = telegram_channel(settings, intake, desk) if settings.telegram.bot_token else None
    connected = channel is not None and await connect_telegram(settings, channel)
    # Officers are reached on Telegram when it is set up; until it connects, alerts wait.
    alerts = OfficerAlerts(
        database.sessions, settings.alert_after_s, "telegram" if channel else None, clock, settings.alert_times
    )
    alerts.connected = connected
    gateway = GatewayState(
        settings=settings,
        sessions=database.sessions,
        engine=engine,
        conversations=conversations,
        outbox=outbox,
        intake=intake,
        webchat_limits=webchat.WebchatLimits.from_settings(settings),
        console_token=settings.resolved_console_token(),
        worker=InboxWorker(conversations, settings.inbox_interval_s, outbox, alerts, desk),
        desk=desk,
        alerts=alerts,
        telegram_waiting=channel,
        metrics=metrics,
        http=http,
    )
    if connected:
        gateway.use_telegram(channel)
    return gateway


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
            if gateway.telegram_waiting is not None:  # set up but unreachable: keep trying, no restart needed
                background.append(asyncio.create_task(keep_connecting_telegram(gateway), name="telegram-connect"))
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
                if channel := gateway.telegram or gateway.telegram_waiting:  # first, so no update starts new work
                    await stop_telegram(channel)
                await gateway.conversations.stop()
        database.dispose()

    routes = [
        Route("/", index),
        Route("/livez", livez),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_route),
        Route("/webchat/messages", webchat.post_message, methods=["POST"]),
        Route("/webchat/messages", webchat.get_messages, methods=["GET"]),
        Route("/webhooks/telegram", telegram_webhook.receive, methods=["POST"]),
        Route("/webhooks/whatsapp", whatsapp_webhook.verify, methods=["GET"]),
        Route("/webhooks/whatsapp", whatsapp_webhook.receive, methods=["POST"]),
        Route("/console", web_console.queue_page),
        Route("/console/login", web_login.login_page, methods=["GET"]),
        Route("/console/login", web_login.login, methods=["POST"]),
        Route("/console/logout", web_login.logout, methods=["POST"]),
        Route("/console/login/totp", web_login.second_factor_page, methods=["GET"]),
        Route("/console/login/totp", web_login.second_factor, methods=["POST"]),
        Route("/console/totp", web_login.totp_page, methods=["GET"]),
        Route("/console/totp", web_login.enrol_totp, methods=["POST"]),
        Route("/console/password/{token}", web_login.password_page, methods=["GET"]),
        Route("/console/password/{token}", web_login.choose_password, methods=["POST"]),
        Route("/console/conduct", web_login.conduct_page, methods=["GET"]),
        Route("/console/conduct/accept", web_login.accept_conduct, methods=["POST"]),
        Route("/console/conduct/edit", web_login.edit_conduct, methods=["POST"]),
        Route("/console/cases/{ticket}", web_console.case_page, methods=["GET"]),
        Route("/console/cases/{ticket}/{action}", web_console.case_action, methods=["POST"]),
        Route("/console/referrals/{referral_id}", web_console.referral_page, methods=["GET"]),
        Route("/console/referrals/{referral_id}/{action}", web_console.referral_action, methods=["POST"]),
        Route("/console/conversations/{conversation_id}", web_console.conversation_page, methods=["GET"]),
        Route("/console/conversations/{conversation_id}/{action}", web_console.conversation_action, methods=["POST"]),
        Route("/console/api/conversations/{conversation_id}/messages", web_console.conversation_messages_json),
        Route("/console/digest", web_coordinator.digest_page),
        Route("/console/digest/{week}/{name}", web_coordinator.digest_chart),
        Route("/console/facilities", web_coordinator.facilities_page),
        Route("/console/facilities/export.csv", web_coordinator.facilities_export),
        Route("/console/facilities/import", web_coordinator.facilities_import, methods=["POST"]),
        Route("/console/facilities/{code}", web_coordinator.facility_page),
        Route("/console/officers", web_coordinator.officers_page),
        Route("/console/audit", web_coordinator.audit_page),
        Route("/console/export", web_coordinator.export_page),
        Route("/console/export.{format:str}", web_coordinator.welfare_export_file),
        Route("/console/media/{message_id}", web_console.media),
        Route("/console/duty", web_console.duty, methods=["POST"]),
        Route("/console/api/queue", web_console.queue_json),
        Route("/console/api/cases/{ticket}/messages", web_console.case_messages_json),
        Route("/console/api/health", web_console.health_json),
        Route("/console/assets/{name}", web_console.asset),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(ConsoleHeaders)])


def main() -> None:
    import uvicorn

    settings = Settings.from_env()
    configure_logging(settings_secrets(settings), settings.logs)
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
