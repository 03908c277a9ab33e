"""Every alert reaches a person (issue 21, items 1-4 and 10), on SQLite and PostgreSQL:
an alert nobody can hear stays open and goes out when someone can; the recipients climb a
ladder up to any linked staff member; a chat that refused the alert (Telegram 403) is not
"reached"; a possible emergency repeats and escalates until an officer looks; one failing
duty stops no other; a case without a place is everyone's only when it may be danger now.
The gateway tests run the real gateway against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.duties.alerts import OfficerAlerts
from bot.desk.telegram_desk import OfficerInput
from wiring.officer_settings import AlertTimes
from messaging.models import Message
from messaging.store import get_or_create_conversation
from referral import emergency_checks
from referral.models import Case, CaseAlert, CaseEvent, EmergencyCheck, Officer
from referral.reports import Report
from referral.storage import unit_of_work
from tests.helpers import web_sender
from tests.integration.test_officers import (  # noqa: F401  (fixture: desk)
    KEY, desk, inbox, press, reporter_case, said, staff,
)
from tests.integration.test_telegram import bot_api, make_client, wait_for  # noqa: F401  (fixture: bot_api)


def the_alert(sessions, ticket: str) -> CaseAlert:
    with unit_of_work(sessions) as session:
        case_id = session.scalar(select(Case.id).where(Case.ticket == ticket))
        return session.scalar(select(CaseAlert).where(CaseAlert.case_id == case_id).order_by(CaseAlert.id))


def check(alerts: OfficerAlerts) -> None:
    asyncio.run(alerts.check())


# -- item 1: an alert is used up only when it was handed to somebody -----------------------


def test_an_alert_nobody_can_hear_stays_open_and_goes_out_as_soon_as_someone_links(sessions, clock):
    alerts = OfficerAlerts(sessions, 120, "telegram", clock)
    _, _, ticket = reporter_case(sessions, emergency=True)
    check(alerts)
    alert = the_alert(sessions, ticket)
    assert alert.sent_at is None and alert.resolved_at is None  # not used up on nobody
    clock.advance(3600)
    check(alerts)  # an hour later: no "repeat" and no "escalation" to nobody is recorded
    alert = the_alert(sessions, ticket)
    assert (alert.sent_at, alert.repeats, alert.escalated_at) == (None, 0, None)
    from bot.duties.alerts import alerts_without_recipient  # (new in issue 21)

    with unit_of_work(sessions) as session:
        assert alerts_without_recipient(session) == 1
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], on_duty=False)  # the only one, far away, off duty
    check(alerts)
    assert ticket in said(sessions, "102") and "🚨 DARURAT" in said(sessions, "102")
    assert the_alert(sessions, ticket).sent_at is not None


def test_a_case_in_a_province_nobody_covers_reaches_the_only_linked_staff_member(sessions, desk, clock):
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)
    _, _, ticket = reporter_case(sessions)  # a new case in Sleman (34.04): nobody covers DI Yogyakarta
    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()
    assert ticket in said(sessions, "102") and "Sleman" in said(sessions, "102")
    press(desk, sessions, "102", "Ringkasan")  # asked to act, so allowed to read it
    assert f"📋 Ringkasan {ticket}" in said(sessions, "102")


def test_the_recipients_climb_rung_by_rung(sessions, clock):
    """On-duty officers of the remit → its coordinators → national coordinators and admins →
    the remit's staff off duty → on-duty staff anywhere → anyone linked."""
    ani = staff(sessions, "Ani Yogya", "officer", "101", ["34"], on_duty=False)
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)
    staff(sessions, "Nina Admin", "admin", "105", on_duty=False)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock)

    def alert_goes_to() -> set[str]:
        _, _, ticket = reporter_case(sessions)  # Sleman
        alerts.queue_case_alerts()
        return {chat for chat in ("101", "102", "105", "106") if ticket in said(sessions, chat)}

    assert alert_goes_to() == {"105"}  # nobody on duty in the remit, no coordinator: national staff
    staff(sessions, "Sri Koordinator DIY", "coordinator", "106", ["34"], on_duty=False)
    assert alert_goes_to() == {"106"}  # the remit's coordinator comes first
    with unit_of_work(sessions) as session:
        for officer in session.scalars(select(Officer).where(Officer.telegram_chat_id.in_(["105", "106"]))):
            officer.active = False
    assert alert_goes_to() == {"101"}  # the remit's officer, although off duty
    with unit_of_work(sessions) as session:
        session.get(Officer, ani).active = False
    assert alert_goes_to() == {"102"}  # anyone on duty, anywhere


