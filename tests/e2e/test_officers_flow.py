"""A duty officer runs whole conversations from Telegram, on the real stack: enrolment by
code, an alert, one tap to take over, talking both ways with reporters on Telegram,
WhatsApp and the web chat, Rasa paused meanwhile, and the hand-back."""

from __future__ import annotations

import itertools
import json
import re
import subprocess

import httpx
import pytest
from sqlalchemy import select

from messaging.models import Conversation, Message
from referral.models import Case
from referral.storage import make_engine, make_session_factory, unit_of_work
from tests.e2e.test_whatsapp_flow import deliver
from tests.fakes.servers import telegram_message, telegram_user
from tests.helpers import PROJECT_ROOT, wait_until, web_sender

pytestmark = pytest.mark.e2e
OFFICER_CHAT = 5100007001  # chat ids as long as real ones: the log check greps for them
_ids = itertools.count(10_000)


def helpline(stack, *args: str) -> dict:
    done = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "helpline"), *args, "--json"], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": stack.database_url, "HELPLINE_DATA_DIR": str(stack.data_dir)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def to_chat(bot_api, chat: int) -> list[dict]:
    return [m for m in bot_api.sent if int(m["chat_id"]) == chat]


def wait_for_text(bot_api, chat: int, needle: str, timeout: float = 90, since: int = 0) -> dict:
    """The first message to `chat` containing `needle`, among those from index `since` on."""
    return wait_until(lambda: next((m for m in to_chat(bot_api, chat)[since:] if needle in m.get("text", "")), None), timeout,
                      f"{needle!r} in chat {chat}")


def write(bot_api, chat: int, text: str, **extra) -> None:
    bot_api.push({"message": telegram_message(chat, next(_ids), text=text, **extra)})


def press(bot_api, chat: int, sent: dict, title: str) -> None:
    keyboard = sent["reply_markup"]
    keyboard = json.loads(keyboard) if isinstance(keyboard, str) else keyboard
    [data] = [b["callback_data"] for row in keyboard["inline_keyboard"] for b in row if b["text"] == title]
    bot_api.push({"callback_query": {
        "id": f"cbq-{next(_ids)}", "from": telegram_user(chat), "chat_instance": "x", "data": data,
        "message": telegram_message(chat, next(_ids), text=sent.get("text", "")) | {"from": bot_api.bot_user},
    }})


def tracker_events(stack, sender_id: str) -> list[str]:
    response = httpx.get(f"{stack.rasa_url}/conversations/{sender_id}/tracker",
                         params={"token": stack.settings.resolved_engine_token()}, timeout=30)
    response.raise_for_status()
    return [e["event"] for e in response.json()["events"]]


