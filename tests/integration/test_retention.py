"""Retention on the real database (SQLite and PostgreSQL): exactly what a reporter told us
is erased from old cases and messages, nothing else, once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from messaging.models import Conversation, Message, Reporter
from messaging.retention import erase_old_messages
from referral.models import Case, CaseEvent
from referral.retention import ERASED_EVENT, erase_old_case_details
from referral.storage import unit_of_work

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
OLD, RECENT = NOW - timedelta(days=400), NOW - timedelta(days=10)


def seed(sessions) -> None:
    with unit_of_work(sessions) as session:
        reporter = Reporter(channel="whatsapp", pseudonym="q" * 20)
        session.add(reporter)
        session.flush()
        for name, at in (("old", OLD), ("recent", RECENT)):
            conversation = Conversation(reporter_id=reporter.id, channel="whatsapp", engine_sender_id=f"wa-{name}",
                                        channel_address=f"62811{name}", last_inbound_at=at)
            session.add(conversation)
            session.flush()
            session.add_all([
                Message(conversation_id=conversation.id, direction="in", channel="whatsapp", kind="text", text=f"{name} story",
                        status="answered", created_at=at, updated_at=at),
                Message(conversation_id=conversation.id, direction="in", channel="whatsapp", kind="location",
                        payload={"latitude": -7.8, "longitude": 110.4}, status="answered", created_at=at, updated_at=at),
            ])
            case = Case(ticket=f"MPKS-2025-0000{1 if name == 'old' else 2}", category="violence", urgency="high", status="closed",
                        description=f"{name} description", victim="anak", location_text="gang mawar", latitude=-7.8, longitude=110.4,
                        province_code="34", regency_code="34.04", district_code="34.04.07", contact_phone="+6281234567890",
                        consent_contact=True, contact_preference="phone", created_at=at, updated_at=at)
            case.events.append(CaseEvent(at=at, actor="bot", kind="opened", to_status="new"))
            case.events.append(CaseEvent(at=at, actor="reporter", kind="reporter_message", detail={"message": "dia datang lagi", "message_id": 7}))
            session.add(case)


def test_old_details_are_erased_and_everything_else_kept(sessions):
    seed(sessions)
    with unit_of_work(sessions) as session:  # the seeded names, by row: the old conversation's sender id is replaced
        names = {c.id: c.engine_sender_id for c in session.query(Conversation)}
    with unit_of_work(sessions) as session:
        assert erase_old_case_details(session, days=365, now=NOW) == 1
        assert erase_old_messages(session, days=365, now=NOW) == (2, 1)
    with unit_of_work(sessions) as session:
        old, recent = session.query(Case).order_by(Case.ticket).all()
        assert (old.description, old.location_text, old.latitude, old.longitude, old.contact_phone) == (None,) * 5
        assert (old.category, old.urgency, old.status, old.victim, old.regency_code, old.district_code, old.created_at) == (
            "violence", "high", "closed", "anak", "34.04", "34.04.07", OLD)
        assert [e.detail for e in old.events if e.kind == "reporter_message"] == [{"message_id": 7}]
        assert [e.kind for e in old.events][-1] == ERASED_EVENT
        assert recent.description == "recent description" and recent.contact_phone == "+6281234567890"
        assert [e.detail["message"] for e in recent.events if e.kind == "reporter_message"] == ["dia datang lagi"]
        messages = {names[m.conversation_id] + ":" + m.kind: m for m in session.query(Message).all()}
        assert messages["wa-old:text"].text is None and messages["wa-old:location"].payload is None
        assert messages["wa-old:text"].created_at == OLD and messages["wa-old:text"].status == "answered"
        assert messages["wa-recent:text"].text == "recent story" and messages["wa-recent:location"].payload == {"latitude": -7.8, "longitude": 110.4}
        addresses = {names[c.id]: c.channel_address for c in session.query(Conversation).all()}
        assert addresses == {"wa-old": None, "wa-recent": "62811recent"}
        senders = {names[c.id]: c.engine_sender_id for c in session.query(Conversation).all()}
        assert senders["wa-old"].startswith("erased-") and senders["wa-recent"] == "wa-recent"
        assert session.query(Reporter).one().pseudonym == "q" * 20  # still one live conversation
    with unit_of_work(sessions) as session:  # once: a second run finds nothing more
        assert erase_old_case_details(session, days=365, now=NOW) == 0
        assert erase_old_messages(session, days=365, now=NOW) == (0, 0)


def test_the_nightly_job_erases_in_batches_and_says_what_it_did(sessions, database_url, tmp_path, monkeypatch):
    from bot.duties.scheduler import retention

    seed(sessions)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    # Rasa's SQL tracker store, as Rasa creates it: an old and a recent event
    import sqlite3
    import time

    tracker = sqlite3.connect(tmp_path / "tracker.db")
    tracker.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp FLOAT, data TEXT)")
    tracker.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('x', 'user', ?, ?)",
                        [(time.time() - 400 * 86400, '{"text": "old words"}'), (time.time() - 60, '{"text": "new words"}')])
    tracker.commit()
    assert retention() == "1 case(s), 2 message(s), 1 address(es), 1 Rasa event(s) erased"
    assert retention() == "0 case(s), 0 message(s), 0 address(es), 0 Rasa event(s) erased"
    assert [row[0] for row in tracker.execute("SELECT data FROM events")] == ['{"text": "new words"}']
    tracker.close()


KEY = "retention-test-key"


def write(sessions, channel: str, address: str, provider_id: str, at: datetime) -> int:
    """A message as a channel stores it, dated `at`; returns its id."""
    from messaging.store import Inbound, get_or_create_conversation, record_inbound

    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key=KEY, channel=channel, address=address)
        message, is_new = record_inbound(session, conversation, Inbound(kind="text", text="tolong", provider_message_id=provider_id))
        assert is_new
        message.created_at = message.updated_at = conversation.last_inbound_at = at
        return message.id


def redelivered(sessions, channel: str, address: str, provider_id: str) -> bool:
    """Does the provider's redelivery find the message stored (not a new one)?"""
    from messaging.store import Inbound, get_or_create_conversation, record_inbound

    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key=KEY, channel=channel, address=address)
        _, is_new = record_inbound(session, conversation, Inbound(kind="text", text="tolong", provider_message_id=provider_id))
        return not is_new


