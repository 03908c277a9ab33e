"""Opening cases from the dialogue: a turn Rasa runs twice opens one case and alerts once."""

from sqlalchemy import select

from messaging.store import Inbound, get_or_create_conversation, record_inbound
from referral.models import Case, CaseAlert
from referral.reports import Report, open_report, report_emergency
from referral.storage import unit_of_work


def reporter_message(session, text: str):
    conversation = get_or_create_conversation(session, secret_key="k" * 32, channel="webchat", address="a" * 24)
    message, _ = record_inbound(session, conversation, Inbound(kind="text", text=text))
    return conversation, message


def test_the_same_message_opens_one_case_however_often_its_turn_runs(sessions):
    with unit_of_work(sessions) as session:
        conversation, message = reporter_message(session, "butuh bantuan sembako")
        report = Report(
            category="aid", reporter_id=conversation.reporter_id, conversation_id=conversation.id,
            source_message_id=message.id,
        )
        first = open_report(session, report).ticket
    with unit_of_work(sessions) as session:
        again = open_report(session, report).ticket
        assert again == first
        assert session.scalars(select(Case)).all()[0].source_message_id == report.source_message_id
        assert len(session.scalars(select(Case)).all()) == 1
    with unit_of_work(sessions) as session:  # another message is another report
        _, later = reporter_message(session, "butuh bantuan biaya sekolah")
        other = open_report(session, Report(category="aid", conversation_id=conversation.id, source_message_id=later.id))
        assert other.ticket != first


def test_an_emergency_turn_run_twice_opens_one_case_and_alerts_once(sessions):
    with unit_of_work(sessions) as session:
        conversation, message = reporter_message(session, "tolong suami lagi mukulin saya")
        report = Report(category="violence", conversation_id=conversation.id, source_message_id=message.id)
        case, is_new = report_emergency(session, report)
        assert is_new
    with unit_of_work(sessions) as session:
        again, again_new = report_emergency(session, report)
        assert (again.ticket, again_new) == (case.ticket, True)  # the same answer as the first run
        assert session.query(CaseAlert).count() == 1
    with unit_of_work(sessions) as session:  # a new emergency message: an event and a fresh alert, once
        _, second = reporter_message(session, "dia datang lagi bawa pisau")
        repeat = Report(category="violence", conversation_id=conversation.id, source_message_id=second.id)
        report_emergency(session, repeat)
        report_emergency(session, repeat)
        ongoing = session.scalar(select(Case).where(Case.ticket == case.ticket))
        assert [e.kind for e in ongoing.events].count("emergency_repeated") == 1
        assert session.query(CaseAlert).count() == 2
        assert session.query(Case).count() == 1
