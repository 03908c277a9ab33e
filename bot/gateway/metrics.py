"""`GET /metrics`: the helpline's figures in Prometheus's text format, for an operator's monitor.

Counts and ages only: no message text, phone number, chat id or ticket is ever a label. The
figures that live in the database are read when the monitor asks (one short query each), so
every gateway reports the same totals; the turn latency is this process's own. Refused (401)
without a bearer token: `HELPLINE_METRICS_TOKEN`, or the console's token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.desk.web_door import signed_in_coordinator
from bot.duties.alerts import alerts_without_recipient
from bot.gateway.http_utils import bearer_matches
from wiring.schedule_models import JobRun
from messaging.models import Message
from messaging.queries import attention_summary
from referral.models import Case, CaseAlert
from referral.storage import read_only

log = logging.getLogger(__name__)
REFUSED = "The metrics need a bearer token: HELPLINE_METRICS_TOKEN, or the console's token."
# Seconds from a stored message being taken up to its answer being stored (Rasa included).
TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class DatabaseFigures:
    """A Prometheus collector that reads the stored figures when scraped."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with read_only(self.sessions) as session:
                figures = list(self._figures(session))
        except Exception as error:  # the database is away: say so, as a figure of its own
            log.warning("metrics: the database could not be read (%s)", type(error).__name__)
            figures = []
        up = GaugeMetricFamily("helpline_database_up", "Whether the database answered this scrape.")
        up.add_metric([], 1 if figures else 0)
        yield up
        yield from figures

    def _figures(self, session: Session) -> Iterator[GaugeMetricFamily]:
        messages = GaugeMetricFamily("helpline_messages", "Stored messages, by direction, channel and status.",
                                     labels=["direction", "channel", "status"])
        rows = session.execute(select(Message.direction, Message.channel, Message.status, func.count(Message.id))
                               .group_by(Message.direction, Message.channel, Message.status)).all()
        for direction, channel, status, count in rows:
            messages.add_metric([direction or "", channel or "", str(status or "")], count)
        yield messages

        attention = attention_summary(session)
        waiting = GaugeMetricFamily("helpline_inbox_waiting", "Reporters' messages not answered yet.")
        waiting.add_metric([], attention["waiting_messages"])
        yield waiting
        oldest = GaugeMetricFamily("helpline_inbox_oldest_waiting_seconds",
                                   "Age of the oldest message not answered yet (0 when none waits).")
        oldest.add_metric([], attention["oldest_waiting_seconds"] or 0)
        yield oldest
        undelivered = GaugeMetricFamily("helpline_outbox_undelivered", "Replies the channel refused (failed) or "
                                        "never confirmed (unknown).", labels=["status"])
        undelivered.add_metric(["failed"], attention["failed_replies"])
        undelivered.add_metric(["unknown"], attention["unknown_replies"])
        yield undelivered

        alerts = GaugeMetricFamily("helpline_alerts_open", "Officers' alerts nobody has taken up yet, by reason.",
                                   labels=["reason"])
        for reason, count in session.execute(select(CaseAlert.reason, func.count(CaseAlert.id))
                                             .where(CaseAlert.resolved_at.is_(None)).group_by(CaseAlert.reason)).all():
            alerts.add_metric([reason], count)
        yield alerts
        unreached = GaugeMetricFamily("helpline_alerts_without_recipient", "Duty alerts that found nobody to reach.")
        unreached.add_metric([], alerts_without_recipient(session))
        yield unreached

        cases = GaugeMetricFamily("helpline_cases_open", "Cases not closed, by urgency.", labels=["urgency"])
        for urgency, count in session.execute(select(Case.urgency, func.count(Case.id))
                                              .where(Case.status != "closed").group_by(Case.urgency)).all():
            cases.add_metric([str(urgency)], count)
        yield cases

        runs = GaugeMetricFamily("helpline_job_runs", "Scheduled jobs' recorded runs, by job and outcome.",
                                 labels=["job", "outcome"])
        for job, ok, count in session.execute(select(JobRun.job_id, JobRun.ok, func.count(JobRun.id))
                                              .group_by(JobRun.job_id, JobRun.ok)).all():
            runs.add_metric([job, "ok" if ok else "failed"], count)
        yield runs


class Metrics:
    """One gateway's registry: the stored figures and its own turn latency."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(DatabaseFigures(sessions))
        self.turn_seconds = Histogram("helpline_turn_seconds", "Seconds from taking up a stored message to its "
                                      "answer being stored (Rasa included).", buckets=TURN_BUCKETS, registry=self.registry)

    def observe_turn(self, seconds: float) -> None:
        self.turn_seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


async def metrics(request: Request) -> Response:
    gateway = request.state.gateway
    allowed = bearer_matches(request, gateway.settings.metrics_token, gateway.console_token)
    if not allowed and not await asyncio.to_thread(signed_in_coordinator, request):
        return JSONResponse({"error": REFUSED}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    body = await asyncio.to_thread(gateway.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
