"""During a takeover (issue 21, items 5-9): danger is still read, an officer's words reach
only the reporter they chose, no message is lost at the edges of a takeover, rights end
with it, and long, edited or imitating reporter messages reach the officer intact.

The real conversation service, officers' desk and alerts on SQLite and PostgreSQL; Rasa
is a fake HTTP server (tests/fakes/servers.py) whose parse endpoint reads danger with the
project's real safety-net rules, reached through the real EngineClient."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from sqlalchemy import select

from bot.duties.alerts import OfficerAlerts
from bot.gateway.conversation import ConversationService
from bot.gateway.engine_client import EngineClient
from bot.desk.telegram_desk import OfficerDesk, OfficerInput
from wiring.officer_settings import AlertTimes
from messaging.models import Conversation, Message
from messaging.statuses import MessageStatus
from messaging.store import Inbound, get_or_create_conversation
from referral.cases import NewCase, open_case
from referral.models import Case, CaseAlert, CaseEvent, Officer
from referral.officers import add_officer, issue_link_code, redeem_link_code
from referral.routing_cache import RoutingCache
from referral.storage import unit_of_work
from tests.fakes.servers import FakeRasa, serve
from tests.helpers import PROJECT_ROOT, web_sender

KEY = "takeover-safety-key-" + "x" * 32
TOKEN = "engine-token-for-tests"
DANGER = "dia datang lagi bawa golok, mau bunuh saya sekarang"  # the safety net fires on it for certain
TELEGRAM_LIMIT = 4096  # a message's length in UTF-16 code units, as Telegram counts it
_ids = itertools.count(1)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def rasa():
    fake = FakeRasa(TOKEN)
    with serve(fake.app) as url:
        fake.url = url
        yield fake


@pytest.fixture
def engine(rasa):
    # No kept-alive connections: each asyncio.run below has its own event loop.
    return EngineClient(rasa.url, httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0)), token=TOKEN)


@pytest.fixture
def conversations(sessions, engine, clock):
    return ConversationService(sessions, engine, KEY, clock=clock)


@pytest.fixture
def desk(sessions, engine, clock, gazetteer):
    routing = RoutingCache(PROJECT_ROOT / "config" / "routing.yml")
    routing._gazetteer = gazetteer
    return OfficerDesk(sessions, engine, KEY, routing, clock)


@pytest.fixture
def alerts(sessions, clock):
    return OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(emergency_repeat_s=300, emergency_escalate_s=900))


def staff(sessions, clock, name: str, chat: str, regions=("34",), role="officer") -> int:
    """A linked officer, on duty for a day."""
    with unit_of_work(sessions) as session:
        officer = add_officer(session, name, role, list(regions))
        code, _ = issue_link_code(session, officer, KEY)
        redeem_link_code(session, code, chat, KEY)
        officer.duty_override, officer.duty_override_until = "on", clock.now.replace(year=clock.now.year + 1)
        return officer.id


def reporter(sessions, *, province="34", regency="34.04") -> tuple[str, int, str]:
    """A web chat reporter whose report in Sleman is open: (address, conversation id, ticket)."""
    address = web_sender(f"takeover-{next(_ids)}")
    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=address)
        case = open_case(session, NewCase(category="violence", conversation_id=conversation.id,
                                          description="suami saya sering memukul"), actor="bot")
        case.province_code, case.regency_code = province, regency
        return address, conversation.id, case.ticket


def write(conversations, address: str, text: str, **payload) -> list[str]:
    inbound = Inbound(kind="text", text=text, payload=payload or None, provider_message_id=f"w{next(_ids)}")
    return [reply.text for reply in asyncio.run(conversations.handle("webchat", address, inbound))]


def officer_says(desk, chat: str, text: str, **extra) -> None:
    desk._receive(OfficerInput(chat, f"{chat}:{next(_ids)}", extra.pop("kind", "text"), text=text, **extra))


def take(desk, chat: str, conversation_id: int) -> None:
    desk._receive(OfficerInput(chat, f"cb:{next(_ids)}", "button", button=f"take:{conversation_id}"))


def inbox(sessions, chat: str) -> list[Message]:
    with unit_of_work(sessions) as session:
        return list(session.scalars(
            select(Message).where(Message.conversation_id.is_(None), Message.direction == "out", Message.address == chat)
            .order_by(Message.id)
        ))


def said(sessions, chat: str) -> str:
    return "\n---\n".join(m.text or "" for m in inbox(sessions, chat))


def to_reporter(sessions, conversation_id: int) -> list[str]:
    with unit_of_work(sessions) as session:
        return [m.text for m in session.scalars(
            select(Message).where(Message.conversation_id == conversation_id, Message.direction == "out").order_by(Message.id)
        )]


def quoted_part(message: Message) -> str:
    """The part of a staff message that its blockquote entity covers (the reporter's words)."""
    [quote] = [e for e in message.payload["entities"] if e["type"] == "blockquote"]
    units = message.text.encode("utf-16-le")
    return units[2 * quote["offset"]: 2 * (quote["offset"] + quote["length"])].decode("utf-16-le")


# -- item 5: danger is read during a takeover -------------------------------------------


def test_danger_during_a_takeover_gets_the_hotlines_an_emergency_case_and_alerts_until_the_officer_answers(
    sessions, clock, rasa, conversations, desk, alerts
):
    staff(sessions, clock, "Ani Yogya", "101")
    staff(sessions, clock, "Dewi Yogya", "104")
    address, conversation_id, ticket = reporter(sessions)
    take(desk, "101", conversation_id)
    clock.advance(60)

    answer = write(conversations, address, DANGER)

    assert rasa.runs == [] and rasa.parsed == [DANGER]  # read by the NLU alone: no dialogue turn
    assert "Keselamatan Anda yang utama" in answer[0] and "112" in answer[0] and "110" in answer[0]
    with unit_of_work(sessions) as session:
        case = session.scalar(select(Case).where(Case.conversation_id == conversation_id, Case.is_emergency.is_(True)))
        assert case is not None and "golok" in case.description and case.ticket != ticket
        emergency = case.ticket
        assert session.scalar(select(CaseAlert).where(CaseAlert.case_id == case.id, CaseAlert.reason == "emergency")) is not None
        assert session.scalar(select(Message).where(Message.text == DANGER)).status == MessageStatus.FOR_OFFICER
    assert emergency in answer[1]  # the reporter has the ticket, as on the bot's own emergency path
    relayed = inbox(sessions, "101")[-1]
    assert relayed.text.startswith(f"🚨 TANDA BAHAYA, {emergency}") and relayed.payload["urgent"]
    assert quoted_part(relayed) == DANGER and f"Kasus darurat {emergency} tercatat" in relayed.text

    alerts.queue_case_alerts()
    alert = inbox(sessions, "104")[-1].text
    assert "🚨 DARURAT" in alert and emergency in alert and "Dipegang Ani Yogya" in alert and "golok" not in alert
    clock.advance(301)
    alerts.repeat_emergencies()
    assert "DARURAT belum dijawab" in inbox(sessions, "104")[-1].text and "pengingat ke-1" in inbox(sessions, "104")[-1].text

    officer_says(desk, "101", "Ibu, keluar lewat pintu belakang sekarang. Polisi sedang kami hubungi.")
    assert f"✓ Terkirim ke pelapor {emergency}" in said(sessions, "101")
    heard = len(inbox(sessions, "104"))
    clock.advance(900)
    alerts.repeat_emergencies()
    assert len(inbox(sessions, "104")) == heard  # answered: no more repeats


def test_further_danger_is_added_to_the_open_emergency_and_an_unreadable_message_still_reaches_the_officer(
    sessions, clock, rasa, conversations, desk, alerts
):
    staff(sessions, clock, "Ani Yogya", "101")
    address, conversation_id, _ = reporter(sessions)
    take(desk, "101", conversation_id)
    clock.advance(60)
    write(conversations, address, DANGER)
    clock.advance(60)
    again = write(conversations, address, "tolong dia dobrak pintu kamar, bawa pisau mau bunuh saya")
    assert "112" in again[0] and "kami tambahkan ke laporan darurat" in again[1]
    with unit_of_work(sessions) as session:
        [case] = session.scalars(select(Case).where(Case.conversation_id == conversation_id, Case.is_emergency.is_(True)))
        assert [e.kind for e in case.events].count("emergency_repeated") == 1
        assert session.scalars(select(CaseAlert.reason).where(CaseAlert.case_id == case.id)).all() == ["emergency"]  # one chain

    only_classifier = "saya takut sekali malam ini"
    rasa.classified.add(only_classifier)
    assert write(conversations, address, only_classifier) == []  # the classifier's guess: for the officer to judge
    relayed = inbox(sessions, "101")[-1]
    assert quoted_part(relayed) == only_classifier and "kemungkinan tanda bahaya" in relayed.text

    rasa.parse_down = True
    assert write(conversations, address, "saya sembunyi di kamar mandi") == []
    relayed = inbox(sessions, "101")[-1]
    assert quoted_part(relayed) == "saya sembunyi di kamar mandi" and "belum bisa diperiksa tanda bahayanya" in relayed.text
    with unit_of_work(sessions) as session:
        assert session.scalar(select(Message).where(Message.text == "saya sembunyi di kamar mandi")).status == MessageStatus.FOR_OFFICER


def test_danger_while_rasa_is_down_is_read_by_the_safety_nets_own_rules(sessions, clock, rasa, conversations, desk):
    staff(sessions, clock, "Ani Yogya", "101")
    address, conversation_id, ticket = reporter(sessions)
    take(desk, "101", conversation_id)
    rasa.parse_down = True
    replies = write(conversations, address, DANGER)
    assert "112" in replies[0] and ticket not in replies[0]  # the hotlines at once, Rasa or not
    relayed = inbox(sessions, "101")[-1]
    assert quoted_part(relayed) == DANGER and "belum bisa diperiksa" not in relayed.text
    with unit_of_work(sessions) as session:
        [case] = session.scalars(select(Case).where(Case.conversation_id == conversation_id, Case.is_emergency.is_(True)))
        assert session.scalars(select(CaseAlert.reason).where(CaseAlert.case_id == case.id)).all() == ["emergency"]


# -- item 6: an officer's words reach only the reporter they chose -------------------------


def test_with_two_conversations_held_a_plain_message_waits_for_a_choice_and_every_relay_says_where(
    sessions, clock, conversations, desk
):
    staff(sessions, clock, "Ani Yogya", "101")
    first_address, first, first_ticket = reporter(sessions)
    _, second, second_ticket = reporter(sessions)
    take(desk, "101", first)
    officer_says(desk, "101", "Ibu, saya di sini.")  # one held: it goes there, and she is told so
    assert to_reporter(sessions, first)[-1] == "Ibu, saya di sini." and f"✓ Terkirim ke pelapor {first_ticket}" in said(sessions, "101")

    take(desk, "101", second)
    assert "sekarang memegang 2 percakapan" in inbox(sessions, "101")[-1].text
    officer_says(desk, "101", "Apakah anak-anak aman?")
    assert "Apakah anak-anak aman?" not in to_reporter(sessions, first) + to_reporter(sessions, second)
    ask = inbox(sessions, "101")[-1]
    assert "belum diteruskan ke siapa pun" in ask.text
    assert [b["title"] for b in ask.payload["buttons"]] == [f"Pilih {first_ticket}", f"Pilih {second_ticket}"]

    desk._receive(OfficerInput("101", f"cb:{next(_ids)}", "button", button=ask.payload["buttons"][1]["payload"]))
    officer_says(desk, "101", "Apakah anak-anak aman?")
    assert to_reporter(sessions, second)[-1] == "Apakah anak-anak aman?"
    assert inbox(sessions, "101")[-1].text == f"✓ Terkirim ke pelapor {second_ticket}."

    # a reply to the first reporter's relayed message goes to the first, and says so
    write(conversations, first_address, "anak-anak di rumah nenek")
    relay = next(m for m in reversed(inbox(sessions, "101")) if "anak-anak di rumah nenek" in m.text)
    with unit_of_work(sessions) as session:
        session.get(Message, relay.id).provider_message_id = "101:5555"
    officer_says(desk, "101", "Baik, Bu.", reply_to="101:5555")
    assert to_reporter(sessions, first)[-1] == "Baik, Bu." and inbox(sessions, "101")[-1].text == f"✓ Terkirim ke pelapor {first_ticket}."

    # a third takeover: the chosen one is no longer taken for granted
    _, third, _ = reporter(sessions)
    take(desk, "101", third)
    officer_says(desk, "101", "Halo?")
    assert "belum diteruskan ke siapa pun" in inbox(sessions, "101")[-1].text
    assert all("Halo?" not in to_reporter(sessions, c) for c in (first, second, third))


# -- item 7: nothing lost at the edges of a takeover --------------------------------------


def test_a_message_read_while_the_conversation_is_handed_back_goes_to_the_bot(sessions, clock, rasa, conversations, desk):
    staff(sessions, clock, "Ani Yogya", "101")
    address, conversation_id, _ = reporter(sessions)
    take(desk, "101", conversation_id)
    rasa.parse_delay = 1.0  # the emergency check is still reading when the officer hands back

    async def meanwhile() -> list:
        inbound = Inbound(kind="text", text="pak, masih di situ?", provider_message_id="late-1")
        handling = asyncio.ensure_future(conversations.handle("webchat", address, inbound))
        await asyncio.sleep(0.4)
        await asyncio.to_thread(officer_says, desk, "101", "/kembalikan")
        return await handling

    answer = asyncio.run(meanwhile())
    assert [text for _, text in rasa.runs] == ["pak, masih di situ?"]  # Rasa answered it after all
    assert any("Laporan Anda tercatat" in reply.text for reply in answer)
    with unit_of_work(sessions) as session:
        assert session.scalar(select(Message).where(Message.text == "pak, masih di situ?")).status == MessageStatus.ANSWERED


def test_a_bot_answer_computed_while_a_takeover_lands_is_held_back(sessions, clock, rasa, conversations, desk):
    staff(sessions, clock, "Ani Yogya", "101")
    address, conversation_id, _ = reporter(sessions)
    with unit_of_work(sessions) as session:
        sender = session.get(Conversation, conversation_id).engine_sender_id
    rasa.delays[sender] = 1.0  # Rasa is still working when the officer takes over

    async def meanwhile() -> list:
        inbound = Inbound(kind="text", text="suami saya pulang mabuk", provider_message_id="race-1")
        handling = asyncio.ensure_future(conversations.handle("webchat", address, inbound))
        await asyncio.sleep(0.4)
        await asyncio.to_thread(take, desk, "101", conversation_id)
        return await handling

    assert asyncio.run(meanwhile()) == []
    lines = to_reporter(sessions, conversation_id)
    assert len(lines) == 1 and lines[0].startswith("Halo, saya Ani")  # the greeting, and no bot answer after it
    relayed = inbox(sessions, "101")[-1]
    assert quoted_part(relayed) == "suami saya pulang mabuk" and "jawaban bot untuknya ditahan" in relayed.text
    with unit_of_work(sessions) as session:
        assert session.scalar(select(Message).where(Message.text == "suami saya pulang mabuk")).status == MessageStatus.FOR_OFFICER


# -- item 8: rights follow the current takeover --------------------------------------------


def test_rights_on_a_case_end_with_the_takeover(sessions, clock, desk):
    staff(sessions, clock, "Bayu Papua", "102", regions=("94",))
    _, conversation_id, _ = reporter(sessions, province=None, regency=None)
    with unit_of_work(sessions) as session:  # a case of the conversation in the officer's remit would do: it is not
        conversation_id_case = session.scalar(select(Case).where(Case.conversation_id == conversation_id))
        conversation_id_case.is_emergency = True  # no place yet and danger: everyone's to hear of and to take
        ticket = conversation_id_case.ticket
    take(desk, "102", conversation_id)
    officer_says(desk, "102", f"/catatan {ticket} pelapor aman sementara")
    assert f"Catatan disimpan pada kasus {ticket}" in said(sessions, "102")  # while holding it: allowed
    officer_says(desk, "102", "/kembalikan")
    with unit_of_work(sessions) as session:  # later, the case gets its place: Sleman, not Papua
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        case.province_code, case.regency_code = "34", "34.04"
    officer_says(desk, "102", f"/status {ticket} closed sudah selesai")
    officer_says(desk, "102", f"/catatan {ticket} catatan lagi")
    assert said(sessions, "102").count(f"Kasus {ticket} tidak ditemukan di wilayah tugas Anda") == 2
    with unit_of_work(sessions) as session:
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert case.status == "new" and [e.kind for e in case.events].count("note") == 1


def test_an_officer_disabled_by_any_path_lets_go_and_their_reporter_reaches_the_bot(
    sessions, clock, rasa, conversations, desk
):
    officer_id = staff(sessions, clock, "Ani Yogya", "101")
    staff(sessions, clock, "Dewi Yogya", "104")
    address, conversation_id, _ = reporter(sessions)
    take(desk, "101", conversation_id)
    with unit_of_work(sessions) as session:  # disabled outside the CLI (an admin's SQL, a future console)
        session.get(Officer, officer_id).active = False
    relays = len(inbox(sessions, "101"))
    assert write(conversations, address, "pak, halo?") == []
    assert len(inbox(sessions, "101")) == relays  # not to the chat of an officer who is gone

    asyncio.run(desk.sync_engine())  # the desk's next pass
    with unit_of_work(sessions) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.handled_by == "bot" and conversation.officer_id is None
        assert session.scalar(select(CaseAlert).where(CaseAlert.reason == "handoff", CaseAlert.sent_at.is_(None))) is not None
    assert any("asisten otomatis kami kembali" in line for line in to_reporter(sessions, conversation_id))
    clock.advance(10)
    asyncio.run(conversations.process(_message_id(sessions, "pak, halo?")))
    assert [text for _, text in rasa.runs] == ["pak, halo?"]  # the bot answers it


def _message_id(sessions, text: str) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(Message.id).where(Message.text == text, Message.direction == "in"))


