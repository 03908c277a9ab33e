"""The report form on hand-built trackers: which questions each category asks, how replies
are read (buttons, typing, skip, cancel, unclear), corrections and the summary. No Rasa, no
database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import confirmation_from, contact_from, edit_item_from, is_cancel, is_skip, situation_from, victim_from
from actions.flows import FLOWS
from actions.location import LOCATION_SKIPPED
from actions.questions import AskConfirmed, AskContact, AskEditItem, AskSituation, AskVictim, summary
from actions.report import report_from_slots
from actions.report_form import CANCELLED, UNCLEAR, ActionAddToStory, ValidateReportForm

DOMAIN: dict[str, Any] = {}
FORM = ValidateReportForm()


def tracker(text: str = "", intent: str | None = None, confidence: float = 0.9, slots: dict | None = None, **message) -> Tracker:
    return Tracker(
        sender_id="reporter-1",
        slots=dict(slots or {}),
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "intent_ranking": [],
            "entities": [],
            "metadata": message.pop("metadata", {}),
            **message,
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "report_form"},
        latest_action_name=None,
    )


def asking(slot: str, text: str, intent: str | None = "inform", confidence: float = 0.9, **slots) -> Tracker:
    return tracker(text, intent, confidence, {"requested_slot": slot, "category": "violence", **slots})


def extract(slot: str, t: Tracker) -> dict[str, Any]:
    return asyncio.run(getattr(FORM, f"extract_{slot}")(CollectingDispatcher(), t, DOMAIN))


def validate(slot: str, value: Any, t: Tracker) -> dict[str, Any]:
    return asyncio.run(getattr(FORM, f"validate_{slot}")(value, CollectingDispatcher(), t, DOMAIN))


def required(slots: dict[str, Any]) -> list[str]:
    return asyncio.run(FORM.required_slots([], CollectingDispatcher(), tracker(slots=slots), DOMAIN))


def ask(action, slots: dict[str, Any]) -> dict[str, Any]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(slots=slots), DOMAIN))
    [message] = dispatcher.messages
    return message


# ---------------------------------------------------------------- which questions


@pytest.mark.parametrize(
    ("category", "questions"),
    [
        ("violence", ["description", "victim", "situation", "location", "contact", "confirmed"]),
        ("bullying", ["description", "victim", "situation", "location", "contact", "confirmed"]),
        ("elderly_care", ["description", "location", "contact", "confirmed"]),
        ("aid", ["description", "victim", "location", "contact", "confirmed"]),
    ],
)
def test_each_category_asks_what_a_case_worker_needs(category, questions):
    assert required({"category": category}) == questions


def test_a_phone_number_is_asked_only_when_they_choose_a_call_and_a_correction_only_when_asked():
    assert "contact_phone" in required({"category": "aid", "contact": "telepon"})
    assert "contact_phone" not in required({"category": "aid", "contact": "chat"})
    assert required({"category": "aid", "editing": True})[-2:] == ["edit_item", "confirmed"]


def test_in_an_emergency_only_where_is_asked_and_a_cancel_asks_nothing():
    assert required({"category": "violence", "emergency_ticket": "MPKS-2026-00001"}) == ["location"]
    assert required({"category": "violence", "report_cancelled": True}) == []


# ---------------------------------------------------------------- reading replies


@pytest.mark.parametrize("text", ["lewati", "Lewati aja", "skip", "gak usah", "tidak tahu", "rahasia"])
def test_skip_words(text):
    assert is_skip(text) and not is_cancel(text)


@pytest.mark.parametrize("text", ["batal", "Batal!", "gak jadi deh", "stop", "cancel", "never mind"])
def test_cancel_words(text):
    assert is_cancel(text) and not is_skip(text)


@pytest.mark.parametrize("text", ["tolong stop dia mukul saya", "lewat jalan belakang sekolah", "batal nikah karena dipaksa"])
def test_a_sentence_that_contains_the_word_is_not_a_skip_or_cancel(text):
    assert not is_skip(text) and not is_cancel(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("anak", "anak"), ("Anak saya yang kelas 3 SD", "anak"), ("istri saya", "perempuan"), ("mbah kakung", "lansia"),
     ("adik saya difabel", "disabilitas"), ("diri_sendiri", "diri_sendiri"), ("saya sendiri", "diri_sendiri"),
     ("myself", "diri_sendiri"), ("my daughter", "anak"), ("tetangga", "lainnya"), ("qwerty", None)],
)
def test_who(text, value):
    assert victim_from(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("masih berlangsung", "ongoing"), ("masih, tiap malam", "ongoing"), ("belum aman", "ongoing"), ("sudah aman", "safe"),
     ("udah berhenti kok", "safe"), ("dalam bahaya sekarang", "danger"), ("he still does it", "ongoing"),
     ("she is safe now", "safe"), ("entahlah", None)],
)
def test_still_going_on(text, value):
    assert situation_from(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("chat", "chat"), ("di sini aja", "chat"), ("ya boleh", "chat"), ("telepon", "telepon"), ("lewat telepon saja", "telepon"),
     ("anonim", "anonim"), ("jangan hubungi saya", "anonim"), ("tidak", "anonim"), ("by phone", "telepon"),
     ("no, stay anonymous", "anonim"), ("hmm", None)],
)
def test_may_we_contact_you(text, value):
    assert contact_from(text) == value


def test_confirmation_and_what_to_change():
    assert [confirmation_from(t) for t in ("benar", "Ya, sudah benar", "ubah", "ada yang salah", "hmm")] == [
        "benar", "benar", "ubah", "ubah", None]
    assert [edit_item_from(t) for t in ("location", "lokasinya salah", "nomor hp", "korban", "ceritanya", "apa")] == [
        "location", "location", "contact", "victim", "description", None]


# ---------------------------------------------------------------- extraction and validation


def test_a_button_answer_is_taken():
    assert extract("victim", asking("victim", "anak")) == {"victim": "anak"}
    assert validate("victim", "anak", asking("victim", "anak")) == {"victim": "anak"}


def test_a_guess_of_who_from_the_story_is_kept_only_when_the_words_agree():
    story = tracker("adik saya dipukuli ayah tiri tiap malam", "report_violence", slots={"category": "violence"})
    assert validate("victim", "lansia", story) == {"victim": "anak"}  # "adik": a child, whatever the guess
    vague = tracker("suami saya suka mukul", "report_violence", slots={"category": "violence"})
    assert validate("victim", "lansia", vague) == {"victim": None}  # nobody named plainly: we ask
    elderly = tracker("tolong ada yang terlantar", "request_elderly_care", slots={"category": "elderly_care"})
    assert validate("victim", "lansia", elderly) == {"victim": "lansia"}


def test_only_the_question_asked_is_answered():
    assert extract("victim", asking("situation", "anak")) == {}


def test_skip_is_kept_so_the_question_is_not_asked_again():
    assert extract("situation", asking("situation", "lewati")) == {"situation": LOCATION_SKIPPED}
    assert validate("situation", LOCATION_SKIPPED, asking("situation", "lewati")) == {"situation": LOCATION_SKIPPED}
    assert "situation" in required({"category": "violence"})
    slots = {"category": "violence", "situation": LOCATION_SKIPPED, "description": "x", "victim": "anak"}
    assert [slot for slot in required(slots) if slots.get(slot) is None][0] == "location"


def test_cancel_at_any_question_ends_the_form():
    for slot in ("description", "victim", "contact", "confirmed"):
        assert extract(slot, asking(slot, "batal")) == {slot: CANCELLED}
        assert validate(slot, CANCELLED, asking(slot, "batal")) == {slot: None, "report_cancelled": True}
    assert extract("location", asking("location", "batal")) == {"location": CANCELLED}
    assert validate("location", CANCELLED, asking("location", "batal"))["report_cancelled"] is True


def test_an_unclear_answer_is_asked_about_once_more_then_skipped():
    first = asking("contact", "hmm")
    assert extract("contact", first) == {"contact": UNCLEAR}
    assert validate("contact", UNCLEAR, first) == {"contact": None, "asked_again": ["contact"]}
    second = asking("contact", "hmm", asked_again=["contact"])
    assert validate("contact", UNCLEAR, second) == {"contact": LOCATION_SKIPPED}


def test_a_question_about_the_service_is_left_to_the_rules():
    assert extract("victim", asking("victim", "pskm itu apa?", intent="ask_services", confidence=0.95)) == {}
    assert extract("description", asking("description", "ini bot ya?", intent="bot_challenge", confidence=0.95)) == {}


def test_danger_the_safety_net_saw_goes_to_the_emergency_rule():
    fired = asking("contact", "dia datang bawa pisau", intent="emergency", confidence=1.0)
    fired.latest_message["safety_net"] = {"fired": True}
    assert extract("contact", fired) == {}
    assert extract("description", asking("description", "tolong dia mukul lagi", intent="emergency")) == {}


def test_a_plain_answer_the_classifier_alone_took_for_danger_is_an_answer():
    assert extract("victim", asking("victim", "myself", intent="emergency", confidence=0.95)) == {"victim": "diri_sendiri"}
    assert extract("victim", asking("victim", "qwerty", intent="emergency", confidence=0.95)) == {}  # sure: the check
    # unsure, the classifier is not heard over the answer: not an answer, so asked once more
    assert extract("victim", asking("victim", "qwerty", intent="emergency", confidence=0.7)) == {"victim": UNCLEAR}


def test_the_story_is_any_text_and_more_of_it_is_added():
    assert extract("description", asking("description", "suami saya memukul saya tiap malam", intent="report_violence")) == {
        "description": "suami saya memukul saya tiap malam"}
    dispatcher = CollectingDispatcher()
    more = tracker("dia juga mengancam anak saya", "report_violence", slots={"description": "suami saya memukul saya"})
    events = asyncio.run(ActionAddToStory().run(dispatcher, more, DOMAIN))
    assert events == [{"event": "slot", "timestamp": None, "name": "description", "value": "suami saya memukul saya\ndia juga mengancam anak saya"}]
    assert dispatcher.messages[0]["text"].startswith("Baik, sudah kami tambahkan")


def test_a_number_typed_at_the_contact_question_is_taken_as_a_call():
    assert extract("contact", asking("contact", "0812-3456-7890")) == {"contact": "telepon", "contact_phone": "+6281234567890"}


def test_a_wrong_number_is_asked_again_once_and_no_number_means_this_chat():
    assert extract("contact_phone", asking("contact_phone", "12345")) == {"contact_phone": UNCLEAR}
    # they agreed to a call, not to a chat: without a number nobody contacts them
    assert validate("contact_phone", LOCATION_SKIPPED, asking("contact_phone", "lewati")) == {
        "contact_phone": LOCATION_SKIPPED, "contact": LOCATION_SKIPPED}


def test_change_asks_which_part_and_clears_only_that_part():
    assert validate("confirmed", "ubah", asking("confirmed", "ubah")) == {"confirmed": None, "editing": True}
    cleared = validate("edit_item", "location", asking("edit_item", "lokasi", location="sleman", asked_again=["location", "victim"]))
    assert cleared["location"] is None and cleared["latitude"] is None and cleared["editing"] is False
    assert cleared["asked_again"] == ["victim"]  # the corrected question starts afresh
    assert "victim" not in cleared and "description" not in cleared


def test_a_summary_left_unanswered_twice_is_recorded_unconfirmed():
    assert validate("confirmed", UNCLEAR, asking("confirmed", "hmm")) == {"confirmed": None, "asked_again": ["confirmed"]}
    assert validate("confirmed", UNCLEAR, asking("confirmed", "hmm", asked_again=["confirmed"])) == {"confirmed": "unconfirmed"}


# ---------------------------------------------------------------- questions and summary


def test_questions_offer_their_answers_as_buttons_with_a_skip():
    victim = ask(AskVictim(), {"category": "violence"})
    assert [b["payload"] for b in victim["buttons"]] == ["anak", "perempuan", "lansia", "disabilitas", "diri_sendiri", "lainnya", "lewati"]
    situation = ask(AskSituation(), {"category": "violence", "language": "en"})
    assert [b["title"] for b in situation["buttons"]] == ["Still going on", "Safe now", "In danger now", "Skip"]
    contact = ask(AskContact(), {"category": "aid"})
    assert [b["payload"] for b in contact["buttons"]] == ["chat", "telepon", "anonim", "lewati"]
    assert ask(AskVictim(), {"category": "aid"})["text"] == "Bantuan ini untuk siapa?"


def test_a_question_asked_again_says_sorry_first():
    message = ask(AskContact(), {"category": "aid", "asked_again": ["contact"]})
    assert message["text"].startswith("Maaf, saya belum menangkap jawabannya")


def test_the_summary_shows_what_was_noted_and_offers_benar_and_ubah():
    slots = {"category": "violence", "description": "suami memukul saya", "victim": "diri_sendiri", "situation": "ongoing",
             "location": LOCATION_SKIPPED, "contact": "telepon", "contact_phone": "+6281234567890"}
    message = ask(AskConfirmed(), slots)
    assert message["text"].splitlines() == [
        "Ini yang kami catat:",
        "• Kejadian: suami memukul saya",
        "• Yang mengalami: Saya sendiri",
        "• Keadaan sekarang: Masih berlangsung",
        "• Lokasi: (tidak disebutkan)",
        "• Kontak: Lewat telepon (+6281234567890)",
        'Sudah benar? Jika ada yang perlu diperbaiki, pilih "Ubah".',
    ]
    assert [b["payload"] for b in message["buttons"]] == ["benar", "ubah"]
    elderly = summary(Tracker.from_dict({"sender_id": "x", "slots": {"category": "elderly_care", "victim": "lansia", "language": "en"}, "events": []}), "en")
    assert "Now:" not in elderly  # no "still going on?" for elderly care


def test_which_part_offers_only_the_questions_this_flow_asked():
    assert [b["payload"] for b in ask(AskEditItem(), {"category": "elderly_care"})["buttons"]] == ["description", "location", "contact"]


# ---------------------------------------------------------------- the report the case is opened from


def test_the_report_carries_consent_and_the_number_only_with_it():
    phone = report_from_slots(tracker(slots={"category": "violence", "contact": "telepon", "contact_phone": "+6281234567890",
                                             "situation": "ongoing", "victim": LOCATION_SKIPPED}))
    assert (phone.consent_contact, phone.contact_preference, phone.contact_phone, phone.ongoing, phone.victim) == (
        True, "phone", "+6281234567890", True, None)
    anonymous = report_from_slots(tracker(slots={"category": "aid", "contact": "anonim", "contact_phone": "+6281234567890"}))
    assert (anonymous.consent_contact, anonymous.contact_preference, anonymous.contact_phone) == (False, "none", None)
    skipped = report_from_slots(tracker(slots={"category": "aid", "contact": LOCATION_SKIPPED}))
    assert (skipped.consent_contact, skipped.contact_preference) == (False, None)
    no_number = report_from_slots(tracker(slots={"category": "aid", "contact": "telepon", "contact_phone": LOCATION_SKIPPED}))
    assert (no_number.consent_contact, no_number.contact_preference, no_number.contact_phone) == (True, "chat", None)


def test_every_flow_is_registered():
    assert set(FLOWS) == {"violence", "bullying", "elderly_care", "aid"}


# ---------------------------------------------------------------- what a review found (an attacker's and a newcomer's inputs)


@pytest.mark.parametrize("text", ["don't call me", "don\u2019t call", "please don't call", "no phone", "saya ga punya hp",
                                  "hp saya dipegang suami", "jangan wa", "jangan telepon"])
def test_a_refusal_is_never_read_as_consent(text):
    assert contact_from(text) == "anonim"


@pytest.mark.parametrize("text", ["ora aman", "teu aman", "mboten aman", "durung aman", "kurang aman", "not yet safe",
                                  "he never stopped", "aman gimana, tiap malam dipukul", "sudah berhenti tapi dia mengancam"])
def test_not_safe_in_any_language_is_still_going_on(text):
    assert situation_from(text) == "ongoing"


def test_not_in_danger_is_safe_and_danger_is_danger():
    assert [situation_from(t) for t in ("sudah tidak bahaya", "not in danger", "bahaya", "in danger now")] == ["safe", "safe", "danger", "danger"]


@pytest.mark.parametrize("text", ["udah gak jadi", "udahan", "saya mau berhenti", "jangan lanjut", "ora sido", "teu jadi"])
def test_more_ways_to_cancel(text):
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["nggak tau", "gatau", "ora ngerti"])
def test_more_ways_to_skip(text):
    assert is_skip(text)


def test_a_child_named_beside_the_reporter_is_a_child():
    assert [victim_from(t) for t in ("anak saya sendiri", "he hit me and my son", "cucu saya")] == ["anak", "anak", "anak"]


def test_no_changes_is_a_confirmation():
    assert [confirmation_from(t) for t in ("nggak ada yang salah", "yes that's right, no changes")] == ["benar", "benar"]


@pytest.mark.parametrize(("slot", "text", "intent"), [("confirmed", "ini bot ya?", "bot_challenge"),
                                                     ("contact", "pskm itu apa? gratis gak?", "ask_services"),
                                                     ("contact", "bisa saya bicara dengan petugas saja?", "request_human")])
def test_their_question_is_answered_not_taken_as_an_answer(slot, text, intent):
    assert extract(slot, asking(slot, text, intent=intent, confidence=0.95)) == {}


def test_a_sentence_in_answer_to_a_button_question_is_an_answer_and_never_joins_the_story():
    reply = asking("victim", "dia juga mukul anak saya", intent="report_violence", description="suami saya mukul saya")
    assert extract("victim", reply) == {"victim": "anak"}
    assert validate("victim", "anak", reply) == {"victim": "anak"}


def test_the_classifier_alone_cannot_turn_a_sentence_into_an_answer_when_it_is_sure():
    assert extract("victim", asking("victim", "myself", intent="emergency", confidence=0.7)) == {"victim": "diri_sendiri"}
    assert extract("situation", asking("situation", "masih, dia bawa pisau sekarang", intent="emergency", confidence=0.95)) == {}


def test_which_part_unclear_twice_goes_back_to_the_summary_and_ubah_works_again():
    twice = asking("edit_item", "hmm", asked_again=["edit_item"])
    assert validate("edit_item", UNCLEAR, twice) == {"edit_item": None, "editing": False, "confirmed": None}
    elderly = asking("edit_item", "korban", category="elderly_care", victim="lansia")
    assert validate("edit_item", "victim", elderly) == {"edit_item": None, "editing": False, "confirmed": None}


def test_a_greeting_or_thanks_when_asked_where_is_asked_about_once_more():
    assert extract("location", asking("location", "makasih", intent="thank", confidence=0.97)) == {"location": UNCLEAR}
    assert validate("location", UNCLEAR, asking("location", "makasih")) == {"location": None, "asked_again": ["location"]}


def test_a_number_is_found_in_a_sentence_and_with_the_trunk_zero():
    from referral.phones import find_phone

    assert extract("contact_phone", asking("contact_phone", "nomor saya 0812-3456-7890 ya")) == {"contact_phone": "+6281234567890"}
    assert find_phone("+62 0812 3456 7890") == "+6281234567890"
    assert find_phone("pesan 3 kali") is None


def test_working_hours_round_the_clock(tmp_path):
    from datetime import datetime

    from referral.service_hours import ServiceHours

    path = tmp_path / "hours.yml"
    path.write_text("hours:\n" + "".join(f"  {d}: 24h\n" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")))
    hours = ServiceHours.load(path)
    assert hours.is_open(datetime(2026, 11, 29, 17, 30)) and hours.describe("id") == "Senin–Minggu 00.00–24.00 WIB"
    path.write_text("hours:\n  mon: 9-5\n")
    with pytest.raises(ValueError, match="mon: expected HH:MM-HH:MM, 24h or closed"):
        ServiceHours.load(path)


# ---------------------------------------------------------------- what the reporter is told, answers first


def test_the_consent_question_says_who_receives_the_number():
    from actions.texts import action_text

    for key in ("ask_contact", "ask_contact_phone"):
        assert "petugas kami dan lembaga yang menangani" in action_text(key, "id")
        assert "the service that takes on your report" in action_text(key, "en")


def test_a_harmless_answer_the_classifier_alone_took_for_danger_is_read_as_an_answer():
    # "anak saya, umur 13 tahun" at "still going on?": not an answer to it, not danger either.
    unsure = asking("situation", "anak saya, umur 13 tahun", intent="emergency", confidence=0.85, category="bullying")
    assert extract("situation", unsure) == {"situation": UNCLEAR}  # asked once more, no emergency check
    assert extract("situation", asking("situation", "masih, tiap pulang sekolah", intent="emergency", confidence=0.85)) == {
        "situation": "ongoing"}
    story = asking("description", "anak saya dikunci di kamar tiap malam", intent="emergency", confidence=0.85)
    assert extract("description", story) == {"description": "anak saya dikunci di kamar tiap malam"}


def test_a_form_answer_reaches_the_emergency_check_with_the_net_or_a_confident_classifier():
    from actions.tracker_utils import CONFIDENT_DANGER

    sure = asking("situation", "saya takut dia pulang malam ini", intent="emergency", confidence=CONFIDENT_DANGER)
    assert extract("situation", sure) == {}
    net = asking("situation", "anak saya, umur 13 tahun", intent="emergency", confidence=0.5)
    net.latest_message["safety_net"] = {"fired": True, "rules": ["weapon"]}
    assert extract("situation", net) == {}
    # "in danger now?" is the danger question itself: any sign of danger in a sentence is a yes for the rules
    assert extract("danger_now", asking("danger_now", "dia masih di depan rumah", intent="emergency", confidence=0.6)) == {}


@pytest.mark.parametrize("text", ["anak sulung saya, 13 tahun", "anak saya masih kecil", "putri saya umur 13", "my son, 13 years old"])
def test_a_reply_that_only_says_who_is_never_danger_for_the_classifier_alone(text):
    # The classifier is often sure of such replies (saturated): it is still only who.
    assert extract("situation", asking("situation", text, intent="emergency", confidence=1.0)) == {"situation": UNCLEAR}
    assert extract("victim", asking("victim", text, intent="emergency", confidence=1.0)) == {"victim": "anak"}
    net = asking("situation", text, intent="emergency", confidence=1.0)
    net.latest_message["safety_net"] = {"fired": True, "rules": ["weapon"]}
    assert extract("situation", net) == {}


@pytest.mark.parametrize("text", ["anak saya takut pulang", "adik saya dikunci di gudang", "tolong anak saya", "dia kelas 7, umur 13 tahun"])
def test_more_than_who_is_not_only_who(text):
    from actions.answers import only_says_who

    assert not only_says_who(text)


def test_a_location_shared_at_another_question_is_taken_said_so_and_that_question_asked_again():
    shared = {"metadata": {"location": {"latitude": -7.7829, "longitude": 110.3671}}}
    at_victim = tracker("/provide_location", "provide_location", slots={"requested_slot": "victim", "category": "violence",
                                                                         "description": "suami saya mukul saya"}, **shared)
    assert "location" in asyncio.run(FORM.required_slots([], CollectingDispatcher(), at_victim, DOMAIN))
    assert extract("location", at_victim) == {"location": "-7.78290, 110.36710"}
    assert extract("victim", at_victim) == {}  # the question waits
    dispatcher = CollectingDispatcher()
    validated = asyncio.run(FORM.validate_location("-7.78290, 110.36710", dispatcher, at_victim, DOMAIN))
    assert validated == {"location": "-7.78290, 110.36710", "latitude": -7.7829, "longitude": 110.3671}
    assert [m["text"] for m in dispatcher.messages] == ["Terima kasih, lokasi yang Anda bagikan sudah kami catat."]
    # ... also while "in danger now?" waits (a question asked before the report's own)
    at_danger = tracker("/provide_location", "provide_location", slots={"requested_slot": "danger_now", "emergency_check": "then_report"},
                        **shared)
    assert asyncio.run(FORM.required_slots([], CollectingDispatcher(), at_danger, DOMAIN)) == ["danger_now", "location"]
    # asked where: nothing more to say
    at_where = tracker("/provide_location", "provide_location", slots={"requested_slot": "location"}, **shared)
    quiet = CollectingDispatcher()
    asyncio.run(FORM.validate_location("-7.78290, 110.36710", quiet, at_where, DOMAIN))
    assert quiet.messages == []


def test_answers_never_join_the_story():
    contact = asking("contact", "lewat chat ini saja", intent="ask_services", confidence=0.54, description="ditampar suaminya")
    assert extract("contact", contact) == {"contact": "chat"}
    assert validate("contact", "chat", contact) == {"contact": "chat"}
    situation = asking("situation", "masih, tiap dia pulang kerja", description="ditampar suaminya")
    assert validate("situation", "ongoing", situation) == {"situation": "ongoing"}


@pytest.mark.parametrize(
    ("text", "who"),
    [("adik ipar saya", "lainnya"), ("adek ipar sy", "lainnya"), ("kakak saya", "lainnya"), ("istri saya", "perempuan"),
     ("suami saya", "lainnya"), ("ibu mertua saya", "perempuan"), ("anak menantu saya", "lainnya"), ("adik saya", "anak"),
     ("adik saya yang kelas 4 SD", "anak")],
)
def test_the_victim_is_read_with_care(text, who):
    assert victim_from(text) == who


def test_adik_ipar_in_a_story_is_not_a_child():
    from actions.answers import victim_in_story
    from actions.report import start_report_events

    story = "adik ipar saya ditampar suaminya kalau pulang kerja"
    assert victim_in_story(story) is None and victim_in_story("adik saya ditampar ayah") == "anak"
    guessed = tracker(story, "report_violence", slots={"victim": "anak"})  # the NLU's entity guessed a child
    events = start_report_events(guessed, "violence")
    assert {"event": "slot", "timestamp": None, "name": "victim", "value": None} in events
    assert not any(e.get("name") == "victim" and e.get("value") == "anak" for e in events)


# ---------------------------------------------------------------- another report told during one


@pytest.mark.parametrize(
    ("category", "victim", "told", "text", "another"),
    [
        ("violence", None, "aid", "oh ya satu lagi, ibu mertua saya butuh bantuan sembako", True),  # another category
        ("violence", "diri_sendiri", "violence", "anak saya juga dipukul", True),  # another person named plainly
        ("violence", None, "violence", "oh iya ada lagi, tetangga saya dipukuli suaminya", True),  # "one more thing"
        ("violence", "diri_sendiri", "violence", "dia juga nendang saya kemarin", False),
        ("violence", "diri_sendiri", "bullying", "dia juga ngejek saya di depan tetangga", False),  # the classifier mixes these
        ("bullying", "anak", "violence", "anak saya, umur 13 tahun", False),
        ("elderly_care", "lansia", "elderly_care", "nenek juga sering lupa makan", False),
        ("violence", None, None, "satu lagi", False),  # no report in it
    ],
)
def test_another_report_or_more_of_this_story(category, victim, told, text, another):
    from actions.answers import another_report

    assert another_report(category, victim, told, text) is another


def test_another_report_told_during_one_is_kept_for_after_it_not_added_to_the_story():
    dispatcher = CollectingDispatcher()
    told = tracker("oh ya satu lagi, ibu mertua saya butuh bantuan sembako", "request_aid",
                   slots={"category": "violence", "description": "suami saya mukul saya", "requested_slot": "victim"})
    events = asyncio.run(ActionAddToStory().run(dispatcher, told, DOMAIN))
    assert events == [{"event": "slot", "timestamp": None, "name": "next_reports",
                       "value": [{"category": "aid", "text": "oh ya satu lagi, ibu mertua saya butuh bantuan sembako"}]}]
    assert [m["text"] for m in dispatcher.messages] == [
        "Baik, itu kami catat sebagai laporan tersendiri. Kita lanjutkan setelah laporan ini selesai."]
