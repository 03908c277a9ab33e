"""The dialogue's actions that read or write the database, on hand-built trackers against
the real database (SQLite and PostgreSQL): asking for a person, case status, a place or a
message after an emergency, the end of a report, not understood twice. No Rasa."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionContext, set_context
from actions.conversation import ActionGreet, ActionNotUnderstood, ActionRequestHuman
from actions.location import ActionRememberLocation
from actions.report import ActionOpenCase
from actions.status import ActionCaseStatus
from wiring.settings import Settings
from messaging.models import HandoffRequest
from messaging.store import get_or_create_conversation
from referral.models import Case
from referral.reports import Report, open_report, report_emergency
from referral.storage import unit_of_work
from tests.helpers import web_sender

KEY = "k" * 32
DOMAIN: dict[str, Any] = {}


@pytest.fixture
def context(database_url, tmp_path, sessions):
    config = tmp_path / "config"
    config.mkdir()
    for name in ("hotlines.yml", "routing.yml"):
        (config / name).write_text((Path("config") / name).read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings.from_env({
        "HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "HELPLINE_SECRET_KEY": KEY,
        "HELPLINE_CONFIG_DIR": str(config),
    })
    ctx = ActionContext(settings)
    set_context(ctx)
    yield ctx
    set_context(None)


def hours(ctx: ActionContext, table: str) -> None:
    (ctx.settings.config_dir / "service_hours.yml").write_text(f"timezone: Asia/Jakarta\nhours:\n{table}", encoding="utf-8")


def conversation(sessions, name: str = "reporter") -> tuple[str, int, int]:
    """A reporter's conversation as the gateway stores it: (Rasa's sender id, conversation id, reporter id)."""
    with unit_of_work(sessions) as session:
        found = get_or_create_conversation(session, secret_key=KEY, channel="webchat", address=web_sender(name))
        return found.engine_sender_id, found.id, found.reporter_id


def tracker(sender_id: str, text: str = "", intent: str | None = None, slots: dict | None = None, events=None, metadata=None) -> Tracker:
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9} if intent else {},
                        "intent_ranking": [], "entities": [], "metadata": metadata or {}},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


def run(action, t: Tracker) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return events, dispatcher


def test_asking_for_a_person_is_recorded_once_with_the_open_case(context, sessions):
    sender, conversation_id, reporter_id = conversation(sessions)
    with unit_of_work(sessions) as session:
        case_id = open_report(session, Report("violence", reporter_id=reporter_id, conversation_id=conversation_id)).id
    hours(context, "".join(f"  {day}: \"00:00-23:59\"\n" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")))
    _, first = run(ActionRequestHuman(), tracker(sender, "mau bicara dengan petugas", "request_human"))
    assert "kami sambungkan Anda dengan petugas" in first.messages[0]["text"]
    _, again = run(ActionRequestHuman(), tracker(sender, "mana petugasnya?", "request_human", slots={"language": "en"}))
    assert again.messages[0]["text"].startswith("Your request to talk to an officer is already noted")
    with unit_of_work(sessions) as session:
        [request] = session.query(HandoffRequest).all()
        assert (request.conversation_id, request.case_id, request.reason, request.status) == (conversation_id, case_id, "asked", "open")


def test_outside_working_hours_the_reporter_hears_the_hotlines_and_when_officers_are_back(context, sessions):
    sender, _, _ = conversation(sessions)
    hours(context, "  mon: closed\n")  # closed every day
    _, said = run(ActionRequestHuman(), tracker(sender, "mau ngomong sama orang", "request_human"))
    text = said.messages[0]["text"]
    assert "di luar jam layanan" in text and "112" in text and "129" in text


def test_status_without_a_ticket_lists_the_reporters_own_cases_as_buttons(context, sessions):
    sender, conversation_id, reporter_id = conversation(sessions, "mine")
    _, other_conversation, other_reporter = conversation(sessions, "someone else")
    with unit_of_work(sessions) as session:
        mine = [open_report(session, Report(c, reporter_id=reporter_id, conversation_id=conversation_id)).ticket for c in ("aid", "bullying")]
        theirs = open_report(session, Report("violence", reporter_id=other_reporter, conversation_id=other_conversation)).ticket
    _, listed = run(ActionCaseStatus(), tracker(sender, "laporan saya gimana?", "ask_case_status"))
    [message] = listed.messages
    assert [b["title"] for b in message["buttons"]] == mine[::-1]  # newest first, only their own
    assert [b["payload"] for b in message["buttons"]] == [f"status {t}" for t in mine[::-1]]
    _, answer = run(ActionCaseStatus(), tracker(sender, f"status {mine[0]}", "ask_case_status"))
    assert answer.messages[0]["text"].startswith(f"Laporan {mine[0]} sudah kami terima") and "Pembaruan terakhir:" in answer.messages[0]["text"]
    _, refused = run(ActionCaseStatus(), tracker(sender, f"status {theirs}", "ask_case_status"))
    _, missing = run(ActionCaseStatus(), tracker(sender, "status MPKS-2026-99999", "ask_case_status"))
    assert refused.messages[0]["text"].replace(theirs, "X") == missing.messages[0]["text"].replace("MPKS-2026-99999", "X")
    newcomer = conversation(sessions, "newcomer")[0]
    _, nothing = run(ActionCaseStatus(), tracker(newcomer, "status", "ask_case_status"))
    assert "nomor laporannya" in nothing.messages[0]["text"]


def test_after_an_emergency_a_message_or_a_place_is_added_to_its_case(context, sessions):
    sender, conversation_id, reporter_id = conversation(sessions)
    with unit_of_work(sessions) as session:
        case, _ = report_emergency(session, Report("violence", reporter_id=reporter_id, conversation_id=conversation_id, description="tolong"))
        ticket = case.ticket
    _, noted = run(ActionNotUnderstood(), tracker(sender, "dia sudah pergi tapi saya takut", "nlu_fallback"))
    assert ticket in noted.messages[0]["text"]
    _, placed = run(ActionRememberLocation(), tracker(sender, "di sleman", "provide_location"))
    assert ticket in placed.messages[0]["text"]
    with unit_of_work(sessions) as session:
        details = [e.detail["message"] for e in session.query(Case).filter_by(ticket=ticket).one().events if e.kind == "reporter_message"]
        assert details == ["dia sudah pergi tapi saya takut", "di sleman"]


def test_not_understood_twice_offers_a_person(context, sessions):
    sender, _, _ = conversation(sessions)
    first_event = {"event": "user", "text": "asdf", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    second_event = {"event": "user", "text": "qwer", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    _, once = run(ActionNotUnderstood(), tracker(sender, "asdf", "nlu_fallback", events=[first_event]))
    assert once.messages[0]["response"] == "utter_default"
    _, twice = run(ActionNotUnderstood(), tracker(sender, "qwer", "nlu_fallback", events=[first_event, second_event]))
    assert [b["payload"] for b in twice.messages[0]["buttons"]] == ["/request_human", "/ask_services"]


def test_salam_is_answered_with_salam(context):
    _, salam = run(ActionGreet(), tracker("x", "Assalamu'alaikum wr wb", "greet"))
    _, hello = run(ActionGreet(), tracker("x", "halo kak", "greet"))
    assert [salam.messages[0]["response"], hello.messages[0]["response"]] == ["utter_greet_salam", "utter_greet"]


def test_a_completed_report_opens_a_case_with_everything_the_flow_collected(context, sessions):
    sender, _, _ = conversation(sessions)
    slots = {"category": "bullying", "description": "anak saya dipalak kakak kelas", "victim": "anak", "situation": "ongoing",
             "location": "kec. kasihan, bantul", "contact": "telepon", "contact_phone": "+6281234567890", "confirmed": "benar"}
    events, said = run(ActionOpenCase(), tracker(sender, "benar", "affirm", slots=slots))
    text = said.messages[0]["text"]
    ticket = re.search(r"MPKS-\d{4}-\d{5,}", text).group(0)
    assert "hari ini juga" in text and f"status {ticket}" in text
    assert events and all(e["value"] is None for e in events)  # nothing carries over into the next report
    with unit_of_work(sessions) as session:
        case = session.query(Case).filter_by(ticket=ticket).one()
        assert (case.category, case.victim, case.urgency, case.consent_contact, case.contact_preference, case.contact_phone) == (
            "bullying", "anak", "high", True, "phone", "+6281234567890")
        assert case.district_code == "34.02.16" and "summary_confirmed" in [e.kind for e in case.events]


def test_a_cancelled_report_opens_nothing(context, sessions):
    sender, _, _ = conversation(sessions)
    events, said = run(ActionOpenCase(), tracker(sender, "batal", slots={"category": "aid", "report_cancelled": True}))
    assert "tidak ada kasus yang dibuka" in said.messages[0]["text"]
    assert all(e["value"] is None for e in events)
    with unit_of_work(sessions) as session:
        assert session.query(Case).count() == 0


def test_cancel_at_where_after_an_emergency_keeps_the_emergency_case_and_says_so(context, sessions):
    sender, conversation_id, reporter_id = conversation(sessions)
    with unit_of_work(sessions) as session:
        ticket = report_emergency(session, Report("violence", reporter_id=reporter_id, conversation_id=conversation_id))[0].ticket
    slots = {"category": "violence", "emergency_ticket": ticket, "report_cancelled": True}
    _, said = run(ActionOpenCase(), tracker(sender, "batal", slots=slots))
    assert ticket in said.messages[0]["text"] and "tidak ada kasus" not in said.messages[0]["text"]


def test_a_repeated_emergency_does_not_ask_where_when_the_case_knows(context, sessions):
    from actions.emergency import ActionEmergency

    sender, conversation_id, reporter_id = conversation(sessions)
    with unit_of_work(sessions) as session:
        report_emergency(session, Report("violence", reporter_id=reporter_id, conversation_id=conversation_id, location_text="depok, sleman"))
    events, said = run(ActionEmergency(), tracker(sender, "tolong dia datang lagi", "emergency"))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["location"] == "depok, sleman"  # so the form asks nothing more
    assert "112" in said.messages[0]["text"]


# -- another report told during one, and answers that never join the story (issue 21)

AID = "oh ya satu lagi, ibu mertua saya butuh bantuan sembako"


def form_tracker(sender_id: str, text: str, intent: str | None, slots: dict) -> Tracker:
    """A tracker while the report form asks a question."""
    t = tracker(sender_id, text, intent, slots=slots)
    t.active_loop = {"name": "report_form"}
    return t


def test_an_aid_request_told_at_an_emergencys_where_opens_its_own_case_after_it(context, sessions):
    from actions.report_form import ActionAddToStory

    sender, conversation_id, reporter_id = conversation(sessions)
    with unit_of_work(sessions) as session:
        emergency, _ = report_emergency(session, Report("violence", reporter_id=reporter_id, conversation_id=conversation_id,
                                                        description="tolong sekarang suami lagi mukulin saya"))
        ticket = emergency.ticket
    asking_where = {"category": "violence", "emergency_ticket": ticket, "requested_slot": "location"}
    events, said = run(ActionAddToStory(), form_tracker(sender, AID, "request_aid", asking_where))
    assert said.messages[0]["text"].startswith("Baik, itu kami catat sebagai laporan tersendiri")
    [waiting] = [e["value"] for e in events if e["name"] == "next_reports"]

    # where is answered: the emergency case gets its place, then the aid report starts
    events, said = run(ActionOpenCase(), tracker(sender, "depok, sleman", "provide_location",
                                                 slots={**asking_where, "location": "depok, sleman", "next_reports": waiting}))
    texts = [m.get("text") for m in said.messages]
    assert texts[0].startswith(f"Lokasi sudah kami tambahkan ke laporan {ticket}")
    assert texts[1] == "Sekarang kita catat laporan Anda yang lain." and said.messages[2]["response"] == "utter_ack_aid"
    assert {"event": "followup", "timestamp": None, "name": "report_form"} in events
    slots = {}
    for event in events:
        if event["event"] == "slot":
            slots[event["name"]] = event["value"]
    assert (slots["category"], slots["description"], slots["next_reports"], slots["emergency_ticket"]) == ("aid", AID, None, None)
    assert slots.get("victim") is None  # "ibu mertua": not a child; the aid flow asks for whom

    # the aid report, completed, is a case of its own
    done = {"category": "aid", "description": AID, "victim": "perempuan", "location": "depok, sleman", "contact": "chat",
            "confirmed": "benar"}
    _, said = run(ActionOpenCase(), tracker(sender, "benar", "affirm", slots=done))
    aid_ticket = re.search(r"MPKS-\d{4}-\d{5,}", said.messages[0]["text"]).group(0)
    with unit_of_work(sessions) as session:
        cases = {c.ticket: c for c in session.query(Case).filter_by(conversation_id=conversation_id)}
        assert set(cases) == {ticket, aid_ticket}
        assert "sembako" not in (cases[ticket].description or "") and cases[ticket].location_text == "depok, sleman"
        assert (cases[aid_ticket].category, cases[aid_ticket].is_emergency, cases[aid_ticket].description) == ("aid", False, AID)


def test_more_of_the_story_at_an_emergencys_where_is_added_to_the_emergency_case(context, sessions):
    from actions.report_form import ActionAddToStory

    sender, conversation_id, reporter_id = conversation(sessions)
    with unit_of_work(sessions) as session:
        ticket = report_emergency(session, Report("violence", reporter_id=reporter_id, conversation_id=conversation_id))[0].ticket
    asking_where = {"category": "violence", "emergency_ticket": ticket, "requested_slot": "location"}
    events, said = run(ActionAddToStory(), form_tracker(sender, "dia juga sudah mukul saya minggu lalu", "report_violence", asking_where))
    assert events == [] and ticket in said.messages[0]["text"]  # not a description the emergency case would never read
    with unit_of_work(sessions) as session:
        case = session.query(Case).filter_by(ticket=ticket).one()
        assert [e.detail["message"] for e in case.events if e.kind == "reporter_message"] == ["dia juga sudah mukul saya minggu lalu"]


def test_a_report_waiting_behind_a_cancelled_one_still_starts(context, sessions):
    sender, _, _ = conversation(sessions)
    waiting = [{"category": "elderly_care", "text": "nenek saya tinggal sendiri sudah pikun"}]
    events, said = run(ActionOpenCase(), tracker(sender, "batal", slots={"category": "aid", "report_cancelled": True,
                                                                          "next_reports": waiting}))
    assert "tidak ada kasus yang dibuka" in said.messages[0]["text"]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert (slots["category"], slots["victim"]) == ("elderly_care", "lansia")
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "report_form"}


def test_danger_chosen_at_still_going_on_keeps_the_story_without_the_answer(context, sessions):
    from actions.report_form import ValidateReportForm

    sender, conversation_id, _ = conversation(sessions)
    slots = {"category": "violence", "description": "adik ipar saya ditampar suaminya", "victim": "lainnya", "requested_slot": "situation"}
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateReportForm().validate_situation(
        "danger", dispatcher, form_tracker(sender, "dalam bahaya sekarang", None, slots), DOMAIN))
    assert result["situation"] == "danger"
    with unit_of_work(sessions) as session:
        case = session.query(Case).filter_by(ticket=result["emergency_ticket"]).one()
        assert case.description == "adik ipar saya ditampar suaminya" and case.victim == "lainnya"
