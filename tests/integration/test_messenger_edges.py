"""The messengers' odd cases on the real database (SQLite and PostgreSQL), through the real
python-telegram-bot client against the fake Bot API and the real WhatsApp webhook:
a group gets one notice and the bot leaves it; urgent messages leave the outbox first;
a NUL character is stripped, not the update lost; an update the database refused is
fetched again (polling does not acknowledge it) and stored once when the database is back.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from bot.channels.telegram import GROUP_NOTICE, TelegramSender, build_application
from bot.gateway.outbox import Outbox
from messaging.models import Message
from messaging.statuses import MessageStatus
from messaging.store import get_or_create_conversation, queue_staff_message, record_outbound
from referral.storage import make_engine, unit_of_work
from tests.fakes.servers import telegram_message
from tests.integration.test_telegram import TOKEN, bot_api, make_client, stored, wait_for  # noqa: F401  (bot_api: a fixture)
from tests.integration.test_whatsapp_webhook import client, graph, inbound, post, text_message, webhook  # noqa: F401  (fixtures)


def group_member_update(chat_id: int, bot_user: dict, old: str, new: str) -> dict:
    """Telegram's my_chat_member update: the bot's own membership of a group changed."""
    return {"my_chat_member": {
        "chat": {"id": chat_id, "type": "group", "title": "Grup"}, "from": {"id": 1, "is_bot": False, "first_name": "Admin"},
        "date": int(time.time()), "old_chat_member": {"user": bot_user, "status": old},
        "new_chat_member": {"user": bot_user, "status": new},
    }}


def test_a_group_gets_one_notice_and_the_bot_leaves_it(database_url, tmp_path, bot_api):
    with make_client(database_url, tmp_path, bot_api) as client:
        for message_id in (1, 2, 3):  # a busy group: every member writes
            bot_api.push({"message": telegram_message(-100777, message_id, chat_type="group", text=f"lapor kdrt {message_id}")})
        wait_for(lambda: bot_api.left_chats == [-100777])
        assert [s["text"] for s in bot_api.sent if s["chat_id"] == -100777] == [GROUP_NOTICE]
        # added to another group: said once, left at once; Telegram's news that it left changes nothing
        bot_api.push(group_member_update(-100888, bot_api.bot_user, "left", "member"))
        wait_for(lambda: bot_api.left_chats == [-100777, -100888])
        bot_api.push(group_member_update(-100888, bot_api.bot_user, "member", "left"))
        bot_api.push({"message": telegram_message(-100777, 4, chat_type="group", text="masih ada?")})  # a late one
        bot_api.push({"message": telegram_message(561, 1, text="halo")})  # a reporter, in private
        wait_for(lambda: any(s["chat_id"] == 561 for s in bot_api.sent))
        time.sleep(0.5)
        assert [s["chat_id"] for s in bot_api.sent if s["chat_id"] < 0] == [-100777, -100888]  # one notice each
        assert [m.address for m in stored(client) if m.direction == "in"] == [None]  # nothing of a group is stored
        assert [m.kind for m in stored(client) if m.conversation_id is None] == ["group_notice", "group_notice"]


def test_alerts_and_emergency_replies_leave_the_outbox_before_ordinary_messages(sessions, bot_api):
    from messaging.store import URGENT

    with unit_of_work(sessions) as session:
        reporter = get_or_create_conversation(session, secret_key="k", channel="telegram", address="601")
        in_danger = get_or_create_conversation(session, secret_key="k", channel="telegram", address="602")
        for n in range(3):
            record_outbound(session, reporter, text=f"biasa {n}", status=MessageStatus.QUEUED)
        queue_staff_message(session, channel="telegram", address="701", text="ringkasan mingguan")
        record_outbound(session, in_danger, text="nomor darurat", status=MessageStatus.QUEUED, priority=URGENT)
        queue_staff_message(session, channel="telegram", address="702", text="DARURAT", priority=URGENT)

    async def flush() -> None:
        application = build_application(TOKEN, bot_api.url)
        await application.initialize()
        try:
            await Outbox(sessions, {"telegram": TelegramSender(application)}).flush()
        finally:
            await application.shutdown()

    asyncio.run(flush())
    assert [s["text"] for s in bot_api.sent] == ["nomor darurat", "DARURAT", "biasa 0", "biasa 1", "biasa 2", "ringkasan mingguan"]


def test_a_nul_character_on_telegram_is_stripped_not_the_update_lost(database_url, tmp_path, bot_api):
    with make_client(database_url, tmp_path, bot_api) as client:
        bot_api.push({"message": telegram_message(562, 1, text="tolong\u0000 saya")})
        wait_for(lambda: any(m.direction == "in" for m in stored(client)))
        assert [m.text for m in stored(client) if m.direction == "in"] == ["tolong saya"]
        wait_for(lambda: len(bot_api.sent) == 1)  # and answered


def test_a_nul_character_on_whatsapp_is_stripped_not_the_message_lost(client):
    response = post(client, webhook(messages=[text_message("wamid.nul", "suami saya\u0000 mukul")]))
    assert response.status_code == 200
    assert [m.text for m in inbound(client)] == ["suami saya mukul"]


def refuse_messages(database_url: str, refuse: bool) -> None:
    """The database refuses every new message (a trigger), or takes them again."""
    engine = make_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if refuse and sqlite:
            connection.execute(text("CREATE TRIGGER refuse_messages BEFORE INSERT ON messages "
                                    "BEGIN SELECT RAISE(ABORT, 'the database is away'); END"))
        elif refuse:
            connection.execute(text("CREATE FUNCTION refuse_messages() RETURNS trigger AS $$ "
                                    "BEGIN RAISE EXCEPTION 'the database is away'; END $$ LANGUAGE plpgsql"))
            connection.execute(text("CREATE TRIGGER refuse_messages BEFORE INSERT ON messages "
                                    "FOR EACH ROW EXECUTE FUNCTION refuse_messages()"))
        else:
            connection.execute(text("DROP TRIGGER refuse_messages" + ("" if sqlite else " ON messages")))
    engine.dispose()


def test_polling_acknowledges_an_update_only_once_it_is_stored(database_url, tmp_path, bot_api):
    with make_client(database_url, tmp_path, bot_api, TELEGRAM_RETRY_MAX_SECONDS="1") as client:
        refuse_messages(database_url, True)
        first = bot_api.push({"message": telegram_message(563, 1, text="tolong, suami saya mukul")})
        second = bot_api.push({"message": telegram_message(563, 2, text="saya di Bantul")})
        asked = len(bot_api.offsets)
        wait_for(lambda: len(bot_api.offsets) >= asked + 3)  # fetched again and again
        assert max(bot_api.offsets) <= first  # never acknowledged: Telegram still holds both
        assert [m for m in stored(client) if m.direction == "in"] == []
        refuse_messages(database_url, False)  # the database is back
        wait_for(lambda: len([m for m in stored(client) if m.direction == "in"]) == 2)
        wait_for(lambda: second + 1 in bot_api.offsets)  # acknowledged now that both are stored
        wait_for(lambda: len(bot_api.sent) >= 1)
        time.sleep(1.5)  # any duplicate would have come by now
        assert [m.text for m in stored(client) if m.direction == "in"] == ["tolong, suami saya mukul", "saya di Bantul"]
        assert len({m.provider_message_id for m in stored(client) if m.direction == "in"}) == 2


def test_an_update_that_keeps_failing_is_given_up_its_sender_asked_to_write_again_and_health_says_so(
    database_url, tmp_path, bot_api
):
    with make_client(database_url, tmp_path, bot_api, TELEGRAM_RETRY_MAX_SECONDS="1") as client:
        channel = client.app_state["gateway"].telegram
        store_update = channel.store_update

        async def breaks_on_one(update):  # a bug meeting one odd update, not the database
            if update.effective_message and update.effective_message.text == "pesan yang memicu bug":
                raise RuntimeError("a bug")
            return await store_update(update)

        channel.store_update = breaks_on_one
        odd = bot_api.push({"message": telegram_message(564, 1, text="pesan yang memicu bug")})
        after = bot_api.push({"message": telegram_message(564, 2, text="suami saya mukul")})
        wait_for(lambda: after + 1 in bot_api.offsets, timeout=30)  # given up, so the next one goes on
        assert max(bot_api.offsets[:-1]) <= odd  # fetched again until given up, not acknowledged at once
        told = [m for m in bot_api.sent if m["chat_id"] == 564 and "tidak dapat kami proses" in m["text"]]
        assert len(told) == 1 and "112" in told[0]["text"]
        assert [m.text for m in stored(client) if m.direction == "in"] == ["suami saya mukul"]
        health = client.get("/healthz").json()
        assert health["telegram_updates_given_up"] == 1
        assert any("Telegram updates given up" in line for line in health["degraded"])
