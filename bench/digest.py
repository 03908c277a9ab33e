"""Digest benchmark: the weekly digest's queries over 1,000,000 cases on PostgreSQL.

Seeds a fresh database in SQL (generate_series, not row by row): two years of cases with
their opening, acceptance and closing events, one referral each, the message that opened
each case and the bot's answer, 200 facilities and 50,000 reporters. Then builds the
digest of one full week in the middle (this week and the one before, the backlog and the
facility figures) a few times. Prints one JSON line: seeding seconds, the digest's
seconds (median of the runs) and the indexes its queries use. Target: digest ≤ 5 s.
    .venv/bin/python bench/digest.py [--cases N] [--runs N]
Needs PostgreSQL (BENCH_POSTGRES_URL, default the local `test` database's server); the
database it creates is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg

import wiring.schedule_models  # noqa: F401  the app's whole schema
import messaging.models  # noqa: F401
from bot.duties.digest import build_digest
from referral.digest import Week
from referral.storage import make_engine, make_session_factory, unit_of_work, upgrade

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
START = datetime(2025, 1, 6, tzinfo=timezone.utc)  # a Monday
SPAN_DAYS = 730

SEED = """
INSERT INTO facilities (code, name, kind, services, latitude, longitude, province_code, regency_code, active, updated_at)
SELECT 'F' || i, 'Layanan ' || i, (ARRAY['PSKM','AUMSOS','PARTNER'])[1 + i %% 3], 'konseling;santunan',
       -7.8 + i * 0.001, 110.4, '34', '34.0' || (1 + i %% 5), true, now()
FROM generate_series(1, 200) AS i;

INSERT INTO reporters (channel, pseudonym, language, created_at)
SELECT (ARRAY['webchat','telegram','whatsapp'])[1 + i %% 3], md5(i::text), CASE WHEN i %% 20 = 0 THEN 'en' ELSE 'id' END, %(start)s
FROM generate_series(1, 50000) AS i;

INSERT INTO conversations (reporter_id, channel, engine_sender_id, channel_address, handled_by, created_at)
SELECT id, channel, 'bench-' || id, NULL, 'bot', created_at FROM reporters;

CREATE TEMP TABLE seed_cases AS
SELECT i, %(start)s::timestamptz + (i::float / %(cases)s) * interval '%(span)s days' AS at, 1 + i %% 50000 AS conversation_id
FROM generate_series(1, %(cases)s) AS i;

INSERT INTO messages (conversation_id, direction, channel, kind, text, status, attempts, created_at, updated_at, provider_message_id)
SELECT conversation_id, 'in', 'webchat', 'text', NULL, 'answered', 1, at, at, 'in-' || i FROM seed_cases;
INSERT INTO messages (conversation_id, direction, channel, kind, text, status, attempts, in_reply_to_id, created_at, updated_at)
SELECT m.conversation_id, 'out', 'webchat', 'text', NULL, 'sent', 0, m.id, m.created_at + interval '3 seconds', m.created_at
FROM messages m WHERE m.direction = 'in';

INSERT INTO cases (ticket, category, is_emergency, urgency, status, victim, reporter_id, conversation_id, source_message_id,
                   province_code, regency_code, consent_contact, created_at, updated_at)
SELECT 'MPKS-B-' || s.i, (ARRAY['violence','bullying','elderly_care','aid'])[1 + s.i %% 4], s.i %% 97 = 0,
       CASE WHEN s.i %% 97 = 0 THEN 'emergency' WHEN s.i %% 3 = 0 THEN 'high' ELSE 'normal' END,
       CASE WHEN s.at < %(closed_before)s THEN 'closed' ELSE (ARRAY['new','referred','accepted','in_progress'])[1 + s.i %% 4] END,
       'anak', s.conversation_id, s.conversation_id, m.id, '34', '34.0' || (1 + s.i %% 5), false, s.at, s.at
FROM seed_cases s JOIN messages m ON m.provider_message_id = 'in-' || s.i;

INSERT INTO case_events (case_id, at, actor, kind, to_status)
SELECT id, created_at, 'bot', 'opened', 'new' FROM cases;
INSERT INTO case_events (case_id, at, actor, kind, from_status, to_status)
SELECT id, created_at + interval '5 hours', 'F1', 'status', 'referred', 'accepted' FROM cases WHERE id %% 2 = 0;
INSERT INTO case_events (case_id, at, actor, kind, from_status, to_status)
SELECT id, created_at + interval '3 days', 'officer:1', 'status', 'in_progress', 'closed' FROM cases WHERE status = 'closed';

INSERT INTO referrals (case_id, facility_id, status, distance_km, sent_at, responded_at)
SELECT c.id, 1 + c.id %% 200, CASE WHEN c.id %% 2 = 0 THEN 'accepted' WHEN c.id %% 7 = 0 THEN 'declined' ELSE 'sent' END, 3.5,
       c.created_at, CASE WHEN c.id %% 2 = 0 THEN c.created_at + interval '5 hours' END
FROM cases c;
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    name = f"helpline_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        closed_before = START + timedelta(days=SPAN_DAYS - 60)
        with psycopg.connect(url) as connection:  # client-side binding: one script of many statements
            psycopg.ClientCursor(connection).execute(
                SEED, {"start": START, "cases": args.cases, "span": SPAN_DAYS, "closed_before": closed_before}
            )
        seed_s = time.perf_counter() - started
        week = Week.containing(START + timedelta(days=SPAN_DAYS // 2))
        now = START + timedelta(days=SPAN_DAYS)
        sessions = make_session_factory(engine)
        timings, opened = [], 0
        for _ in range(args.runs):
            begun = time.perf_counter()
            with unit_of_work(sessions) as session:
                digest = build_digest(session, week, now, ack_after_s=15)
            timings.append(time.perf_counter() - begun)
            opened = digest.this["cases"]["opened"]
        print(json.dumps({
            "benchmark": "digest",
            "cases": args.cases,
            "week": str(week),
            "week_cases": opened,
            "open_cases": digest.this["backlog"]["open"],
            "seed_s": round(seed_s, 1),
            "digest_s_median": round(statistics.median(timings), 3),
            "digest_s_max": round(max(timings), 3),
            "target_s": 5,
            "indexes": ["ix_cases_created_at", "ix_cases_status", "ix_case_events_case_id", "ix_referrals_sent_at",
                        "ix_messages_created_at", "ix_messages_in_reply_to_id"],
        }))
    finally:
        engine.dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
