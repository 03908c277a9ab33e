"""The durable inbox: claiming under a lease, order per conversation, retry timing, crash recovery."""

from datetime import timedelta

from messaging.queries import due_inbound, has_earlier_unanswered
from messaging.statuses import claim_inbound, release_stale, retry_delay_seconds
from messaging.store import Inbound, get_or_create_conversation, record_inbound
from messaging.models import Message
from referral.models import utcnow
from referral.storage import unit_of_work


def store(sessions, address: str, text: str) -> int:
    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key="k", channel="webchat", address=address)
        message, _ = record_inbound(session, conversation, Inbound(kind="text", text=text))
        return message.id


def test_only_one_holder_can_claim_a_message(sessions):
    message_id = store(sessions, "a", "halo")
    with unit_of_work(sessions) as session:
        assert claim_inbound(session, message_id, lease_seconds=60)
    with unit_of_work(sessions) as session:
        assert not claim_inbound(session, message_id, lease_seconds=60)
        assert session.get(Message, message_id).status == "processing"


def test_the_oldest_waiting_message_of_each_conversation_goes_first(sessions):
    first = store(sessions, "a", "satu")
    second = store(sessions, "a", "dua")
    other = store(sessions, "b", "tiga")
    with unit_of_work(sessions) as session:
        assert due_inbound(session) == [first, other]
        assert has_earlier_unanswered(session, session.get(Message, second))
        session.get(Message, first).status = "answered"
    with unit_of_work(sessions) as session:
        assert due_inbound(session) == [second, other]


def test_a_pending_message_waits_for_its_retry_time(sessions):
    message_id = store(sessions, "a", "halo")
    now = utcnow()
    with unit_of_work(sessions) as session:
        message = session.get(Message, message_id)
        message.status, message.next_attempt_at = "pending", now + timedelta(seconds=30)
    with unit_of_work(sessions) as session:
        assert due_inbound(session, now=now) == []
        assert due_inbound(session, now=now + timedelta(seconds=31)) == [message_id]


def test_a_message_left_mid_processing_by_a_crash_is_queued_again(sessions):
    message_id = store(sessions, "a", "halo")
    with unit_of_work(sessions) as session:
        claim_inbound(session, message_id, lease_seconds=60)
    with unit_of_work(sessions) as session:
        assert release_stale(session) == 0  # the lease still runs
        assert release_stale(session, now=utcnow() + timedelta(seconds=61)) == 1
        assert session.get(Message, message_id).status == "pending"
    with unit_of_work(sessions) as session:
        assert claim_inbound(session, message_id, lease_seconds=60)


def test_backoff_doubles_and_is_capped():
    assert [retry_delay_seconds(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert retry_delay_seconds(30) == 300
