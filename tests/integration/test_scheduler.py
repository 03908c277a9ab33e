"""The scheduled jobs on the real database (SQLite and PostgreSQL): the digest's hour is
Western Indonesia Time, a run missed while the gateway was down happens once, and of two
gateways on one database only one runs the jobs."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wiring.bootstrap import connect
from bot.cli.main import main
from wiring.schedule_models import JobRun
from bot.duties.scheduler import JOBS, STANDBY_RETRY_SECONDS, Schedule, ScheduledJobs, SchedulerLock, start_scheduler
from wiring.settings import Settings
from referral.storage import unit_of_work

RUNS: list[str] = []


def count_run() -> str:
    """A job for these tests: module-level, so the job store can name it."""
    RUNS.append("ran")
    return "counted"


def settings_for(database_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url})


def test_the_weekly_digest_fires_at_seven_on_monday_western_indonesia_time():
    schedule = Schedule.load(Path("config/schedule.yml"))
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    fire = schedule.trigger("weekly_digest").get_next_fire_time(None, saturday)
    assert fire.astimezone(timezone.utc) == datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)  # 07:00 WIB, not 07:00 UTC
    assert (fire.weekday(), fire.hour) == (0, 7)
    assert set(schedule.crons) <= set(JOBS)  # every configured job is a job the code knows


def test_a_malformed_schedule_is_refused_with_the_job_named(tmp_path):
    path = tmp_path / "schedule.yml"
    path.write_text("jobs:\n  weekly_digest: '0 7 * * funday'\n")
    with pytest.raises(ValueError, match="weekly_digest"):
        Schedule.load(path)


async def _gateway_running(database_url: str, tmp_path: Path, *, then_down_past_seven: bool = False) -> None:
    """A gateway's scheduler started on the stored jobs and run briefly; optionally, before
    it stops, the clock of its weekly job is put back as if the gateway then stayed down
    past Monday 07:00 (the stored next run is in the past when the next gateway starts)."""
    settings = settings_for(database_url, tmp_path)
    database = connect(settings)
    try:
        schedule = Schedule(Schedule.load(Path("config/schedule.yml")).timezone, {"weekly_digest": "0 7 * * mon"})
        scheduler = start_scheduler(database.engine, schedule, database.sessions, {"weekly_digest": count_run})
        for _ in range(20):
            await asyncio.sleep(0.1)
            if RUNS:
                await asyncio.sleep(0.3)  # time for a second run, if there were one
                break
        if then_down_past_seven:
            scheduler.pause()
            scheduler.modify_job("weekly_digest", next_run_time=datetime.now(timezone.utc) - timedelta(hours=2))
        else:
            assert scheduler.get_job("weekly_digest").next_run_time > datetime.now(timezone.utc)  # next Monday
        scheduler.shutdown(wait=True)
    finally:
        database.dispose()


def test_a_digest_missed_while_down_runs_once_on_restart_and_is_recorded(database_url, tmp_path, capsys, monkeypatch):
    RUNS.clear()
    asyncio.run(_gateway_running(database_url, tmp_path, then_down_past_seven=True))  # down over Monday 07:00
    assert RUNS == []
    asyncio.run(_gateway_running(database_url, tmp_path))  # back: the missed digest runs, once
    assert RUNS == ["ran"]
    asyncio.run(_gateway_running(database_url, tmp_path))  # restarted again: nothing due
    assert RUNS == ["ran"]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    assert main(["jobs", "list", "--json"]) == 0
    [job] = json.loads(capsys.readouterr().out)["jobs"]
    assert job["id"] == "weekly_digest" and job["next_run"] and job["last_result"] == "ok: counted"


def test_a_job_no_longer_configured_is_removed_and_a_changed_schedule_replaces_the_stored_one(database_url, tmp_path):
    settings = settings_for(database_url, tmp_path)
    database = connect(settings)
    zone = Schedule.load(Path("config/schedule.yml")).timezone

    async def start(crons: dict) -> dict:
        scheduler = start_scheduler(database.engine, Schedule(zone, crons), database.sessions, {"weekly_digest": count_run, "retention": count_run})
        jobs = {job.id: repr(job.trigger) for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
        return jobs

    try:
        assert set(asyncio.run(start({"weekly_digest": "0 7 * * mon", "retention": "30 2 * * *"}))) == {"weekly_digest", "retention"}
        jobs = asyncio.run(start({"weekly_digest": "0 8 * * mon"}))
        assert list(jobs) == ["weekly_digest"] and "hour='8'" in jobs["weekly_digest"]
    finally:
        database.dispose()


def test_of_two_gateways_on_one_database_only_one_runs_the_jobs(database_url, tmp_path):
    settings = settings_for(database_url, tmp_path)
    first, second = connect(settings), connect(settings)
    try:
        one, other = SchedulerLock(first.engine, tmp_path), SchedulerLock(second.engine, tmp_path)
        assert one.try_acquire() is True
        assert other.try_acquire() is False  # stands by
        one.release()  # the leader stops (or dies: its connection or file closes)
        assert other.try_acquire() is True  # the standby takes over on its next try
        other.release()
    finally:
        first.dispose()
        second.dispose()
    assert STANDBY_RETRY_SECONDS <= 60  # so a standby takes over within a minute


def test_two_scheduled_jobs_runners_run_a_due_job_once(database_url, tmp_path):
    RUNS.clear()
    settings = settings_for(database_url, tmp_path)

    async def both() -> tuple[bool, bool]:
        databases = [connect(settings), connect(settings)]
        runners = [ScheduledJobs(settings, db.engine, db.sessions, jobs={"weekly_digest": count_run}, retry_s=0.2) for db in databases]
        tasks = [asyncio.create_task(runner.run()) for runner in runners]
        for _ in range(50):
            await asyncio.sleep(0.1)
            if any(runner.leading for runner in runners):
                break
        leader = next(runner for runner in runners if runner.leading)
        leader.scheduler.modify_job("weekly_digest", next_run_time=datetime.now(timezone.utc))
        await asyncio.sleep(1.0)
        leading = tuple(runner.leading for runner in runners)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for db in databases:
            db.dispose()
        return leading

    leading = asyncio.run(both())
    assert sorted(leading) == [False, True]
    assert RUNS == ["ran"]
    database = connect(settings)
    with unit_of_work(database.sessions) as session:
        assert [run.result for run in session.query(JobRun).all()] == ["counted"]
    database.dispose()


def test_the_weekly_digest_job_writes_last_weeks_report(database_url, tmp_path, monkeypatch):
    from bot.duties.scheduler import weekly_digest
    from referral.digest import Week
    from referral.models import utcnow

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    last_week = Week.containing(utcnow()).previous()
    assert weekly_digest() == f"{last_week}: 0 case(s), 0 message(s) queued"
    assert (tmp_path / "reports" / str(last_week) / "digest.html").exists()
