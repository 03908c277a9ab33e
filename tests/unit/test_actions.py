"""The custom actions on hand-built Rasa SDK trackers: returned events and dispatched messages.

No Rasa server, no database: only the (real) gazetteer is used, loaded once for the module.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionContext, set_context
from actions.language import ActionSetLanguage
from actions.location import LOCATION_SKIPPED, ActionRememberLocation, choice_buttons
from actions.questions import ActionAskLocation
from actions.report import ActionStartReport, referral_sentence
from actions.report_form import UNCLEAR, ValidateReportForm
from actions.status import ActionCaseStatus
from actions.texts import TEXTS, action_text, tracker_language
from actions.tracker_utils import category_from_ranking, report_description, shared_location
from wiring.settings import Settings
from referral.routing import Candidate, FacilityPoint, RouteResult

DOMAIN: dict[str, Any] = {}


# ---------------------------------------------------------------- fixtures and builders


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> Iterator[ActionContext]:
    tmp_path = tmp_path_factory.mktemp("actions")
    ctx = ActionContext(
        Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.db")})
    )
    ctx.gazetteer  # load once for the whole module
    set_context(ctx)
    yield ctx
    set_context(None)
    # Nothing here may open the database.
    assert "sessions" not in ctx.__dict__
    assert not (tmp_path / "x.db").exists()


def user_event(text: str, intent: str | None = None) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": None,
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
    }


def make_tracker(
    text: str = "",
    intent: str | None = None,
    confidence: float = 0.9,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    ranking: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "reporter-1",
    triage: dict[str, Any] | None = None,
) -> Tracker:
    intent_data = {"name": intent, "confidence": confidence} if intent else {}
    latest = {
        "text": text,
        "intent": intent_data,
        "intent_ranking": ranking if ranking is not None else ([intent_data] if intent else []),
        "entities": [],
        "metadata": metadata or {},
    }
    if triage is not None:
        latest["triage"] = triage
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


def asking_location(text: str = "", intent: str | None = "provide_location", confidence: float = 0.9, **kw) -> Tracker:
    """A tracker while the report form asks where."""
    slots = {"requested_slot": "location", "location_retry": False, **kw.pop("slots", {})}
    return Tracker(
        sender_id="reporter-1",
        slots=slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "intent_ranking": [{"name": intent, "confidence": confidence}] if intent else [],
            "entities": [],
            "metadata": kw.pop("metadata", {}),
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "report_form"},
        latest_action_name=None,
    )


def extract(tracker: Tracker) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateReportForm().extract_location(dispatcher, tracker, DOMAIN))
    return result, dispatcher


def validate(value: Any, tracker: Tracker) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateReportForm().validate_location(value, dispatcher, tracker, DOMAIN))
    return result, dispatcher


def run(action, tracker: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher


JOGJA = {"location": {"latitude": -7.7970681, "longitude": 110.3705232}}


# ---------------------------------------------------------------- extract_location


def test_extract_shared_location_fills_lat_lon_to_five_decimals(context):
    result, dispatcher = extract(asking_location("", intent=None, metadata=JOGJA))
    assert result == {"location": "-7.79707, 110.37052"}
    assert dispatcher.messages == []


def test_extract_shared_location_wins_over_text_and_intent(context):
    result, _ = extract(asking_location("/emergency", intent="emergency", confidence=0.99, metadata=JOGJA))
    assert result == {"location": "-7.79707, 110.37052"}


@pytest.mark.parametrize("reply", ["lewati", "Lewati saja", "skip", "gak mau", "rahasia"])
def test_extract_clear_refusal_with_deny_skips(context, reply):
    result, _ = extract(asking_location(reply, intent="deny", confidence=0.55))
    assert result == {"location": LOCATION_SKIPPED}


def test_extract_confident_deny_skips_even_without_a_skip_word(context):
    result, _ = extract(asking_location("males ah", intent="deny", confidence=0.9))
    assert result == {"location": LOCATION_SKIPPED}


def test_extract_unsure_deny_without_skip_word_is_taken_as_typed(context):
    # Nonsense can look like `deny` to the model: it is not a refusal.
    result, _ = extract(asking_location("blablabla qwerty", intent="deny", confidence=0.5))
    assert result == {"location": "blablabla qwerty"}


@pytest.mark.parametrize("intent", ["provide_location", "greet", None])
def test_extract_a_skip_word_skips_whatever_the_intent(context, intent):
    # Every question can be skipped by saying so, however the classifier read "lewati".
    result, _ = extract(asking_location("lewati", intent=intent, confidence=0.6))
    assert result == {"location": LOCATION_SKIPPED}


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        ("Sleman", "ask_services"),
        ("kec. kasihan, bantul", "report_violence"),
        ("kota yogyakarta", "greet"),
    ],
)
def test_extract_known_place_is_taken_whatever_the_intent(context, reply, intent):
    result, _ = extract(asking_location(reply, intent=intent, confidence=0.97))
    assert result == {"location": reply}


def test_extract_confident_other_intent_with_unknown_place_is_not_taken(context):
    result, dispatcher = extract(asking_location("layanan apa saja yang ada?", intent="ask_services", confidence=0.95))
    assert result == {}
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("reply", "intent", "expected"),
    [
        # the gazetteer knows a village "Kasih" and villages "Selamat": a thank-you or a greeting
        # is not where; it is asked about once more (no rule answers it mid-form)
        ("terima kasih", "thank", {"location": UNCLEAR}),
        ("halo selamat pagi", "greet", {"location": UNCLEAR}),
        # ... and a village "Tolong": more of the story is left to its rule
        ("tolong saya dipukul suami", "report_violence", {}),
    ],
)
def test_extract_everyday_words_that_name_a_village_are_not_a_place(context, reply, intent, expected):
    result, _ = extract(asking_location(reply, intent=intent, confidence=0.97))
    assert result == expected


def test_extract_unsure_other_intent_with_unknown_place_is_taken(context):
    result, _ = extract(asking_location("layanan apa saja yang ada?", intent="ask_services", confidence=0.5))
    assert result == {"location": "layanan apa saja yang ada?"}


@pytest.mark.parametrize("reply", ["tolong ada yang mau bunuh saya", "Sleman"])
def test_extract_danger_the_net_saw_is_not_taken(context, reply):
    t = asking_location(reply, intent="emergency", confidence=0.6)
    t.latest_message["safety_net"] = {"fired": True, "rules": ["threat_to_kill"]}
    result, _ = extract(t)
    assert result == {}


def test_extract_a_confident_classifier_emergency_is_not_taken(context):
    result, _ = extract(asking_location("tolong saya takut sekali", intent="emergency", confidence=0.95))
    assert result == {}


def test_extract_an_unsure_classifier_emergency_is_read_as_the_place_first(context):
    # Inside the form an answer is an answer first: the classifier alone, unsure, is not heard over it.
    result, _ = extract(asking_location("Sleman", intent="emergency", confidence=0.6))
    assert result == {"location": "Sleman"}


def test_extract_button_payload_is_not_taken(context):
    payload = "/provide_location" + json.dumps({"location": "Kota Depok, Jawa Barat"})
    result, _ = extract(asking_location(payload, intent="provide_location", confidence=1.0))
    assert result == {}


def test_extract_empty_text_is_not_taken(context):
    result, _ = extract(asking_location("   ", intent="provide_location"))
    assert result == {}


@pytest.mark.parametrize("requested", [None, "victim"])
def test_extract_a_typed_place_only_when_location_is_requested(context, requested):
    tracker = asking_location("Sleman", intent="provide_location", slots={"requested_slot": requested})
    result, _ = extract(tracker)
    assert result == {}


@pytest.mark.parametrize("requested", ["victim", "contact"])
def test_extract_a_shared_location_at_any_question(context, requested):
    tracker = asking_location("/provide_location", intent="provide_location", metadata=JOGJA, slots={"requested_slot": requested})
    result, _ = extract(tracker)
    assert result == {"location": "-7.79707, 110.37052"}


def test_extract_cuts_a_long_reply(context):
    reply = "di dekat pasar " + "x" * 400
    result, _ = extract(asking_location(reply, intent="provide_location", confidence=0.6))
    assert result == {"location": reply[:200]}


# ---------------------------------------------------------------- validate_location


def test_validate_unknown_place_asks_again_once(context):
    result, dispatcher = validate("blablabla qwerty", asking_location("blablabla qwerty"))
    assert result == {"location": None, "location_retry": True, "location_choices": None}
    assert dispatcher.messages == []


def test_validate_ambiguous_place_offers_up_to_three_full_names(context):
    result, _ = validate("depok", asking_location("depok"))
    assert result["location"] is None
    assert result["location_retry"] is True
    choices = result["location_choices"]
    assert 2 <= len(choices) <= 3
    assert choices[0] == "Kota Depok, Jawa Barat"
    assert "Depok, Kabupaten Sleman, Daerah Istimewa Yogyakarta" in choices
    assert all("," in choice for choice in choices)  # full names, not the typed word


def test_validate_clear_place_is_accepted(context):
    result, _ = validate("depok sleman", asking_location("depok sleman"))
    assert result == {"location": "depok sleman", "location_choices": None}


@pytest.mark.parametrize("reply", ["blablabla qwerty", "depok"])
def test_validate_second_answer_is_kept_as_typed(context, reply):
    tracker = asking_location(reply, slots={"location_retry": True, "location_choices": ["a", "b"]})
    result, _ = validate(reply, tracker)
    assert result == {"location": reply, "location_choices": None}


def test_validate_skipped_is_kept_and_the_form_moves_on(context):
    result, dispatcher = validate(LOCATION_SKIPPED, asking_location("lewati", intent="deny"))
    assert result == {"location": LOCATION_SKIPPED}
    assert dispatcher.messages == []  # the next question follows; no extra message


def test_validate_shared_location_sets_coordinates(context):
    tracker = asking_location("", intent=None, metadata=JOGJA)
    result, dispatcher = validate("-7.79707, 110.37052", tracker)
    assert result == {"location": "-7.79707, 110.37052", "latitude": -7.7970681, "longitude": 110.3705232}
    assert dispatcher.messages == []


def test_extract_then_validate_shared_location(context):
    tracker = asking_location("", intent=None, metadata=JOGJA)
    extracted, _ = extract(tracker)
    result, _ = validate(extracted["location"], tracker)
    assert result["latitude"] == pytest.approx(-7.7970681)
    assert result["longitude"] == pytest.approx(110.3705232)
    assert result["location"] == extracted["location"]


# ---------------------------------------------------------------- tracker_utils


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": 91, "longitude": 110},
        {"latitude": -90.5, "longitude": 110},
        {"latitude": -7.8, "longitude": 180.1},
        {"latitude": -7.8, "longitude": -181},
        {"latitude": "utara", "longitude": 110},
        {"latitude": -7.8, "longitude": None},
        {"latitude": -7.8},
        {"latitude": "nan", "longitude": 110},
        {"latitude": -7.8, "longitude": "inf"},
        "jalan malioboro",
    ],
)
def test_shared_location_rejects_bad_coordinates(location):
    assert shared_location(make_tracker(metadata={"location": location})) is None


def test_shared_location_accepts_numeric_strings_and_edges():
    assert shared_location(make_tracker(metadata={"location": {"latitude": "-7.8", "longitude": "110.4"}})) == (
        -7.8,
        110.4,
    )
    assert shared_location(make_tracker(metadata={"location": {"latitude": 90, "longitude": -180}})) == (90.0, -180.0)


def test_shared_location_none_without_metadata():
    assert shared_location(make_tracker("Sleman")) is None


def test_report_description_collects_since_last_report_intent():
    events = [
        user_event("halo", "greet"),
        user_event("kemarin saya dibully", "report_bullying"),  # an earlier report
        {"event": "bot", "timestamp": None, "text": "..."},
        user_event("suami saya memukul saya", "report_violence"),
        user_event("dia juga ngancam anak saya", "inform"),  # more of the story, nothing was asked
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": "location"},
        {"event": "bot", "timestamp": None, "text": "Di mana?"},
        user_event("/affirm", "affirm"),
        user_event("  ", "provide_location"),
        user_event("di sleman", "provide_location"),  # an answer: never the story
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": "contact_preference"},
        user_event("lewat chat ini saja", "inform"),
    ]
    assert report_description(make_tracker(events=events)) == "suami saya memukul saya\ndia juga ngancam anak saya"


def test_report_description_stops_at_an_emergency_and_skips_its_payload():
    events = [
        user_event("cerita lama", "report_aid"),
        user_event("/emergency", "emergency"),
        user_event("dia bawa pisau", "inform"),
    ]
    assert report_description(make_tracker(events=events)) == "dia bawa pisau"


def test_report_description_limit_and_none():
    assert report_description(make_tracker(events=[user_event("a" * 50, "report_violence")]), limit=10) == "a" * 10
    assert report_description(make_tracker(events=[user_event("/report_violence", "report_violence")])) is None
    assert report_description(make_tracker(events=[])) is None


@pytest.mark.parametrize(
    ("ranking", "category"),
    [
        (
            [
                {"name": "emergency", "confidence": 0.6},
                {"name": "report_bullying", "confidence": 0.3},
                {"name": "report_violence", "confidence": 0.1},
            ],
            "bullying",
        ),
        ([{"name": "emergency", "confidence": 0.5}, {"name": "request_elderly_care", "confidence": 0.25}], "elderly_care"),
        ([{"name": "request_aid", "confidence": 0.7}, {"name": "report_bullying", "confidence": 0.2}], "aid"),
        ([{"name": "emergency", "confidence": 0.9}, {"name": "request_aid", "confidence": 0.24}], "violence"),
        ([{"name": "greet", "confidence": 0.9}], "violence"),
        ([], "violence"),
    ],
)
def test_category_from_ranking(ranking, category):
    assert category_from_ranking(make_tracker("tolong", "emergency", ranking=ranking)) == category


# ---------------------------------------------------------------- ActionSetLanguage


@pytest.mark.parametrize(
    ("detected", "current", "expected"),
    [
        ("en", "id", [SlotSet("language", "en")]),
        ("id", "en", [SlotSet("language", "id")]),
        ("en", None, [SlotSet("language", "en")]),
        ("en", "en", []),
        ("id", "id", []),
        ("fr", "id", []),
        ("jv", None, []),
        (None, "en", []),
    ],
)
def test_set_language(detected, current, expected):
    metadata = {"language": detected} if detected else {}
    events, dispatcher = run(ActionSetLanguage(), make_tracker("hi", "greet", slots={"language": current}, metadata=metadata))
    assert events == expected
    assert dispatcher.messages == []


# ---------------------------------------------------------------- texts and referral_sentence


def test_unrouted_sentence_per_language():
    english = referral_sentence(None, "en")
    indonesian = referral_sentence(None, "id")
    assert english == "Our regional coordinator will find the most suitable service."
    assert indonesian.startswith("Koordinator wilayah kami akan mencarikan layanan")
    assert english != indonesian


def _route(facility: Candidate | None, fallback: dict | None = None) -> RouteResult:
    return RouteResult("violence", ("shelter",), -7.8, 110.4, facility, fallback=fallback)


def _candidate(distance: float) -> Candidate:
    point = FacilityPoint("F1", "UPTD PPA Sleman", "PARTNER", frozenset({"shelter"}), -7.7, 110.35)
    return Candidate(point, distance)


def test_referred_sentence_names_facility_and_distance():
    assert referral_sentence(_route(_candidate(12.4)), "en") == (
        "We are passing your report to UPTD PPA Sleman (a partner service), about 12 km from you."
    )
    indonesian = referral_sentence(_route(_candidate(0.4)), "id")
    assert "UPTD PPA Sleman (mitra layanan)" in indonesian and "kurang dari 1 km" in indonesian
    assert "less than 1 km" in referral_sentence(_route(_candidate(0.4)), "en")


def test_fallback_sentences():
    assert referral_sentence(_route(None, {"level": "province"}), "en") == TEXTS["to_province"]["en"]
    assert referral_sentence(_route(None, {"level": "national"}), "id") == TEXTS["to_national"]["id"]
    assert referral_sentence(_route(None), "en") == TEXTS["to_national"]["en"]


def test_tracker_language_defaults_to_indonesian():
    assert tracker_language(make_tracker(slots={"language": "en"})) == "en"
    assert tracker_language(make_tracker(slots={"language": "id"})) == "id"
    assert tracker_language(make_tracker(slots={"language": "fr"})) == "id"
    assert tracker_language(make_tracker(slots={})) == "id"
    assert action_text("status_which", "fr") == TEXTS["status_which"]["id"]


def test_every_text_has_both_languages_with_the_same_fields():
    import string

    for key, variants in TEXTS.items():
        assert set(variants) == {"id", "en"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(v) if f} for v in variants.values()]
        assert fields[0] == fields[1], key


# ---------------------------------------------------------------- other actions that need no database


def test_start_report_sets_category_and_clears_what_an_earlier_report_left(context):
    earlier = {"situation": "safe", "contact": "anonim", "emergency_ticket": "MPKS-2026-00009", "location": "sleman"}
    events, dispatcher = run(ActionStartReport(), make_tracker("anak saya dibully di sekolah", "report_bullying", slots=earlier))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["category"] == "bullying"
    assert slots["description"] == "anak saya dibully di sekolah"  # says enough: not asked again
    assert slots["victim"] == "anak"  # the story says who
    assert slots["situation"] is None and slots["contact"] is None and slots["emergency_ticket"] is None
    assert "location" not in slots  # a place given before the report is kept
    assert "report_offer" not in slots or slots["report_offer"] is None
    assert [m.get("response") for m in dispatcher.messages] == ["utter_ack_bullying"]  # acknowledged once


def test_start_report_with_too_little_to_go_on_asks_what_happened(context):
    events, _ = run(ActionStartReport(), make_tracker("mau lapor", "report_violence"))
    assert "description" not in {e["name"] for e in events if e["value"] is not None}


def test_start_report_for_elderly_care_knows_who(context):
    events, _ = run(ActionStartReport(), make_tracker("tolong bantu mbah saya", "request_elderly_care"))
    assert SlotSet("victim", "lansia") in events


def test_start_report_defaults_to_violence(context):
    events, _ = run(ActionStartReport(), make_tracker("tolong", "affirm"))
    assert SlotSet("category", "violence") in events


def test_ask_location_plain_retry_and_choices():
    _, plain = run(ActionAskLocation(), make_tracker(slots={"location_retry": False}))
    assert [m["response"] for m in plain.messages] == ["utter_ask_location"]
    _, retry = run(ActionAskLocation(), make_tracker(slots={"location_retry": True}))
    assert [m["response"] for m in retry.messages] == ["utter_location_not_found"]
    places = ["Kota Depok, Jawa Barat", "Depok, Kabupaten Sleman, Daerah Istimewa Yogyakarta"]
    _, which = run(ActionAskLocation(), make_tracker(slots={"location_retry": True, "location_choices": places}))
    [message] = which.messages
    assert message["response"] == "utter_ask_which_place"
    assert message["buttons"] == choice_buttons(places)
    assert [b["title"] for b in message["buttons"]] == places
    payload = message["buttons"][1]["payload"]
    assert payload.startswith("/provide_location")
    assert json.loads(payload[len("/provide_location") :]) == {"location": places[1]}


def test_a_text_has_a_variant_for_a_kind_of_danger_only_where_one_is_written():
    from actions.texts import text_for_kind

    assert text_for_kind("emergency_hotlines", "medical") == "emergency_hotlines_medical"
    assert text_for_kind("emergency_hotlines", "suicide") == "emergency_hotlines_suicide"
    assert text_for_kind("emergency_hotlines", "violence") == "emergency_hotlines"
    assert text_for_kind("emergency_hotlines", None) == "emergency_hotlines"


def test_the_kind_of_danger_is_the_nets_else_the_gates():
    from actions.tracker_utils import danger_kind

    t = make_tracker("x", "emergency")
    t.latest_message["danger"] = {"kind": "medical"}
    assert danger_kind(t) == "medical"
    t.latest_message["safety_net"] = {"fired": True, "kind": "suicide"}
    assert danger_kind(t) == "suicide"
    t.latest_message["safety_net"] = {"fired": True, "kind": "nonsense"}
    assert danger_kind(t) == "medical"