# -- item 2: a chat that refuses the alert was not reached ----------------------------------


def test_a_chat_that_blocked_the_bot_is_not_reached_and_the_next_rung_hears(database_url, tmp_path, bot_api):
    bot_api.blocked_chats = {101}
    with make_client(database_url, tmp_path, bot_api, HELPLINE_INBOX_INTERVAL="0") as client:
        gateway = client.app_state["gateway"]
        staff(gateway.sessions, "Ani Yogya", "officer", "101", ["34"])  # on duty, but she blocked the bot
        staff(gateway.sessions, "Citra Koordinator", "coordinator", "103", on_duty=False)
        _, _, ticket = reporter_case(gateway.sessions)
        client.portal.call(gateway.worker.run_once)  # to Ani: Telegram answers 403
        [to_ani] = inbox(gateway.sessions, "101")
        assert to_ani.status == "failed"
        client.portal.call(gateway.worker.run_once)  # not reached: the coordinator hears
        to_citra = [m for m in bot_api.sent if m["chat_id"] == 103]
        assert len(to_citra) == 1 and ticket in to_citra[0]["text"]
        client.portal.call(gateway.worker.run_once)
        alert = the_alert(gateway.sessions, ticket)
        assert alert.reached_at is not None and alert.resolved_at is not None
        for _ in range(2):  # reached: nobody is told again
            client.portal.call(gateway.worker.run_once)
        assert len([m for m in bot_api.sent if m["chat_id"] == 103]) == 1


def test_an_emergency_repeat_passes_over_a_refusing_chat(sessions, clock):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    staff(sessions, "Dewi Yogya", "officer", "104", ["34"], clock=clock)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes(emergency_repeat_s=300, emergency_escalate_s=900))
    _, _, ticket = reporter_case(sessions, emergency=True)
    alerts.queue_case_alerts()
    with unit_of_work(sessions) as session:  # Ani's chat refused it (what the outbox records for a 403)
        for message in session.scalars(select(Message).where(Message.address == "101")):
            message.status = "failed"
    clock.advance(301)
    alerts.repeat_emergencies()
    assert "pengingat ke-1" in inbox(sessions, "104")[-1].text
    assert len(inbox(sessions, "101")) == 1  # not counted as told, not told again right away


# -- item 1: Telegram down when the gateway starts ------------------------------------------


def test_telegram_down_at_boot_is_retried_and_the_waiting_alert_goes_out_without_a_restart(database_url, tmp_path, bot_api):
    bot_api.unavailable = True  # every call: 502
    with make_client(database_url, tmp_path, bot_api, HELPLINE_INBOX_INTERVAL="0", TELEGRAM_RETRY_MAX_SECONDS="1") as client:
        gateway = client.app_state["gateway"]
        assert gateway.telegram is None
        staff(gateway.sessions, "Ani Yogya", "officer", "101", ["34"])
        _, _, ticket = reporter_case(gateway.sessions, emergency=True)
        client.portal.call(gateway.worker.run_once)
        assert the_alert(gateway.sessions, ticket).sent_at is None  # waits for Telegram, not used up
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["telegram"] is False and health.json()["alerts_without_recipient"] == 1
        assert {"telegram", "alerts with no recipient"} <= set(health.json()["degraded"])

        bot_api.unavailable = False
        wait_for(lambda: gateway.telegram is not None, timeout=20)  # the background retry, no restart
        client.portal.call(gateway.worker.run_once)
        to_ani = [m for m in bot_api.sent if m["chat_id"] == 101]
        assert len(to_ani) == 1 and ticket in to_ani[0]["text"] and "🚨 DARURAT" in to_ani[0]["text"]
        client.portal.call(gateway.worker.run_once)
        health = client.get("/healthz").json()
        assert health["telegram"] is True and health["alerts_without_recipient"] == 0


