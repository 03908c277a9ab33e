import multiprocessing
from datetime import datetime, timezone

import pytest

from referral.cases import NewCase, change_status, get_case, list_cases, next_ticket, open_case
from referral.lifecycle import IllegalTransition
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.helpers import fresh_postgres_database


def test_open_case_writes_ticket_and_first_event(sessions):
    when = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
    with unit_of_work(sessions) as session:
        case = open_case(session, NewCase(category="bullying", victim="anak"), actor="bot", now=when)
        assert case.ticket == "MPKS-2026-00001"
        assert (case.status, case.urgency) == ("new", "high")
    with unit_of_work(sessions) as session:
        stored = get_case(session, "mpks-2026-00001")
        assert [(e.kind, e.to_status, e.actor) for e in stored.events] == [("opened", "new", "bot")]


def test_sequence_restarts_each_year(sessions):
    with unit_of_work(sessions) as session:
        assert next_ticket(session, 2026) == "MPKS-2026-00001"
        assert next_ticket(session, 2026) == "MPKS-2026-00002"
        assert next_ticket(session, 2027) == "MPKS-2027-00001"


def test_a_rolled_back_ticket_is_never_reused_by_a_committed_case(sessions):
    with unit_of_work(sessions) as session:
        open_case(session, NewCase(category="aid"), actor="bot")
    with pytest.raises(RuntimeError):
        with unit_of_work(sessions) as session:
            open_case(session, NewCase(category="aid"), actor="bot")
            raise RuntimeError("crash")
    with unit_of_work(sessions) as session:
        third = open_case(session, NewCase(category="aid"), actor="bot")
        tickets = [c.ticket for c in list_cases(session)]
    assert len(set(tickets)) == len(tickets) == 2
    assert third.ticket.endswith("00002")  # the rolled-back number was released with its transaction


def test_status_changes_are_events_and_illegal_ones_are_refused(sessions):
    with unit_of_work(sessions) as session:
        case = open_case(session, NewCase(category="violence"), actor="bot")
        change_status(session, case, "referred", actor="officer:1", detail={"facility": "PSKM-1"})
        with pytest.raises(IllegalTransition):
            change_status(session, case, "in_progress", actor="officer:1")
        ticket = case.ticket
    with unit_of_work(sessions) as session:
        case = get_case(session, ticket)
        assert case.status == "referred"
        assert [(e.from_status, e.to_status) for e in case.events] == [(None, "new"), ("new", "referred")]


def _open_many(url: str, count: int, queue) -> None:
    import messaging.models  # noqa: F401  a spawned process: the app's whole schema, as bootstrap loads it
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    tickets = []
    for _ in range(count):
        with unit_of_work(sessions) as session:
            tickets.append(open_case(session, NewCase(category="aid"), actor="bot").ticket)
    engine.dispose()
    queue.put(tickets)


def test_eight_parallel_workers_never_share_a_ticket_on_postgres():
    with fresh_postgres_database() as url:
        from referral.storage import upgrade

        upgrade(make_engine(url))
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        workers = [context.Process(target=_open_many, args=(url, 25, queue)) for _ in range(8)]
        for worker in workers:
            worker.start()
        tickets = [ticket for _ in workers for ticket in queue.get(timeout=120)]
        for worker in workers:
            worker.join(timeout=30)
            assert worker.exitcode == 0
    assert len(tickets) == 200
    assert len(set(tickets)) == 200
