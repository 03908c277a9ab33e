"""The desk service both front-ends call: each operation's outcome, its audit row, and the
audit trail's refusal to change, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from bot.desk.service import Desk
from messaging.models import Conversation, Message
from referral import audit
from referral.models import AuditEvent, Case, Officer
from referral.storage import unit_of_work
from tests.integration.test_officers import reporter_case, staff


def desk_for(session, officer_id: int, clock, source: str = "203.0.113.7") -> Desk:
    return Desk(session, session.get(Officer, officer_id), now=clock(), source=source)


def actions(sessions, ticket: str) -> list[str]:
    with unit_of_work(sessions) as session:
        return [event.action for event in reversed(audit.list_events(session, ticket=ticket))]


def test_take_over_write_note_and_hand_back_are_audited(sessions, clock):
    officer = staff(sessions, "Rina Jaga", "officer", "701", regions=["34"], clock=clock)
    conversation_id, _, ticket = reporter_case(sessions)
    with unit_of_work(sessions) as session:
        desk = desk_for(session, officer, clock)
        assert desk.read_conversation(conversation_id, 20, action="view_case") is not None
        assert desk.take_over(conversation_id).code == "taken"
        assert desk.take_over(conversation_id).code == "taken_by_you"
        sent = desk.send(conversation_id, "text", "  Halo, saya Rina dari MPKS.  ")
        assert sent.code == "relayed_to"
        assert desk.send(conversation_id, "text", "   ").code == "empty_message"
        case = session.scalar(select(Case).where(Case.ticket == ticket))
        assert desk.note(case, "Pelapor aman di rumah saudara").code == "noted"
        assert desk.note(case, "  ").code == "note_usage"
        assert desk.hand_back(conversation_id, "selesai").code == "handed_back"
        assert desk.hand_back(conversation_id).code == "no_conversation"
    with unit_of_work(sessions) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.handled_by == "bot"
        texts = [m.text for m in session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id))]
        assert "Halo, saya Rina dari MPKS." in texts
        assert not any("Pelapor aman" in (t or "") for t in texts)  # a note never reaches the reporter
    assert actions(sessions, ticket) == ["view_case", "takeover", "message_sent", "note", "hand_back"]
    with unit_of_work(sessions) as session:
        row = audit.list_events(session, officer_id=officer)[0]
        assert (row.action, row.source, row.officer_id) == ("hand_back", "203.0.113.7", officer)


def test_outside_the_remit_nothing_happens_and_nothing_is_shown(sessions, clock):
    officer = staff(sessions, "Budi Jaga", "officer", "702", regions=["35"], clock=clock)
    conversation_id, _, ticket = reporter_case(sessions, province="34", regency="34.04", alert=False)
    with unit_of_work(sessions) as session:
        desk = desk_for(session, officer, clock)
        assert desk.read_conversation(conversation_id, 20) is None
        assert desk.take_over(conversation_id).code == "outside_remit"
        assert desk.send(conversation_id, "text", "halo").code == "no_conversation"
    with unit_of_work(sessions) as session:
        assert session.get(Conversation, conversation_id).handled_by == "bot"
    assert actions(sessions, ticket) == []


def test_one_winner_whichever_front_end_and_either_hands_back(sessions, clock):
    """Taken on Telegram, the web sees the holder; the holder can write and hand back from the web."""
    first = staff(sessions, "Rina Jaga", "officer", "703", regions=["34"], clock=clock)
    second = staff(sessions, "Sari Jaga", "officer", "704", regions=["34"], clock=clock)
    conversation_id, _, ticket = reporter_case(sessions)
    with unit_of_work(sessions) as session:
        assert desk_for(session, first, clock, source="telegram").take_over(conversation_id).code == "taken"
    with unit_of_work(sessions) as session:
        lost = desk_for(session, second, clock).take_over(conversation_id)
        assert (lost.code, lost.values["name"]) == ("taken_by_other", "Rina Jaga")
        assert desk_for(session, second, clock).hand_back(conversation_id).code == "no_conversation"
    with unit_of_work(sessions) as session:
        web = desk_for(session, first, clock)
        assert web.send(conversation_id, "text", "Saya lanjutkan dari komputer.").code == "relayed_to"
        assert web.hand_back(conversation_id).code == "handed_back"
    with unit_of_work(sessions) as session:
        sources = [(e.action, e.source) for e in reversed(audit.list_events(session, ticket=ticket))]
    assert sources == [("takeover", "telegram"), ("message_sent", "203.0.113.7"), ("hand_back", "203.0.113.7")]


def test_status_change_follows_the_lifecycle(sessions, clock):
    officer = staff(sessions, "Rina Jaga", "officer", "705", regions=["34"], clock=clock)
    _, case_id, ticket = reporter_case(sessions)
    with unit_of_work(sessions) as session:
        desk = desk_for(session, officer, clock)
        case = session.get(Case, case_id)
        refused = desk.change_status(case, "in_progress", "ditelepon")  # a new case is referred or closed first
        assert refused.code == "status_not_allowed"
        assert (refused.values["current"], refused.values["allowed"]) == ("new", ["closed"])  # referred: routing's
        assert desk.change_status(case, "referred").code == "status_not_allowed"
        assert desk.change_status(case, "closed").code == "status_needs_note"  # it cannot be undone
        assert desk.change_status(case, "closed", "ditangani langsung").code == "status_changed"
        assert desk.change_status(case, "in_progress").values["allowed"] == []
    assert actions(sessions, ticket) == ["status"]


def test_a_case_is_not_closed_under_a_colleague_or_with_an_emergency_unanswered(sessions, clock):
    holder = staff(sessions, "Rina Jaga", "officer", "708", regions=["34"], clock=clock)
    other = staff(sessions, "Sari Jaga", "officer", "709", regions=["34"], clock=clock)
    conversation_id, case_id, _ = reporter_case(sessions, emergency=True)  # its emergency alert is unanswered
    with unit_of_work(sessions) as session:
        refused = desk_for(session, other, clock).change_status(session.get(Case, case_id), "closed", "iseng")
        assert refused.code == "status_emergency_open"
    with unit_of_work(sessions) as session:
        assert desk_for(session, holder, clock).take_over(conversation_id).code == "taken"  # answers the alert
    with unit_of_work(sessions) as session:
        refused = desk_for(session, other, clock).change_status(session.get(Case, case_id), "closed", "iseng")
        assert (refused.code, refused.values["name"]) == ("status_held_by_other", "Rina Jaga")
        done = desk_for(session, holder, clock).change_status(session.get(Case, case_id), "closed", "aman di rumah saudara")
        assert done.code == "status_changed"


def test_the_audit_trail_cannot_be_changed_or_deleted(sessions, clock):
    with unit_of_work(sessions) as session:
        audit.record(session, "login", officer_id=1, source="198.51.100.2")
    statements = ["UPDATE audit_events SET action = 'view_case'", "DELETE FROM audit_events"]
    with unit_of_work(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":
            statements.append("TRUNCATE audit_events")
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"):
            with unit_of_work(sessions) as session:
                session.execute(text(statement))
    with unit_of_work(sessions) as session:
        assert [e.action for e in session.scalars(select(AuditEvent))] == ["login"]


def test_an_unknown_action_is_refused(sessions):
    with pytest.raises(ValueError, match="unknown audit action"):
        with unit_of_work(sessions) as session:
            audit.record(session, "looked_around")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite serialises writers anyway
def test_a_takeover_race_between_the_web_and_telegram_has_one_winner(sessions, clock):
    """On PostgreSQL, two transactions at the same moment, one from each front-end."""

    web_officer = staff(sessions, "Rina Jaga", "officer", "706", regions=["34"], clock=clock)
    telegram_officer = staff(sessions, "Sari Jaga", "officer", "707", regions=["34"], clock=clock)
    for _ in range(10):
        conversation_id, _, _ = reporter_case(sessions)
        start = threading.Barrier(2)
        codes: dict[str, str] = {}

        def take(officer_id: int, source: str) -> None:
            with unit_of_work(sessions) as session:
                desk = desk_for(session, officer_id, clock, source=source)
                start.wait()
                codes[source] = desk.take_over(conversation_id).code

        threads = [threading.Thread(target=take, args=(web_officer, "203.0.113.7")),
                   threading.Thread(target=take, args=(telegram_officer, "telegram"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(codes.values()) == ["taken", "taken_by_other"]
        with unit_of_work(sessions) as session:
            assert len(session.scalars(select(AuditEvent).where(AuditEvent.conversation_id == conversation_id,
                                                                  AuditEvent.action == "takeover")).all()) == 1