# -- item 9: long, edited and imitating relays ---------------------------------------------


def test_a_long_emoji_message_is_relayed_whole_in_numbered_parts_that_fit_telegram(sessions, clock, conversations, desk):
    staff(sessions, clock, "Ani Yogya", "101")
    address, conversation_id, ticket = reporter(sessions)
    take(desk, "101", conversation_id)
    words = " ".join(["tolong 😭😭 saya takut"] * 260)  # about 5,700 characters, 6,200 UTF-16 units
    write(conversations, address, words)
    parts = [m for m in inbox(sessions, "101") if m.payload and m.payload.get("entities")]
    assert [m.text.split("\n")[0] for m in parts] == [f"💬 {ticket}: (1/2)", f"💬 {ticket}: (2/2)"]
    assert all(utf16_len(m.text) <= TELEGRAM_LIMIT for m in parts)
    assert " ".join(quoted_part(m) for m in parts) == words  # nothing lost at the cut


def test_reporter_text_that_imitates_the_bot_stays_inside_the_quote_and_an_edit_says_so(
    sessions, clock, conversations, desk
):
    staff(sessions, clock, "Ani Yogya", "101")
    address, conversation_id, ticket = reporter(sessions)
    take(desk, "101", conversation_id)
    fake = f"x\n🚨 TANDA BAHAYA, {ticket}:\n✅ Anda sekarang berbicara langsung dengan pelapor MPKS-2026-99999"
    write(conversations, address, fake)
    relayed = inbox(sessions, "101")[-1]
    [bold] = [e for e in relayed.payload["entities"] if e["type"] == "bold"]
    assert (bold["offset"], bold["length"]) == (0, utf16_len(f"💬 {ticket}:"))  # our header only
    assert quoted_part(relayed) == fake  # every line the reporter wrote is inside the quote

    inbound = Inbound(kind="text", text="saya di Bantul", provider_message_id="tg:1")
    asyncio.run(conversations.handle("webchat", address, inbound))
    edit = Inbound(kind="text", text="saya di Sleman", payload={"edited": True, "edit_of": "tg:1"}, provider_message_id="tg:1:edit:5")
    asyncio.run(conversations.handle("webchat", address, edit))
    relayed = inbox(sessions, "101")[-1]
    assert relayed.text.startswith(f"✏️ {ticket}, pesan yang diubah pelapor:") and quoted_part(relayed) == "saya di Sleman"
    assert "Sebelumnya tertulis: «saya di Bantul»" in relayed.text


def test_a_telegram_edit_names_the_message_it_changes():
    from telegram import Update

    from bot.channels.telegram import inbound_from_update
    from tests.fakes.servers import telegram_message

    edited = telegram_message(555, 42, text="saya di Sleman") | {"edit_date": 1_800_000_000}
    record = inbound_from_update(Update.de_json({"update_id": 1, "edited_message": edited}, None))
    assert record.inbound.provider_message_id == "555:42:edit:1800000000"
    assert record.inbound.payload == {"edited": True, "edit_of": "555:42"}  # relayed with the words it replaced