# -- item 3: a possible emergency is followed like an emergency -----------------------------


def possible_emergency(sessions, clock, alerts: OfficerAlerts) -> tuple[int, str]:
    """An unanswered "danger now?" question that has become a possible-emergency case."""
    with unit_of_work(sessions) as session:
        conversation = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=web_sender("pe"))
        emergency_checks.ask(session, Report(category="violence", conversation_id=conversation.id,
                                             description="aku takut banget sama dia"), now=clock())
        conversation_id = conversation.id
    clock.advance(alerts.times.emergency_check_s + 1)
    assert alerts.open_unanswered_checks() == 1
    with unit_of_work(sessions) as session:
        return conversation_id, session.scalar(select(Case.ticket).where(Case.conversation_id == conversation_id))


@pytest.mark.parametrize("act", ["Ringkasan", "Ambil alih"])
def test_a_possible_emergency_repeats_and_escalates_until_an_officer_looks(sessions, desk, clock, act):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    staff(sessions, "Citra Koordinator", "coordinator", "103", on_duty=False)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock, AlertTimes())  # the defaults: every 10, escalated after 30 minutes
    conversation_id, ticket = possible_emergency(sessions, clock, alerts)
    alerts.queue_case_alerts()
    assert "Mungkin darurat" in said(sessions, "101") and ticket in said(sessions, "101")
    clock.advance(301)
    alerts.repeat_emergencies()
    assert len(inbox(sessions, "101")) == 1  # slower than an emergency's five minutes
    clock.advance(300)
    alerts.repeat_emergencies()
    assert "pengingat ke-1" in inbox(sessions, "101")[-1].text
    for _ in range(2):
        clock.advance(601)
        alerts.repeat_emergencies()
    assert "pengingat ke-3" in inbox(sessions, "101")[-1].text
    assert "ESKALASI" in said(sessions, "103") and ticket in said(sessions, "103")  # after 30 minutes
    press(desk, sessions, "101", act)
    count = len(inbox(sessions, "101"))
    clock.advance(1200)
    alerts.repeat_emergencies()
    assert len(inbox(sessions, "101")) == count  # looked at: no more repeats
    if act == "Ringkasan":
        with unit_of_work(sessions) as session:
            assert session.scalar(select(CaseEvent.actor).where(CaseEvent.kind == "danger_checked")).startswith("officer:")


# -- item 4: each duty on its own -----------------------------------------------------------


def test_one_failing_duty_stops_no_other(sessions, clock, caplog):
    staff(sessions, "Ani Yogya", "officer", "101", ["34"], clock=clock)
    alerts = OfficerAlerts(sessions, 120, "telegram", clock)
    with unit_of_work(sessions) as session:  # a danger question whose case cannot be opened: that duty fails every pass
        conversation = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=web_sender("broken"))
        session.add(EmergencyCheck(conversation_id=conversation.id, category="no-such-category", asked_at=clock() - timedelta(hours=1)))
    _, _, ticket = reporter_case(sessions, emergency=True)
    with caplog.at_level(logging.ERROR, logger="bot.duties.alerts"):
        check(alerts)
    assert ticket in said(sessions, "101")  # the emergency went out all the same
    assert alerts.failures["open_unanswered_checks"] == 1 and alerts.failing == {"open_unanswered_checks"}
    assert any("open_unanswered_checks" in r.getMessage() and "CaseError" in r.getMessage() for r in caplog.records)
    check(alerts)
    assert alerts.failures["open_unanswered_checks"] == 2


