"""The e2e log check finds what it is for: a reporter's words, a phone number or a chat id
held in the database and written in a log line (tests/e2e/log_privacy.py)."""

import json

from referral.storage import unit_of_work
from messaging.store import Inbound, get_or_create_conversation, record_inbound
from tests.e2e.log_privacy import find_leaks

WORDS = 'tolong, bapak bilang "diam kamu" lalu mukul ibu lagi di rumah sekarang 😢'
PHONE = "6281298765432"
CHAT_ID = "5100009999"


def store_messages(sessions) -> None:
    with unit_of_work(sessions) as session:
        for channel, address in (("whatsapp", PHONE), ("telegram", CHAT_ID)):
            conversation = get_or_create_conversation(session, secret_key="k" * 32, channel=channel, address=address)
            record_inbound(session, conversation, Inbound(kind="text", text=WORDS, provider_message_id=f"{channel}-1"))
            record_inbound(session, conversation, Inbound(kind="text", text="ya", provider_message_id=f"{channel}-2"))


def write_logs(tmp_path, *lines: str):
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "gateway.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_clean_log_passes_and_says_what_it_looked_for(sessions, database_url, tmp_path):
    store_messages(sessions)
    write_logs(tmp_path, "2026-12-07 INFO bot.gateway.worker: turn done in 61 ms (pid 4190, port 45231)", "ya")
    findings = find_leaks(database_url, tmp_path, ["The helpline is running."])
    assert findings.leaks == []
    assert findings.checked["reporter's message"] == 1  # "ya" is too short to look for
    assert findings.checked["conversation address"] == 2


def test_words_a_number_or_a_chat_id_in_any_log_are_found(sessions, database_url, tmp_path):
    store_messages(sessions)
    write_logs(
        tmp_path,
        f"received {WORDS[24:52]}…",  # a piece cut from the middle: still found
        f"sending to +{PHONE}",
        json.dumps({"message": WORDS}),  # JSON-escaped, with \\u escapes: still found
    )
    findings = find_leaks(database_url, tmp_path, [f"chat {CHAT_ID} waiting"])
    kinds = sorted({leak.split(" in ")[0] for leak in findings.leaks})
    assert kinds == ["conversation address", "reporter's message"]
    assert any("helpline run" in leak and CHAT_ID in leak for leak in findings.leaks)
    assert any(PHONE in leak for leak in findings.leaks)
    assert sum(leak.startswith("reporter's message") for leak in findings.leaks) == 2  # the cut piece and the escaped line