def ticket_of(stack, channel: str, address: str) -> str:
    """The ticket of the case this reporter's conversation opened."""
    conversation = conversation_of(stack, channel, address)
    engine = make_engine(stack.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return wait_until(lambda: session.scalar(select(Case.ticket).where(Case.conversation_id == conversation.id)), 30,
                              "the reporter's case")
    finally:
        engine.dispose()


def conversation_of(stack, channel: str, address: str) -> Conversation:
    engine = make_engine(stack.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return session.scalar(select(Conversation).where(Conversation.channel == channel, Conversation.channel_address == address))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def officer(postgres_stack, bot_api):
    """Rina, a duty officer for DI Yogyakarta, enrolled with her code and on duty."""
    added = helpline(postgres_stack, "officers", "add", "Rina Wulandari", "--role", "officer", "--region", "34")
    write(bot_api, OFFICER_CHAT, "/daftar SALAH12345")
    wait_for_text(bot_api, OFFICER_CHAT, "Kode tidak berlaku")
    write(bot_api, OFFICER_CHAT, f"/daftar {added['link_code']}")
    wait_for_text(bot_api, OFFICER_CHAT, "Selamat datang, Rina")
    write(bot_api, OFFICER_CHAT, "/siaga")
    wait_for_text(bot_api, OFFICER_CHAT, "Anda sekarang siaga")
    listed = helpline(postgres_stack, "officers", "list")["officers"]
    assert [(o["name"], o["telegram_linked"], o["on_duty"]) for o in listed if o["id"] == added["id"]] == [("Rina Wulandari", True, True)]
    return added["id"]


def take_the_alert(bot_api, needle: str, since: int) -> None:
    alert = wait_for_text(bot_api, OFFICER_CHAT, needle, since=since)
    press(bot_api, OFFICER_CHAT, alert, "Ambil alih")


def test_an_officer_runs_a_telegram_conversation_from_alert_to_hand_back(postgres_stack, bot_api, officer):
    reporter = 5100007101
    write(bot_api, reporter, "tolong sekarang suami lagi mukulin saya")
    wait_until(lambda: to_chat(bot_api, reporter), 90, "the emergency reply")
    ticket = ticket_of(postgres_stack, "telegram", str(reporter))  # this reporter's (the stack is shared)
    alert = wait_for_text(bot_api, OFFICER_CHAT, ticket)
    assert "🚨 DARURAT" in alert["text"] and "mukulin" not in alert["text"]
    press(bot_api, OFFICER_CHAT, alert, "Ringkasan")
    summary = wait_for_text(bot_api, OFFICER_CHAT, f"📋 Ringkasan {ticket}")
    assert "mukulin" in summary["text"]  # privately, to the officer who asked
    press(bot_api, OFFICER_CHAT, alert, "Ambil alih")
    taken = wait_for_text(bot_api, OFFICER_CHAT, f"berbicara langsung dengan pelapor {ticket}")
    assert "Pelapor: tolong sekarang suami lagi mukulin saya" in taken["text"]  # the transcript so far
    wait_for_text(bot_api, reporter, "Halo, saya Rina, petugas")
    sender = conversation_of(postgres_stack, "telegram", str(reporter)).engine_sender_id
    wait_until(lambda: "pause" in tracker_events(postgres_stack, sender), 30, "Rasa pausing the conversation")

    # while taken over: the reporter's words go to the officer, the bot says nothing
    before = len(to_chat(bot_api, reporter))
    write(bot_api, reporter, "saya sembunyi di kamar mandi")
    relayed = wait_for_text(bot_api, OFFICER_CHAT, "saya sembunyi di kamar mandi")
    assert relayed["text"].startswith(f"💬 {ticket}")
    write(bot_api, OFFICER_CHAT, "Ibu tetap di sana, kunci pintunya. Polisi sedang kami hubungi.")
    wait_for_text(bot_api, reporter, "kunci pintunya")
    # the reporter's message was finished without the bot (stored for the officer, in the same
    # transaction as the relay the officer already has), and nothing answered it
    engine = make_engine(postgres_stack.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        hiding = session.scalar(select(Message).where(Message.direction == "in", Message.text == "saya sembunyi di kamar mandi"))
        assert hiding.status == "for_officer"
        assert session.scalar(select(Message).where(Message.in_reply_to_id == hiding.id)) is None
    engine.dispose()
    assert [m["text"] for m in to_chat(bot_api, reporter)[before:]] == ["Ibu tetap di sana, kunci pintunya. Polisi sedang kami hubungi."]
    events = httpx.get(f"{postgres_stack.rasa_url}/conversations/{sender}/tracker",
                       params={"token": postgres_stack.settings.resolved_engine_token()}, timeout=30).json()["events"]
    assert not any(e["event"] == "user" and "kamar mandi" in (e.get("text") or "") for e in events)

    write(bot_api, OFFICER_CHAT, f"/catatan Pelapor bersembunyi, polisi dihubungi")
    wait_for_text(bot_api, OFFICER_CHAT, f"Catatan disimpan pada kasus {ticket}")
    write(bot_api, OFFICER_CHAT, "/kembalikan polisi sudah datang")
    wait_for_text(bot_api, reporter, "asisten otomatis kami kembali menemani Anda")
    wait_until(lambda: "resume" in tracker_events(postgres_stack, sender), 30, "Rasa resuming the conversation")

    # handed back: the bot answers again
    after = len(to_chat(bot_api, reporter))
    write(bot_api, reporter, "di mana saya bisa minta bantuan lagi nanti?")
    wait_until(lambda: to_chat(bot_api, reporter)[after:], 90, "the bot's answer")
    assert any(e["event"] == "user" and "bantuan lagi" in (e.get("text") or "")
               for e in httpx.get(f"{postgres_stack.rasa_url}/conversations/{sender}/tracker",
                                  params={"token": postgres_stack.settings.resolved_engine_token()}, timeout=30).json()["events"])

    case = helpline(postgres_stack, "cases", "show", ticket)
    kinds = [e["kind"] for e in case["events"]]
    assert {"takeover", "officer_message", "note", "handed_back"} <= set(kinds)


def test_relay_to_a_whatsapp_reporter_after_a_handoff_request(postgres_stack, bot_api, graph_api, officer):
    phone = "6281277700011"

    def to_phone() -> list[dict]:
        return [s for s in graph_api.sent if s.get("to") == phone]

    since = len(to_chat(bot_api, OFFICER_CHAT))
    deliver(postgres_stack, "wamid.officer.1", {"type": "text", "text": {"body": "saya ingin bicara dengan petugas"}}, phone=phone)
    take_the_alert(bot_api, "Pelapor ingin bicara dengan petugas", since)
    wait_until(lambda: any("Halo, saya Rina" in s.get("text", {}).get("body", "") for s in to_phone()), 60, "the officer's greeting on WhatsApp")
    deliver(postgres_stack, "wamid.officer.2", {"type": "text", "text": {"body": "anak saya tidak pulang sejak kemarin"}}, phone=phone)
    wait_for_text(bot_api, OFFICER_CHAT, "anak saya tidak pulang sejak kemarin")
    write(bot_api, OFFICER_CHAT, "Baik Bu, boleh saya tahu nama sekolahnya?")
    wait_until(lambda: any("nama sekolahnya" in s.get("text", {}).get("body", "") for s in to_phone()), 60, "the officer's question on WhatsApp")
    write(bot_api, OFFICER_CHAT, "/kembalikan")
    wait_until(lambda: any("asisten otomatis" in s.get("text", {}).get("body", "") for s in to_phone()), 60, "the hand-back on WhatsApp")


def test_relay_to_a_web_chat_reporter(postgres_stack, bot_api, officer):
    sender = web_sender("officer-relay")
    url = f"{postgres_stack.base_url}/webchat/messages"
    since = len(to_chat(bot_api, OFFICER_CHAT))
    httpx.post(url, json={"sender_id": sender, "text": "saya mau bicara dengan petugas"}, timeout=120).raise_for_status()
    take_the_alert(bot_api, "Pelapor ingin bicara dengan petugas", since)

    def officer_lines() -> list[str]:
        answer = httpx.get(url, params={"sender_id": sender, "after": 0}, timeout=30).json()
        return [m["text"] for m in answer["replies"]]

    wait_until(lambda: any("Halo, saya Rina" in t for t in officer_lines()), 60, "the greeting in the web chat")
    write(bot_api, OFFICER_CHAT, "Saya di sini, silakan cerita.")
    wait_until(lambda: "Saya di sini, silakan cerita." in officer_lines(), 60, "the officer's message in the web chat")
    since = len(to_chat(bot_api, OFFICER_CHAT))
    write(bot_api, OFFICER_CHAT, "/kembalikan")
    wait_for_text(bot_api, OFFICER_CHAT, "diserahkan kembali ke bot", since=since)


def test_a_non_officer_typing_officer_commands_gets_the_reporter_flow(postgres_stack, bot_api, officer):
    stranger = 5100007301
    write(bot_api, stranger, "/kembalikan")
    replies = wait_until(lambda: to_chat(bot_api, stranger), 90, "an answer to the stranger")
    write(bot_api, stranger, "/daftar ABCDEFGHJK")
    wait_for_text(bot_api, stranger, "Kode tidak berlaku")
    officer_only = ("Perintah tidak dikenal", "Anda belum memegang", "diserahkan kembali", "Perintah petugas")
    assert not any(words in m["text"] for m in replies for words in officer_only)
    assert conversation_of(postgres_stack, "telegram", str(stranger)).handled_by == "bot"


DANGER = "dia datang lagi bawa golok, mau bunuh saya sekarang"  # the safety net fires on it for certain


def ask_for_an_officer(bot_api, reporter: int) -> None:
    """A Telegram reporter asks for a person and Rina takes the conversation over."""
    since = len(to_chat(bot_api, OFFICER_CHAT))
    write(bot_api, reporter, "saya mau bicara dengan petugas")
    take_the_alert(bot_api, "Pelapor ingin bicara dengan petugas", since)
    wait_for_text(bot_api, reporter, "Halo, saya Rina, petugas")


def test_danger_during_a_takeover_gets_the_hotlines_an_emergency_case_and_an_alert(postgres_stack, bot_api, officer):
    reporter = 5100007401
    ask_for_an_officer(bot_api, reporter)
    since = len(to_chat(bot_api, OFFICER_CHAT))
    write(bot_api, reporter, DANGER)

    hotlines = wait_for_text(bot_api, reporter, "Keselamatan Anda yang utama")
    assert "112" in hotlines["text"] and "110" in hotlines["text"]
    relayed = wait_for_text(bot_api, OFFICER_CHAT, DANGER, since=since)
    ticket = re.search(r"🚨 TANDA BAHAYA, (MPKS-\d{4}-\d{5,})", relayed["text"]).group(1)
    entities = relayed["entities"]
    entities = json.loads(entities) if isinstance(entities, str) else entities
    assert [e["type"] for e in entities] == ["bold", "blockquote"]  # our header bold, the reporter's words quoted
    alert = wait_for_text(bot_api, OFFICER_CHAT, "🚨 DARURAT", since=since)
    assert ticket in alert["text"] and "golok" not in alert["text"]
    case = helpline(postgres_stack, "cases", "show", ticket)
    assert case["is_emergency"] and case["urgency"] == "emergency"

    write(bot_api, OFFICER_CHAT, "Ibu, keluar lewat pintu belakang sekarang. Polisi sedang kami hubungi.")
    wait_for_text(bot_api, reporter, "pintu belakang")
    wait_for_text(bot_api, OFFICER_CHAT, f"✓ Terkirim ke pelapor {ticket}", since=since)
    write(bot_api, OFFICER_CHAT, "/kembalikan")
    wait_for_text(bot_api, reporter, "asisten otomatis kami kembali menemani Anda")


def test_with_two_held_conversations_a_plain_message_waits_for_the_officers_choice(postgres_stack, bot_api, officer):
    first, second = 7501, 7502
    ask_for_an_officer(bot_api, first)
    ask_for_an_officer(bot_api, second)
    heard = {chat: len(to_chat(bot_api, chat)) for chat in (first, second)}
    since = len(to_chat(bot_api, OFFICER_CHAT))
    write(bot_api, OFFICER_CHAT, "Apakah Ibu sudah di tempat aman?")

    ask = wait_for_text(bot_api, OFFICER_CHAT, "belum diteruskan ke siapa pun", since=since)
    keyboard = ask["reply_markup"]
    keyboard = json.loads(keyboard) if isinstance(keyboard, str) else keyboard
    choices = [b["text"] for row in keyboard["inline_keyboard"] for b in row]
    assert len(choices) == 2 and all(c.startswith("Pilih ") for c in choices)
    press(bot_api, OFFICER_CHAT, ask, choices[1])  # the second reporter's conversation, taken last
    label = choices[1].removeprefix("Pilih ")
    wait_for_text(bot_api, OFFICER_CHAT, f"Pesan Anda berikutnya diteruskan ke pelapor {label}", since=since)
    write(bot_api, OFFICER_CHAT, "Apakah Ibu sudah di tempat aman?")
    wait_for_text(bot_api, second, "Apakah Ibu sudah di tempat aman?")
    wait_for_text(bot_api, OFFICER_CHAT, f"✓ Terkirim ke pelapor {label}", since=since)
    assert to_chat(bot_api, first)[heard[first]:] == []  # the other reporter never got it
    assert [m["text"] for m in to_chat(bot_api, second)[heard[second]:]] == ["Apakah Ibu sudah di tempat aman?"]

    for _ in range(2):  # the chosen one, then the one left
        write(bot_api, OFFICER_CHAT, "/kembalikan")
    wait_for_text(bot_api, first, "asisten otomatis kami kembali menemani Anda")
    wait_for_text(bot_api, second, "asisten otomatis kami kembali menemani Anda")
