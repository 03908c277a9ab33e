"""The conversation service and the outbox on their own, with in-process fakes of the
Rasa client and of a channel's sender (the real database; SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.gateway.conversation import RECHECK_AFTER_TIMEOUT_SECONDS, ConversationService
from bot.gateway.engine_client import EngineUnavailable
from bot.gateway.outbox import Outbox, SendFailed
from messaging.models import Message
from messaging.statuses import MessageStatus
from messaging.store import Inbound
from referral.models import utcnow
from referral.storage import unit_of_work
from tests.helpers import Clock

KEY = "k" * 32


class FakeEngine:
    """Answers like Rasa's REST channel, or fails the way it is told to."""

    def __init__(self, replies=None, failures=()):
        self.replies = replies or [{"text": "Halo, ada yang bisa kami bantu?"}]
        self.failures = list(failures)  # EngineUnavailable to raise, one per call, before answering
        self.sent: list[tuple[str, str, dict]] = []
        self.tracker_reads = 0
        self.answered_before: list[dict] | None = None
        self.parsed: list[str] = []  # texts read by the NLU alone (a takeover's emergency check)

    async def actions_down(self):  # the action server's health is not this double's business
        return False

    async def parse(self, text):
        self.parsed.append(text)
        return {"intent": {"name": "report_violence", "confidence": 0.9}, "triage": {"route": "report"}}

    async def send(self, sender_id, text, metadata):
        self.sent.append((sender_id, text, metadata))
        if self.failures:
            raise self.failures.pop(0)
        return self.replies

    async def replies_already_given(self, sender_id, message_id):
        self.tracker_reads += 1
        return self.answered_before


class FakeSender:
    def __init__(self, outcomes):
        self.outcomes = list(outcomes)  # a provider id to return, or a SendFailed to raise
        self.calls = 0
        self.addresses: list[str] = []

    async def send(self, address, message, conversation):
        self.calls += 1
        self.addresses.append(address)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def service(sessions, engine, **options) -> ConversationService:
    return ConversationService(sessions, engine, KEY, **options)


def stored(sessions, direction: str) -> list[Message]:
    with unit_of_work(sessions) as session:
        return list(session.query(Message).filter(Message.direction == direction).order_by(Message.id))


def test_a_text_goes_to_rasa_once_and_its_replies_are_stored_with_the_status(sessions):
    engine = FakeEngine()
    conversations = service(sessions, engine)
    answer = asyncio.run(conversations.handle("webchat", "a" * 24, Inbound(kind="text", text="assalamualaikum")))
    assert [reply.text for reply in answer] == ["Halo, ada yang bisa kami bantu?"]
    [(sender, text, metadata)] = engine.sent
    assert sender.startswith("wc-") and text == "assalamualaikum" and metadata["channel"] == "webchat"
    [inbound] = stored(sessions, "in")
    assert (inbound.status, inbound.attempts, inbound.lease_token) == (MessageStatus.ANSWERED, 1, None)
    assert [m.text for m in stored(sessions, "out")] == ["Halo, ada yang bisa kami bantu?"]


def test_rasa_down_keeps_the_message_pending_and_a_retry_reads_the_tracker_first(sessions):
    engine = FakeEngine(failures=[EngineUnavailable("down")])
    conversations = service(sessions, engine, ack_after_s=15)
    assert asyncio.run(conversations.handle("webchat", "b" * 24, Inbound(kind="text", text="halo"))) == []
    [inbound] = stored(sessions, "in")
    assert inbound.status == MessageStatus.PENDING and inbound.next_attempt_at > utcnow()
    engine.answered_before = [{"text": "jawaban yang sudah diberikan", "buttons": []}]
    asyncio.run(conversations.process(inbound.id))
    assert engine.tracker_reads == 1 and len(engine.sent) == 1  # recovered, not asked again
    assert [m.text for m in stored(sessions, "out")] == ["jawaban yang sudah diberikan"]


def test_a_timeout_after_sending_waits_before_looking_again(sessions):
    engine = FakeEngine(failures=[EngineUnavailable("read timeout", maybe_processing=True)])
    conversations = service(sessions, engine, ack_after_s=15)
    asyncio.run(conversations.handle("webchat", "c" * 24, Inbound(kind="text", text="halo")))
    [inbound] = stored(sessions, "in")
    wait = (inbound.next_attempt_at - utcnow()).total_seconds()
    assert RECHECK_AFTER_TIMEOUT_SECONDS - 5 < wait <= RECHECK_AFTER_TIMEOUT_SECONDS


def test_while_an_officer_has_taken_over_the_bot_stays_silent_and_keeps_the_message(sessions):
    from messaging.models import Conversation

    engine = FakeEngine()
    conversations = service(sessions, engine)
    asyncio.run(conversations.handle("webchat", "o" * 24, Inbound(kind="text", text="halo")))
    with unit_of_work(sessions) as session:
        session.query(Conversation).one().handled_by = "officer"
    answer = asyncio.run(conversations.handle("webchat", "o" * 24, Inbound(kind="text", text="pak, anak saya belum pulang")))
    assert answer == [] and len(engine.sent) == 1  # only the first message went to Rasa
    assert engine.parsed == ["pak, anak saya belum pulang"]  # but its NLU read it for danger
    assert [m.status for m in stored(sessions, "in")] == [MessageStatus.ANSWERED, MessageStatus.FOR_OFFICER]


