"""The safety net, in the engine env (Rasa 3.6): the patterns, and the component on real Messages.

Run with: .venv-engine/bin/python -m pytest nlu_components/tests
"""

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.danger_now import danger_now
from nlu_components.danger_reader import Reading
from nlu_components.emergency_patterns import EmergencyPatterns, normalise
from nlu_components.safety_net import EmergencySafetyNet

CASES = yaml.safe_load((Path(__file__).parent / "safety_net_cases.yml").read_text(encoding="utf-8"))
PATTERNS = EmergencyPatterns.load()


@pytest.mark.parametrize("text", CASES["must_fire"])
def test_fires(text):
    assert PATTERNS.matching_rules(text), f"the safety net missed: {text!r}"


@pytest.mark.parametrize("text", CASES["must_not_fire"])
def test_does_not_fire(text):
    assert PATTERNS.matching_rules(text) == [], f"false alarm on: {text!r}"


def test_normalise_collapses_stretched_letters():
    assert normalise("TOLOOONG") == "tolong"


def test_normalise_is_the_readers_clean():
    assert normalise("tiba2 pi\u200bsau, pengen mati ketawa") == "tiba-tiba pisau, pengen  "


@pytest.mark.parametrize("text", CASES["questions_for_later"])
def test_a_question_for_later_fires_neither_rules_nor_reader(text):
    assert danger_now(text, PATTERNS) == ([], Reading())


@pytest.mark.parametrize("text", CASES["pleas_that_ask_what_to_do"])
def test_a_plea_that_asks_what_to_do_fires(text):
    fired, _ = danger_now(text, PATTERNS)
    assert fired, f"the net missed: {text!r}"


def test_no_pattern_has_two_unbounded_gaps():
    # "a.*b.*c" takes cubic time on a long message of repeated words ("bayi dibuang " × 500 took
    # 5.7 s): such a rule is written as groups of one rule instead (abandoned_baby_alive).
    patterns = [p.pattern for rule in PATTERNS.rules for group in (*rule.groups, *rule.raw_groups) for p in group]
    assert [p for p in patterns if p.count(".*") >= 2] == []


def test_component_overrides_the_classifier_and_keeps_its_ranking():
    net = EmergencySafetyNet({"patterns_file": None})
    message = Message(data={TEXT: "tlg skrg dia bawa pisau"})
    message.set(INTENT, {"name": "report_violence", "confidence": 0.81}, add_to_output=True)
    message.set(
        INTENT_RANKING_KEY,
        [{"name": "report_violence", "confidence": 0.81}, {"name": "emergency", "confidence": 0.1}],
        add_to_output=True,
    )
    net.process([message])
    output = message.as_dict(only_output_properties=True)
    assert output[INTENT] == {"name": "emergency", "confidence": 1.0}
    assert [e["name"] for e in output[INTENT_RANKING_KEY]] == ["emergency", "report_violence"]
    assert output["safety_net"]["classifier_intent"]["name"] == "report_violence"
    assert "weapon" in output["safety_net"]["rules"]


def test_component_leaves_calm_messages_and_button_payloads_alone():
    net = EmergencySafetyNet({"patterns_file": None})
    calm = Message(data={TEXT: "anak saya dibully di sekolah"})
    calm.set(INTENT, {"name": "report_bullying", "confidence": 0.9}, add_to_output=True)
    payload = Message(data={TEXT: '/provide_location{"location": "TOLONG"}'})
    payload.set(INTENT, {"name": "provide_location", "confidence": 1.0}, add_to_output=True)
    net.process([calm, payload])
    assert calm.get(INTENT)["name"] == "report_bullying" and calm.get("safety_net") is None
    assert payload.get(INTENT)["name"] == "provide_location"


def test_a_broken_rule_is_refused(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("rules:\n  - name: broken\n    all: [['(unclosed']]\n")
    with pytest.raises(ValueError, match="rule 'broken' is invalid"):
        EmergencyPatterns.load(path)
