"""The scheduled jobs (APScheduler 3.11), run by exactly one process per database.

Jobs live in the app database (APScheduler's SQLAlchemy job store), with explicit ids,
coalescing and a misfire grace time, on Western Indonesia Time. A job whose schedule did
not change keeps its stored next run across restarts, so a gateway that was down at the
hour runs the missed job once when it is back, never twice. When several gateways share
one database, the one holding the scheduler lock (a PostgreSQL advisory lock; on SQLite, a
file lock in the data folder) runs the jobs and checks every `STANDBY_RETRY_SECONDS` that
it still holds it; the others stand by and try as often, so one of them takes over within
a minute of the leader's death (the lock dies with its connection or process).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from wiring.schedule_models import JOB_STORE_TABLE, JobRun
from wiring.settings import Settings
from referral.models import utcnow
from referral.storage import unit_of_work

if TYPE_CHECKING:
    from wiring.bootstrap import Database

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 0x4D504B53  # "MPKS": one scheduler per database
STANDBY_RETRY_SECONDS = 30.0
MISFIRE_GRACE_SECONDS = 6 * 3600  # a digest missed by a gateway down over the hour still goes out


@dataclass(frozen=True)
class Schedule:
    timezone: ZoneInfo
    crons: dict[str, str]  # job id → cron expression

    @classmethod
    def load(cls, path: Path) -> "Schedule":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        zone = ZoneInfo(str(data.get("timezone") or "Asia/Jakarta"))
        crons = {str(job): str(cron) for job, cron in (data.get("jobs") or {}).items()}
        for job, cron in crons.items():
            try:
                CronTrigger.from_crontab(cron, timezone=zone)
            except ValueError as error:
                raise ValueError(f"{path}: {job}: {error}") from None
        return cls(zone, crons)

    def trigger(self, job_id: str) -> CronTrigger:
        return CronTrigger.from_crontab(self.crons[job_id], timezone=self.timezone)


@contextlib.contextmanager
def _app_database() -> Iterator[tuple[Settings, "Database"]]:
    """The settings and the app database for one run of a job (jobs run in their own thread)."""
    from wiring.bootstrap import connect

    settings = Settings.from_env()
    database = connect(settings)
    try:
        yield settings, database
    finally:
        database.dispose()


def weekly_digest() -> str:
    """The job: the digest of the ISO week that just ended, its files written and its
    headline queued for the coordinators. Module-level so the job store can name it."""
    from bot.duties.digest import produce_digest
    from referral.digest import Week

    with _app_database() as (settings, database):
        now = utcnow()
        result = produce_digest(database.sessions, Week.containing(now).previous(), now, data_dir=settings.data_dir,
                                ack_after_s=settings.ack_after_s, send=True, delivery=settings.digest)
    return f"{result['week']}: {result['cases']} case(s), {result['queued_messages']} message(s) queued"


def retention() -> str:
    """The job: erase what reporters told us from cases and messages older than the
    retention period (HELPLINE_RETENTION_DAYS)."""
    from bot.duties.tracker_retention import erase_old_tracker_events
    from messaging.retention import erase_old_messages
    from referral.retention import erase_old_case_details

    with _app_database() as (settings, database):
        cases = 0
        while True:  # in batches, one transaction each
            with unit_of_work(database.sessions) as session:
                erased = erase_old_case_details(session, days=settings.retention_days)
            cases += erased
            if not erased:
                break
        with unit_of_work(database.sessions) as session:
            messages, conversations = erase_old_messages(session, days=settings.retention_days)
        tracker_events = erase_old_tracker_events(settings, days=settings.retention_days)
    return f"{cases} case(s), {messages} message(s), {conversations} address(es), {tracker_events} Rasa event(s) erased"


def follow_up() -> str:
    """The job: ask reporters whose case closed some days ago, and who agreed to be
    contacted in the chat, whether the help arrived (once; their answer goes on the case).
    On WhatsApp only inside the 24-hour window (outside it only a template may be sent)."""
    from bot.channels.whatsapp import within_whatsapp_window
    from bot.gateway.replies import gateway_text
    from messaging.models import Conversation
    from messaging.statuses import first_outbound_status
    from messaging.store import record_outbound
    from referral.follow_up import answer_payloads, due_follow_ups, record_sent

    asked = 0
    with _app_database() as (_, database):
        with unit_of_work(database.sessions) as session:
            for case in due_follow_ups(session):
                conversation = session.get(Conversation, case.conversation_id)
                if conversation.channel != "webchat" and not conversation.channel_address:
                    continue  # retention has forgotten where to reach them
                if conversation.channel == "whatsapp" and not within_whatsapp_window(conversation.last_inbound_at):
                    continue  # outside the 24-hour window only a template may go, and it cannot carry the question
                language = conversation.reporter.language or "id"
                received, not_received = answer_payloads(case.ticket)
                buttons = [{"title": gateway_text("follow_up_received", language), "payload": received},
                           {"title": gateway_text("follow_up_not_received", language), "payload": not_received}]
                record_outbound(session, conversation, text=gateway_text("follow_up_question", language, ticket=case.ticket),
                                payload={"buttons": buttons}, status=first_outbound_status(conversation.channel))
                record_sent(case)
                asked += 1
    return f"{asked} reporter(s) asked"


JOBS: dict[str, Callable[[], object]] = {
    "weekly_digest": weekly_digest, "retention": retention, "follow_up": follow_up,
}


def start_scheduler(
    engine: Engine, schedule: Schedule, sessions: sessionmaker[Session], jobs: dict[str, Callable[[], object]] = JOBS
) -> AsyncIOScheduler:
    """Start the scheduler (inside the running event loop) on the stored jobs.

    A job whose schedule has not changed keeps its stored next run, so a run that fell due
    while no gateway ran happens once now (coalesced, within the grace time) instead of
    being recomputed away; a changed schedule replaces the job; a job no longer configured
    is removed."""
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
        timezone=schedule.timezone,
    )
    record_runs(scheduler, sessions)
    scheduler.start(paused=True)
    wanted = {job_id: function for job_id, function in jobs.items() if job_id in schedule.crons}
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            scheduler.remove_job(stored.id)
    for job_id, function in wanted.items():
        trigger = schedule.trigger(job_id)
        stored = scheduler.get_job(job_id)
        if stored is None or repr(stored.trigger) != repr(trigger) or stored.func is not function:
            scheduler.add_job(function, trigger, id=job_id, name=job_id, replace_existing=True)
    scheduler.resume()
    return scheduler


def record_runs(scheduler: AsyncIOScheduler, sessions: sessionmaker[Session]) -> None:
    """Each run's outcome in `job_runs`, for `helpline jobs list`."""

    def on_event(event: JobExecutionEvent) -> None:
        outcome = type(event.exception).__name__ if event.exception else str(event.retval or "ok")
        with unit_of_work(sessions) as session:
            session.add(JobRun(job_id=event.job_id, ran_at=utcnow(), ok=event.exception is None, result=outcome[:300]))
        if event.exception:
            log.error("job %s failed: %s", event.job_id, outcome)

    scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)


