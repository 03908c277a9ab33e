"""The outbox under concurrency and slow answers, on the real database (SQLite and PostgreSQL)
and the real python-telegram-bot client against the fake Bot API: a reporter reads the bot's
replies in the order they were written, whichever flush sends them; a Telegram timeout is
`unknown` only when the request went out, and retried when it never left.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram.ext import ApplicationBuilder

from bot.channels.telegram import TelegramSender, build_application
from bot.gateway.outbox import Outbox, SendFailed
from messaging.models import Message
from messaging.statuses import MessageStatus
from messaging.store import URGENT, get_or_create_conversation, record_outbound
from referral.models import utcnow
from referral.storage import unit_of_work
from tests.integration.test_telegram import TOKEN, bot_api  # noqa: F401  (bot_api: a fixture)


def queue_replies(sessions, address: str, texts: list[str], urgent_last: bool = False) -> list[int]:
    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key="k", channel="telegram", address=address)
        ids = []
        for n, text in enumerate(texts):
            priority = URGENT if urgent_last and n == len(texts) - 1 else 0
            ids.append(record_outbound(session, conversation, text=text, status=MessageStatus.QUEUED, priority=priority).id)
    return ids


async def with_sender(bot_api, work, application=None):
    application = application or build_application(TOKEN, bot_api.url)
    await application.initialize()
    try:
        return await work(TelegramSender(application))
    finally:
        await application.shutdown()


def texts_to(bot_api, chat_id: str) -> list[str]:
    return [m["text"] for m in bot_api.sent if str(m["chat_id"]) == chat_id]


def test_two_flushes_at_once_keep_a_conversations_replies_in_order(sessions, bot_api):
    queue_replies(sessions, "9000000001", ["satu", "dua", "tiga", "empat"])
    bot_api.hang_next_send_s = 1.0  # the first reply is slow to go: the other flush must not overtake it

    async def two_flushes(sender):
        first = Outbox(sessions, {"telegram": sender})
        second = Outbox(sessions, {"telegram": sender})
        await asyncio.gather(first.flush(), second.flush())
        await first.flush()  # what waited goes on the next pass

    asyncio.run(with_sender(bot_api, two_flushes))
    assert texts_to(bot_api, "9000000001") == ["satu", "dua", "tiga", "empat"]


def test_an_ordinary_reply_waits_for_an_earlier_urgent_one_within_one_flush(sessions, bot_api):
    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key="k", channel="telegram", address="9000000002")
        record_outbound(session, conversation, text="nomor darurat", status=MessageStatus.QUEUED, priority=URGENT)
        record_outbound(session, conversation, text="di mana Anda sekarang?", status=MessageStatus.QUEUED)
    queue_replies(sessions, "9000000003", ["balasan lain"])

    async def one_flush(sender):
        return await Outbox(sessions, {"telegram": sender}).flush()

    assert asyncio.run(with_sender(bot_api, one_flush)) == 3
    assert texts_to(bot_api, "9000000002") == ["nomor darurat", "di mana Anda sekarang?"]


def test_the_hotline_numbers_never_wait_behind_an_ordinary_reply_in_backoff(sessions, bot_api):
    earlier, urgent = queue_replies(sessions, "9000000009", ["pertanyaan", "nomor darurat"], urgent_last=True)
    with unit_of_work(sessions) as session:  # Telegram said "not now" to the earlier reply
        session.get(Message, earlier).next_attempt_at = utcnow() + timedelta(seconds=30)

    async def one_flush(sender):
        return await Outbox(sessions, {"telegram": sender}).flush()

    assert asyncio.run(with_sender(bot_api, one_flush)) == 1
    assert texts_to(bot_api, "9000000009") == ["nomor darurat"]


def test_messages_to_one_staff_member_keep_their_order_too(sessions, bot_api):
    from messaging.store import queue_staff_message

    with unit_of_work(sessions) as session:
        for part in ("bagian 1/3", "bagian 2/3", "bagian 3/3"):
            queue_staff_message(session, channel="telegram", address="7000000001", text=part)
    bot_api.hang_next_send_s = 1.0

    async def two_flushes(sender):
        first, second = Outbox(sessions, {"telegram": sender}), Outbox(sessions, {"telegram": sender})
        await asyncio.gather(first.flush(), second.flush())
        await first.flush()

    asyncio.run(with_sender(bot_api, two_flushes))
    assert texts_to(bot_api, "7000000001") == ["bagian 1/3", "bagian 2/3", "bagian 3/3"]


def test_a_reply_held_by_a_send_blocks_only_its_own_conversation(sessions, bot_api):
    held, waiting = queue_replies(sessions, "9000000004", ["dikirim", "menunggu"])
    queue_replies(sessions, "9000000005", ["percakapan lain"])
    with unit_of_work(sessions) as session:  # another gateway is sending the first reply
        message = session.get(Message, held)
        message.status, message.locked_until = MessageStatus.SENDING, utcnow() + timedelta(seconds=120)

    async def one_flush(sender):
        return await Outbox(sessions, {"telegram": sender}).flush()

    assert asyncio.run(with_sender(bot_api, one_flush)) == 1
    assert texts_to(bot_api, "9000000005") == ["percakapan lain"]
    with unit_of_work(sessions) as session:
        assert session.get(Message, waiting).status == MessageStatus.QUEUED
        session.get(Message, held).status = MessageStatus.SENT
    assert asyncio.run(with_sender(bot_api, one_flush)) == 1
    assert texts_to(bot_api, "9000000004") == ["menunggu"]


def tight_application(bot_api, **timeouts):
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{bot_api.url}/bot").updater(None)
    for name, value in timeouts.items():
        builder = getattr(builder, name)(value)
    return builder.build()


def test_a_send_that_never_left_the_connection_pool_is_retried_not_unknown(sessions, bot_api):
    first, second = queue_replies(sessions, "9000000006", ["a"]) + queue_replies(sessions, "9000000007", ["b"])
    bot_api.hang_next_send_s = 1.5  # holds the one connection while the other send waits for it
    application = tight_application(bot_api, connection_pool_size=1, pool_timeout=0.2, read_timeout=5)

    async def two_sends(sender):
        with unit_of_work(sessions) as session:
            messages = [session.get(Message, first), session.get(Message, second)]
            session.expunge_all()
        return await asyncio.gather(*(sender.send(m.address or addr, m, None) for m, addr in
                                      zip(messages, ("9000000006", "9000000007"))), return_exceptions=True)

    results = asyncio.run(with_sender(bot_api, two_sends, application))
    failures = [r for r in results if isinstance(r, SendFailed)]
    assert len(failures) == 1, results
    assert failures[0].retryable and not failures[0].ambiguous
    assert "not reached" in str(failures[0])
    assert len(bot_api.sent) == 1  # the one that waited for the pool never reached Telegram


def test_a_send_that_went_out_and_got_no_answer_is_unknown(sessions, bot_api):
    queue_replies(sessions, "9000000008", ["mungkin sampai"])
    bot_api.hang_next_send_s = 1.0
    application = tight_application(bot_api, read_timeout=0.3)

    async def one_flush(sender):
        return await Outbox(sessions, {"telegram": sender}).flush()

    assert asyncio.run(with_sender(bot_api, one_flush, application)) == 0
    with unit_of_work(sessions) as session:
        statuses = [m.status for m in session.query(Message).filter(Message.direction == "out")]
    assert statuses == [MessageStatus.UNKNOWN]


@pytest.mark.parametrize("cause_name", ["ReadTimeout", "WriteTimeout"])
def test_only_pool_and_connect_timeouts_count_as_never_sent(cause_name):
    import httpx
    from telegram.error import TimedOut

    from bot.channels.telegram import never_left

    def timed_out(cause):
        try:
            try:
                raise cause
            except httpx.TimeoutException as error:
                raise TimedOut() from error
        except TimedOut as error:
            return error

    assert never_left(timed_out(httpx.PoolTimeout("pool")))
    assert never_left(timed_out(httpx.ConnectTimeout("connect")))
    assert not never_left(timed_out(getattr(httpx, cause_name)("late")))
