"""How long an alert lets an officer outside the case's remit see it (issue 21, review of
item 10), on SQLite and PostgreSQL, with the real alerts and officers' desk: an alert about
a case without a place lets everyone see it only until it has one; an alert sent on a
fallback rung (nobody nearer could be reached) while it is unresolved, or, told once, while
the case is open and still lies where it did."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.duties.alerts import OfficerAlerts
from messaging.models import Message
from messaging.statuses import MessageStatus
from messaging.takeover import conversation_in_remit
from referral.models import Case, CaseAlert, Officer
from referral.officers import case_in_remit
from referral.storage import unit_of_work
from tests.integration.test_officers import (  # noqa: F401  (fixture: desk)
    desk, inbox, press, reporter_case, said, staff,
)

OUTSIDE = "di luar wilayah tugas"


def may_see(sessions, chat: str, case_id: int) -> bool:
    with unit_of_work(sessions) as session:
        officer = session.scalar(select(Officer).where(Officer.telegram_chat_id == chat))
        case = session.get(Case, case_id)
        in_remit = session.scalar(select(Case.id).where(Case.id == case_id, case_in_remit(officer))) is not None
        assert in_remit == (conversation_in_remit(session, officer, case.conversation_id) is not None)
        return in_remit


def move(sessions, case_id: int, province: str | None, regency: str | None) -> None:
    with unit_of_work(sessions) as session:
        case = session.get(Case, case_id)
        case.province_code, case.regency_code = province, regency


def delivered(sessions, chat: str) -> None:
    """The outbox sent the alerts queued to this chat (as the worker would)."""
    with unit_of_work(sessions) as session:
        session.execute(update(Message).where(Message.address == chat, Message.direction == "out").values(status=MessageStatus.SENT))


def summary_shown(desk, sessions, chat: str, ticket: str) -> bool:
    before = len(inbox(sessions, chat))
    press(desk, sessions, chat, "Ringkasan")
    answer = "\n".join(m.text or "" for m in inbox(sessions, chat)[before:])
    assert answer  # the desk answered one way or the other
    return f"📋 Ringkasan {ticket}" in answer and "0812-3456-7890" in answer and OUTSIDE not in answer


def test_an_alert_about_a_case_without_a_place_grants_nothing_once_it_has_one(sessions, desk, clock):
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)  # on duty, far away
    staff(sessions, "Dewi Sleman", "officer", "103", ["34.04"], clock=clock)
    _, case_id, ticket = reporter_case(sessions, province=None, regency=None, emergency=True)
    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()
    assert ticket in said(sessions, "102")  # danger, no place yet: everyone on duty hears
    assert may_see(sessions, "102", case_id) and summary_shown(desk, sessions, "102", ticket)
    move(sessions, case_id, "34", "34.04")  # the place is given: Sleman
    assert not may_see(sessions, "102", case_id)
    assert not summary_shown(desk, sessions, "102", ticket)
    assert "Ibu Sari" not in said(sessions, "102").split("---")[-1]  # no story, no phone number
    assert may_see(sessions, "103", case_id)  # Sleman's officer has it


def test_a_fallback_alert_grants_only_while_it_is_unresolved(sessions, desk, clock):
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)  # the only one anyone can reach
    alerts = OfficerAlerts(sessions, 120, "telegram", clock)
    _, case_id, ticket = reporter_case(sessions, emergency=True)  # Sleman: nobody covers DI Yogyakarta
    alerts.queue_case_alerts()
    assert ticket in said(sessions, "102")
    assert may_see(sessions, "102", case_id)  # asked to act, so allowed to read it
    delivered(sessions, "102")
    alerts.follow_up_unreached()  # reached; an emergency stays open until someone takes it
    assert may_see(sessions, "102", case_id) and summary_shown(desk, sessions, "102", ticket)
    staff(sessions, "Dewi Sleman", "officer", "103", ["34.04"], clock=clock)
    with unit_of_work(sessions) as session:  # Sleman's officer took it: the alert is resolved
        session.execute(update(CaseAlert).where(CaseAlert.case_id == case_id).values(resolved_at=clock()))
    assert not may_see(sessions, "102", case_id)
    assert not summary_shown(desk, sessions, "102", ticket)


def test_a_fallback_alert_told_once_grants_while_the_case_stays_open_where_it_was(sessions, desk, clock):
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock)
    _, case_id, ticket = reporter_case(sessions)  # a new case in Sleman, nobody covers it
    alerts.queue_case_alerts()
    delivered(sessions, "102")
    alerts.follow_up_unreached()
    with unit_of_work(sessions) as session:  # told once: resolved the moment it reached them
        assert session.scalar(select(CaseAlert.resolved_at).where(CaseAlert.case_id == case_id)) is not None
    assert may_see(sessions, "102", case_id) and summary_shown(desk, sessions, "102", ticket)  # still theirs to act on
    move(sessions, case_id, "34", "34.02")  # it lies in Bantul after all
    assert not may_see(sessions, "102", case_id)
    move(sessions, case_id, "34", "34.04")
    assert may_see(sessions, "102", case_id)
    with unit_of_work(sessions) as session:
        session.get(Case, case_id).status = "closed"
    assert not may_see(sessions, "102", case_id)


def test_the_alerts_that_repeat_are_the_same_for_the_remit_and_the_alerts():
    import bot.duties.alerts
    import referral.officers

    assert set(bot.duties.alerts.REPEATING) == set(referral.officers.REPEATING)


def test_an_emergency_alert_about_a_conversation_without_a_case_grants_while_it_is_unresolved(sessions, desk, clock):
    from messaging.store import get_or_create_conversation
    from tests.helpers import web_sender
    from tests.integration.test_officers import KEY

    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)  # the only one: a fallback rung
    with unit_of_work(sessions) as session:  # as a turn the database refused is given up on: no case
        conversation = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=web_sender("nocase"))
        session.add(CaseAlert(conversation_id=conversation.id, reason="emergency"))
        conversation_id = conversation.id

    def allowed() -> bool:
        with unit_of_work(sessions) as session:
            officer = session.scalar(select(Officer).where(Officer.telegram_chat_id == "102"))
            return conversation_in_remit(session, officer, conversation_id) is not None

    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()
    assert f"#{conversation_id}" in said(sessions, "102") and allowed()
    with unit_of_work(sessions) as session:  # somebody took it over: resolved
        session.execute(update(CaseAlert).values(resolved_at=clock()))
    assert not allowed()
    press(desk, sessions, "102", "Ringkasan")
    assert OUTSIDE in said(sessions, "102").split("---")[-1]