# -- item 10: a case without a place ---------------------------------------------------------


def test_a_case_without_a_place_is_national_staffs_unless_it_may_be_danger(sessions, desk, clock):
    staff(sessions, "Bayu Papua", "officer", "102", ["94"], clock=clock)
    staff(sessions, "Citra Koordinator", "coordinator", "103", on_duty=False)
    plain_conversation, _, plain = reporter_case(sessions, province=None, regency=None)
    danger_conversation, _, danger = reporter_case(sessions, province=None, regency=None, emergency=True)
    OfficerAlerts(sessions, 120, "telegram", clock).queue_case_alerts()
    assert plain not in said(sessions, "102") and plain in said(sessions, "103")
    assert danger in said(sessions, "102") and danger in said(sessions, "103")  # danger now: everyone hears
    for action in ("summary", "take"):
        desk._receive(OfficerInput("102", f"cb:{action}", "button", button=f"{action}:{plain_conversation}"))
    assert said(sessions, "102").count("di luar wilayah tugas") == 2 and "Ibu Sari" not in said(sessions, "102")
    desk._receive(OfficerInput("102", "cb:s2", "button", button=f"summary:{danger_conversation}"))
    assert f"📋 Ringkasan {danger}" in said(sessions, "102")
    desk._receive(OfficerInput("103", "cb:s3", "button", button=f"summary:{plain_conversation}"))
    assert f"📋 Ringkasan {plain}" in said(sessions, "103")


def test_who_is_alerted_and_who_may_see_agree(sessions, clock):
    """The remit in SQL (case_in_remit) and the alert's recipients (officer_covers) give the
    same answer for every officer and every kind of case, before anyone was alerted."""
    from referral.officers import case_in_remit, reachable_staff

    officers = {
        "yogya": staff(sessions, "Ani Yogya", "officer", "201", ["34"]),
        "sleman": staff(sessions, "Dewi Sleman", "officer", "202", ["34.04"]),
        "papua": staff(sessions, "Bayu Papua", "officer", "203", ["94"]),
        "diy coordinator": staff(sessions, "Sri Koordinator", "coordinator", "204", ["34"]),
        "national": staff(sessions, "Citra Koordinator", "coordinator", "205"),
    }
    cases = {
        "sleman": reporter_case(sessions, alert=False)[1],
        "bantul": reporter_case(sessions, regency="34.02", alert=False)[1],
        "no place": reporter_case(sessions, province=None, regency=None, alert=False)[1],
        "no place, emergency": reporter_case(sessions, province=None, regency=None, emergency=True, alert=False)[1],
        "no place, possible emergency": reporter_case(sessions, province=None, regency=None, alert=False)[1],
    }
    with unit_of_work(sessions) as session:
        session.add(CaseEvent(case_id=cases["no place, possible emergency"], actor="bot", kind="possible_emergency"))
    everyone = set(officers)
    expected = {
        "sleman": {"yogya", "sleman", "diy coordinator", "national"},
        "bantul": {"yogya", "diy coordinator", "national"},
        "no place": {"national"},
        "no place, emergency": everyone,
        "no place, possible emergency": everyone,
    }
    with unit_of_work(sessions) as session:
        for kind, case_id in cases.items():
            case = session.get(Case, case_id)
            covered = {name for name, oid in officers.items() if oid in {o.id for o in reachable_staff(session, case)}}
            may_see = {name for name, oid in officers.items()
                       if session.scalar(select(Case.id).where(Case.id == case_id, case_in_remit(session.get(Officer, oid))))}
            assert (kind, covered) == (kind, expected[kind])
            assert (kind, may_see) == (kind, expected[kind])