def test_erased_messages_lose_their_provider_ids_and_silent_reporters_their_pseudonyms(sessions):
    from messaging.identity import pseudonym
    from messaging.store import find_conversation_by_address

    old_telegram = write(sessions, "telegram", "555123", "555123:41", OLD)
    old_whatsapp = write(sessions, "whatsapp", "6281234567890", "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=", OLD)
    recent = write(sessions, "telegram", "777888", "777888:9", RECENT)
    with unit_of_work(sessions) as session:
        conversation = find_conversation_by_address(session, secret_key=KEY, channel="telegram", address="555123")
        sent = Message(conversation_id=conversation.id, direction="out", channel="telegram", kind="text", text="balasan",
                       provider_message_id="555123:42", status="sent", created_at=OLD, updated_at=OLD)
        session.add(sent)
    with unit_of_work(sessions) as session:
        erase_old_messages(session, days=365, now=NOW)
    with unit_of_work(sessions) as session:
        ids = {m.id: m.provider_message_id for m in session.query(Message)}
        assert ids[old_telegram] is None and ids[old_whatsapp] is None and ids[sent.id] is None  # no chat id, no phone
        assert ids[recent] == "777888:9"
        # nothing left links the old reporters to their number, even with the key
        for channel, address in (("telegram", "555123"), ("whatsapp", "6281234567890")):
            assert find_conversation_by_address(session, secret_key=KEY, channel=channel, address=address) is None
            assert session.query(Reporter).filter_by(channel=channel, pseudonym=pseudonym(KEY, channel, address)).count() == 0
        assert sorted(c.engine_sender_id.startswith("erased-") for c in session.query(Conversation)) == [False, True, True]
        assert find_conversation_by_address(session, secret_key=KEY, channel="telegram", address="777888") is not None
    assert redelivered(sessions, "telegram", "777888", "777888:9")  # the recent one still dedups
    # a reporter who writes again after all this starts a new conversation
    assert not redelivered(sessions, "telegram", "555123", "555123:41")
    with unit_of_work(sessions) as session:
        assert session.query(Conversation).count() == 4 and session.query(Reporter).count() == 4


def test_a_short_retention_keeps_provider_ids_while_a_redelivery_can_still_come(sessions):
    """With HELPLINE_RETENTION_DAYS=1 a message of three days ago loses its words, but its id
    and its conversation's pseudonym stay until the providers' redelivery window is over."""
    three_days_ago = NOW - timedelta(days=3)
    message_id = write(sessions, "whatsapp", "6289900001111", "wamid.three-days-old", three_days_ago)
    with unit_of_work(sessions) as session:
        assert erase_old_messages(session, days=1, now=NOW) == (1, 1)
    with unit_of_work(sessions) as session:
        message = session.get(Message, message_id)
        assert message.text is None and message.provider_message_id == "wamid.three-days-old"
    assert redelivered(sessions, "whatsapp", "6289900001111", "wamid.three-days-old")  # WhatsApp retried: stored once
    with unit_of_work(sessions) as session:
        message = session.get(Message, message_id)
        message.created_at = message.conversation.last_inbound_at = NOW - timedelta(days=8)
    with unit_of_work(sessions) as session:
        erase_old_messages(session, days=1, now=NOW)
    with unit_of_work(sessions) as session:
        message = session.get(Message, message_id)
        assert message.provider_message_id is None and message.conversation.engine_sender_id.startswith("erased-")
