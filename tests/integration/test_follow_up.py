"""The follow-up after a case closes (SQLite and PostgreSQL): asked once, only of reporters
who agreed to be contacted in the chat; their button press goes on the case, not to Rasa."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.gateway.conversation import ConversationService
from bot.duties.scheduler import follow_up
from messaging.models import Message
from messaging.store import Inbound, get_or_create_conversation
from referral.follow_up import answer_payloads
from referral.models import Case, CaseEvent, utcnow
from referral.storage import unit_of_work
from tests.helpers import web_sender

KEY = "k" * 32


class NoRasa:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, sender_id, text, metadata):
        self.sent.append(text)
        return []


def seed(sessions) -> dict[str, int]:
    """Four closed cases: one to ask; one closed too recently; one anonymous; one contacted by phone."""
    conversations = {}
    with unit_of_work(sessions) as session:
        for name, closed_days_ago, preference in (("ask", 4, "chat"), ("recent", 1, "chat"), ("anonymous", 4, "none"), ("phone", 4, "phone")):
            conversation = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=web_sender(name))
            conversations[name] = conversation.id
            opened = utcnow() - timedelta(days=10)
            case = Case(ticket=f"MPKS-2026-0{len(conversations):04d}", category="aid", urgency="normal", status="closed",
                        conversation_id=conversation.id, reporter_id=conversation.reporter_id, consent_contact=preference != "none",
                        contact_preference=preference, created_at=opened, updated_at=opened)
            case.events.append(CaseEvent(at=utcnow() - timedelta(days=closed_days_ago), actor="officer:1", kind="status", to_status="closed"))
            session.add(case)
    return conversations


def test_only_consenting_chat_reporters_are_asked_once_and_their_answer_is_recorded(sessions, database_url, tmp_path, monkeypatch):
    conversations = seed(sessions)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    assert follow_up() == "1 reporter(s) asked"
    assert follow_up() == "0 reporter(s) asked"  # once
    with unit_of_work(sessions) as session:
        [question] = session.query(Message).filter(Message.direction == "out").all()
        assert question.conversation_id == conversations["ask"] and "Apakah bantuan sudah Anda terima?" in question.text
        ticket = session.query(Case).filter(Case.conversation_id == conversations["ask"]).one().ticket
    received, _ = answer_payloads(ticket)
    assert [b["payload"] for b in question.payload["buttons"]] == list(answer_payloads(ticket))

    engine = NoRasa()
    service = ConversationService(sessions, engine, KEY)
    [thanks] = asyncio.run(service.handle("webchat", web_sender("ask"), Inbound(kind="text", text=received)))
    assert thanks.text.startswith("Terima kasih atas jawabannya") and engine.sent == []  # not sent to Rasa
    # the same words typed in another conversation are not an answer to someone else's case
    asyncio.run(service.handle("webchat", web_sender("recent"), Inbound(kind="text", text=received)))
    assert engine.sent == [received]
    with unit_of_work(sessions) as session:
        answered = [e.detail for c in session.query(Case).all() for e in c.events if e.kind == "follow_up_answered"]
        assert answered == [{"received": True}]


def test_coordinators_hear_once_of_a_referral_unanswered_past_the_sla(sessions):
    """24 hours for a normal case, one hour for a high-urgency one (the defaults)."""
    from bot.duties.alerts import OfficerAlerts
    from referral.models import Facility, Officer, Referral

    with unit_of_work(sessions) as session:
        facility = Facility(code="PSKM-S", name="PSKM Lambat", kind="PSKM", services="konseling")
        session.add_all([facility, Officer(name="Koordinator", telegram_chat_id="801", role="coordinator", remit_all=True),
                         Officer(name="Petugas", telegram_chat_id="802", role="officer", remit_all=True)])
        for number, hours_ago, status, urgency in ((1, 50, "sent", "normal"), (2, 10, "sent", "normal"),
                                                   (3, 80, "accepted", "normal"), (4, 2, "sent", "high")):
            case = Case(ticket=f"MPKS-2026-0{number:04d}", category="aid", urgency=urgency, status="referred",
                        description="Bu Sari, 0812-1111-2222", created_at=utcnow() - timedelta(hours=hours_ago), updated_at=utcnow())
            session.add(case)
            session.flush()
            session.add(Referral(case_id=case.id, facility_id=facility.id, status=status, sent_at=utcnow() - timedelta(hours=hours_ago)))
    alerts = OfficerAlerts(sessions, 120, "telegram")
    assert alerts.queue_overdue_referrals() == 2
    assert alerts.queue_overdue_referrals() == 0  # once
    with unit_of_work(sessions) as session:
        sent = session.query(Message).filter(Message.conversation_id.is_(None)).order_by(Message.id).all()
        assert [m.address for m in sent] == ["801", "801"]  # the coordinator, not the duty officer
        assert "MPKS-2026-00001" in sent[0].text and "MPKS-2026-00004" in sent[1].text and "PSKM Lambat" in sent[0].text
        assert [b["title"] for b in sent[0].payload["buttons"]] == ["Alihkan"]
        for alert in sent:
            assert "Sari" not in alert.text and "0812" not in alert.text