def job_overview(sessions: sessionmaker[Session], zone: ZoneInfo) -> list[dict]:
    """Every stored job with its next run, and its last recorded run (for `helpline jobs
    list`). Read from the tables, not through APScheduler, so reading changes nothing."""

    jobs = []
    with unit_of_work(sessions) as session:
        for job_id, next_run in session.execute(select(JOB_STORE_TABLE.c.id, JOB_STORE_TABLE.c.next_run_time).order_by(JOB_STORE_TABLE.c.id)):
            last = session.scalars(
                select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.ran_at.desc(), JobRun.id.desc()).limit(1)
            ).first()
            jobs.append({
                "id": job_id,
                "next_run": datetime.fromtimestamp(next_run, zone).isoformat() if next_run is not None else None,
                "last_run": last.ran_at.astimezone(zone).isoformat() if last else None,
                "last_result": (("ok: " if last.ok else "failed: ") + (last.result or "")) if last else None,
            })
    return jobs


class SchedulerLock:
    """Who runs the jobs: a PostgreSQL advisory lock held on its own connection, or on
    SQLite an exclusive lock on a file in the data folder. Released when the holder stops
    or dies (the lock lives only as long as its session or open file)."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.lock_file = data_dir / "scheduler.lock"
        self._connection = None
        self._file = None

    def try_acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect()
            if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar():
                connection.commit()
                self._connection = connection
                return True
            connection.close()
            return False
        handle = self.lock_file.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def still_held(self) -> bool:
        """Is the lock's session alive? (A database restart ends it, and a standby may lead.)"""
        if self._connection is None:
            return self._file is not None
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            return False

    def release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                # An advisory lock lives as long as its session, and a pooled connection
                # outlives close(): unlock first.
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                connection.commit()
                connection.close()
            except Exception:  # the session is gone, and its lock with it: never reuse that connection
                connection.invalidate()
        if self._file is not None:
            handle, self._file = self._file, None
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


class ScheduledJobs:
    """Runs the scheduler while this process holds the lock; stands by otherwise."""

    def __init__(self, settings: Settings, engine: Engine, sessions: sessionmaker[Session],
                 jobs: dict[str, Callable[[], object]] = JOBS, retry_s: float = STANDBY_RETRY_SECONDS) -> None:
        self.schedule = Schedule.load(settings.config_dir / "schedule.yml")
        self.lock = SchedulerLock(engine, settings.data_dir)
        self.engine = engine
        self.sessions = sessions
        self.jobs = jobs
        self.retry_s = retry_s
        self.scheduler: AsyncIOScheduler | None = None

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    async def run(self) -> None:
        """Stand by until this process holds the lock, then lead while it still does;
        a lost lock (the database restarted) means standing by again."""
        try:
            while True:
                try:
                    if await asyncio.to_thread(self.lock.try_acquire):
                        await self._lead()
                except asyncio.CancelledError:
                    raise
                except Exception:  # the database is away: keep trying
                    log.exception("the scheduler could not take or keep its lock; trying again")
                await self._stop()
                await asyncio.sleep(self.retry_s)
        finally:
            await self._stop()

    async def _lead(self) -> None:
        self.scheduler = start_scheduler(self.engine, self.schedule, self.sessions, self.jobs)
        log.info("this gateway runs the scheduled jobs")
        while await asyncio.to_thread(self.lock.still_held):
            await asyncio.sleep(self.retry_s)
        log.error("the scheduler's lock was lost; its jobs stop here until it is taken again")

    async def _stop(self) -> None:
        """Stop scheduling and let go of the lock. A job still running in its thread finishes;
        the jobs lock the rows they work on (FOR UPDATE SKIP LOCKED), so a new leader starting
        the same job meanwhile does not repeat its work."""
        if self.scheduler is not None:
            scheduler, self.scheduler = self.scheduler, None
            scheduler.shutdown(wait=False)
        await asyncio.to_thread(self.lock.release)
