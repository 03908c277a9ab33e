"""The triage: what the bot does first with a message (nlu_components/triage.py), how the
reporter's answers to its two first questions are read, and which question the form asks."""

import pytest

from actions.answers import danger_from, wants_report_from
from actions.flows import FLOWS
from nlu_components.triage import Thresholds, decide, route_of
from tests.unit.test_actions import make_tracker

STRICT = Thresholds(min_report_evidence=0.6, min_report_confidence=0.7)


@pytest.mark.parametrize(
    "intent, confidence, net, evidence, route",
    [
        ("emergency", 1.0, True, 0.99, "emergency"),  # the net is the authority for danger now
        ("greet", 0.9, True, 0.1, "emergency"),  # whatever the classifier said
        ("emergency", 0.99, False, 0.99, "check_emergency"),  # the classifier alone only asks
        ("emergency", 0.99, False, None, "check_emergency"),
        ("report_violence", 0.95, False, 0.9, "report"),
        ("report_violence", 0.95, False, 0.59, "offer_report"),  # little evidence that anything is reported
        ("request_aid", 0.69, False, 0.9, "offer_report"),  # the classifier is unsure which report
        ("request_aid", 0.8, False, None, "report"),  # no gate in the model: the confidence alone
        ("out_of_scope", 0.9, False, 0.95, "other"),
        (None, 0.0, False, None, "other"),
    ],
)
def test_decide(intent, confidence, net, evidence, route):
    assert decide(intent, confidence, net, evidence, STRICT) == route


def test_a_parse_carries_its_route_and_an_older_model_routes_as_before():
    assert route_of({"intent": {"name": "report_violence", "confidence": 0.9}, "triage": {"route": "offer_report"}}) == "offer_report"
    assert route_of({"intent": {"name": "report_violence", "confidence": 0.2}}) == "report"
    assert route_of({"intent": {"name": "emergency", "confidence": 0.9}, "safety_net": {"fired": True}}) == "emergency"
    assert route_of({"intent": {"name": "emergency", "confidence": 0.9}, "triage": {"route": "bogus"}}) == "check_emergency"


@pytest.mark.parametrize(
    "text, answer",
    [
        ("ya", "ya"), ("Ya, dalam bahaya", "ya"), ("iya kak tolong", "ya"), ("gak aman", "ya"), ("ora aman", "ya"),
        ("not safe", "ya"), ("muhun", "ya"), ("yes", "ya"), ("bahaya banget", "ya"),
        ("tidak", "tidak"), ("Tidak", "tidak"), ("tidak dalam bahaya", "tidak"), ("aman kok", "tidak"), ("sudah aman", "tidak"),
        ("ora", "tidak"), ("mboten", "tidak"), ("henteu", "tidak"), ("no", "tidak"), ("becanda doang", "tidak"),
        ("i'm ok", "tidak"), ("ok makasih", "tidak"), ("gpp", "tidak"), ("rapopo", "tidak"), ("nope im fine", "tidak"),
        ("yeah", "ya"), ("yep", "ya"), ("iyah", "ya"), ("ho'oh", "ya"), ("enggeh", "ya"),
        # a reply that turns, or names someone else, is not a plain no: when in doubt, yes
        ("bukan saya, tapi adik saya", "ya"), ("my sister is, not me", "ya"), ("aman, tapi anak saya tidak", "ya"),
        ("enggak sih, cuma takut", "ya"), ("iya tapi udah pergi", "ya"),
        # unsure is no answer (asked once more, then an officer looks); "ok" or "mau" is no yes
        ("not sure", None), ("gak tau sih", None), ("belum tahu", None), ("mungkin", None),
        ("mau cerita aja", None), ("aku pengen curhat", None), ("wkwk", None), ("", None),
    ],
)
def test_is_anyone_in_danger_now(text, answer):
    assert danger_from(text) == answer


@pytest.mark.parametrize(
    "text, answer",
    [
        ("ya", "ya"), ("Ya, saya mau melapor", "ya"), ("iya mau lapor", "ya"), ("nggih", "ya"),
        ("tidak", "tidak"), ("gak mau", "tidak"), ("salah kirim", "tidak"), ("maaf salah nomor", "tidak"), ("no thanks", "tidak"),
        ("bukan kak", "tidak"), ("cuma curhat", "tidak"), ("boleh", "ya"), ("bisa kak", "ya"), ("silakan", "ya"), ("wkwk", None),
    ],
)
def test_do_you_want_to_report_something(text, answer):
    assert wants_report_from(text) == answer


def test_the_form_asks_the_triage_question_first():
    flow = FLOWS["violence"]
    assert flow.required_slots(make_tracker(slots={"emergency_check": "then_end", "report_offer": "pending"})) == ["danger_now"]
    assert flow.required_slots(make_tracker(slots={"report_offer": "pending"})) == ["wants_report"]
    assert flow.required_slots(make_tracker(slots={"report_offer": "pending", "report_cancelled": True})) == []
    assert flow.required_slots(make_tracker(slots={}))[0] == "description"