def test_media_and_overlong_text_are_answered_without_rasa(sessions):
    engine = FakeEngine()
    conversations = service(sessions, engine, max_message_chars=10)
    photo = asyncio.run(conversations.handle("webchat", "d" * 24, Inbound(kind="media", payload={"type": "photo"})))
    long = asyncio.run(conversations.handle("webchat", "d" * 24, Inbound(kind="text", text="tolong " * 5)))
    assert "kiriman Anda sudah kami simpan" in photo[0].text
    assert "terlalu panjang" in long[0].text
    assert engine.sent == []
    assert [m.status for m in stored(sessions, "in")] == [MessageStatus.ANSWERED, MessageStatus.TOO_LONG]


def test_the_reporters_language_is_remembered_and_used_for_what_says_none(sessions):
    from messaging.models import Reporter

    conversations = service(sessions, FakeEngine())
    asyncio.run(conversations.handle("webchat", "e" * 24, Inbound(kind="text", text="my neighbour beats his children every night")))
    with unit_of_work(sessions) as session:
        assert session.query(Reporter).one().language == "en"
    asyncio.run(conversations.handle("webchat", "j" * 24, Inbound(kind="text", text="bapakku ora gelem ngurus simbah")))
    with unit_of_work(sessions) as session:
        javanese = session.query(Reporter).filter(Reporter.regional_language.is_not(None)).one()
        assert (javanese.regional_language, javanese.language) == ("jv", "id")  # answered in Indonesian, counted as Javanese
    # a photo says nothing of its language: the answer is in the language they last wrote in
    photo = asyncio.run(conversations.handle("webchat", "e" * 24, Inbound(kind="media", payload={"type": "photo"})))
    assert photo[0].text.startswith("Thank you, we have saved what you sent")
    assert "only understand written messages and locations" in photo[0].text


# -- the outbox ---------------------------------------------------------------------------


def queued_reply(sessions) -> int:
    from messaging.store import get_or_create_conversation, record_outbound

    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key=KEY, channel="telegram", address="555")
        return record_outbound(session, conversation, text="Laporan tercatat.", status=MessageStatus.QUEUED).id


def reply(sessions, message_id) -> Message:
    with unit_of_work(sessions) as session:
        return session.get(Message, message_id)


def test_the_outbox_sends_and_records_the_provider_id(sessions):
    sender = FakeSender(["555:1001"])
    message_id = queued_reply(sessions)
    assert asyncio.run(Outbox(sessions, {"telegram": sender}).flush()) == 1
    sent = reply(sessions, message_id)
    assert (sent.status, sent.provider_message_id, sender.calls) == (MessageStatus.SENT, "555:1001", 1)
    assert sender.addresses == ["555"]  # the reporter's conversation's address


def test_a_message_to_staff_goes_to_its_own_address_and_is_retried_like_a_reply(sessions):
    from messaging.store import queue_staff_message

    with unit_of_work(sessions) as session:
        message_id = queue_staff_message(session, channel="telegram", address="-100777", text="Kasus baru").id
    clock = Clock()
    sender = FakeSender([SendFailed("503", retryable=True), "-100777:5"])
    outbox = Outbox(sessions, {"telegram": sender}, clock)
    assert asyncio.run(outbox.flush()) == 0
    assert reply(sessions, message_id).status == MessageStatus.QUEUED
    assert asyncio.run(outbox.flush()) == 0  # its retry time has not come
    clock.advance(60)
    assert asyncio.run(outbox.flush()) == 1
    assert sender.addresses == ["-100777", "-100777"]
    assert (reply(sessions, message_id).status, reply(sessions, message_id).conversation_id) == (MessageStatus.SENT, None)


def test_the_outbox_retries_only_what_may_be_retried(sessions):
    cases = {
        "busy": (SendFailed("429", retryable=True), MessageStatus.QUEUED),
        "refused": (SendFailed("400", retryable=False), MessageStatus.FAILED),
        "maybe delivered": (SendFailed("timeout", retryable=False, ambiguous=True), MessageStatus.UNKNOWN),
    }
    for failure, expected in cases.values():
        message_id = queued_reply(sessions)
        asyncio.run(Outbox(sessions, {"telegram": FakeSender([failure])}).flush())
        assert reply(sessions, message_id).status == expected
        with unit_of_work(sessions) as session:  # out of the way of the next case
            session.get(Message, message_id).status = MessageStatus.SENT


def test_five_busy_answers_give_up(sessions):
    message_id = queued_reply(sessions)
    sender = FakeSender([SendFailed("503", retryable=True)] * 5)
    clock = Clock()
    outbox = Outbox(sessions, {"telegram": sender}, clock)
    for _ in range(5):
        asyncio.run(outbox.flush())
        clock.advance(600)  # past any backoff
    assert sender.calls == 5
    assert (reply(sessions, message_id).status, reply(sessions, message_id).attempts) == (MessageStatus.FAILED, 5)
