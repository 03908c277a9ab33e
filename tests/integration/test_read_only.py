"""read_only(): a session for a monitor's figures that never waits behind a writer on SQLite."""

import threading

from sqlalchemy import func, select

from messaging.models import Message
from referral.storage import make_engine, make_session_factory, read_only, unit_of_work


def test_a_read_only_session_reads_while_a_writer_holds_the_lock(database_url):
    sessions = make_session_factory(make_engine(database_url))
    with unit_of_work(sessions) as writer:
        writer.execute(select(func.count(Message.id)))  # on SQLite BEGIN IMMEDIATE: the write lock is held from here
        counted: list[int] = []

        def read() -> None:
            with read_only(sessions) as session:
                counted.append(session.scalar(select(func.count(Message.id))))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout=5)  # a unit of work would wait up to 30 s here for the lock
        assert counted == [0]
