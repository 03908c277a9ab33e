"""The held-out test set stays held out: big enough, every intent, nothing from the training data."""

import re
from collections import Counter

import pytest
import yaml

from tests.helpers import PROJECT_ROOT
from tests.unit.test_nlu_data import CONTRACT_INTENTS, examples_by_intent

TEST_SETS = sorted((PROJECT_ROOT / "tests" / "nlu").glob("test_set*.yml"))


def plain(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", text)
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def load(path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]


def held_out() -> list[dict]:
    """Every held-out file together, as `make eval-nlu` scores them."""
    return [message for path in TEST_SETS for message in load(path)]


def test_size_and_coverage():
    assert [p.name for p in TEST_SETS] == ["test_set.yml", "test_set_2.yml", "test_set_3.yml", "test_set_4.yml", "test_set_5.yml", "test_set_6.yml", "test_set_7.yml", "test_set_8.yml"]
    assert len(load(TEST_SETS[0])) >= 300
    for path in TEST_SETS:
        messages = load(path)
        assert set(Counter(m["intent"] for m in messages)) == CONTRACT_INTENTS, path.name
        assert {m["lang"] for m in messages} == {"id", "jv", "su", "en"}, path.name


def test_no_test_message_is_in_the_training_data():
    training = {plain(line) for lines in examples_by_intent().values() for line in lines}
    leaked = [m["text"] for m in held_out() if plain(m["text"]) in training]
    assert leaked == []


def test_no_duplicates_inside_or_across_the_test_sets():
    texts = [plain(m["text"]) for m in held_out()]
    assert len(texts) == len(set(texts))


ROUNDS = {
    "9": [PROJECT_ROOT / "tests" / "nlu" / "round9" / name for name in ("test_set_9.yml", "ideation.yml")],
    "10": [PROJECT_ROOT / "tests" / "nlu" / "round10" / name for name in ("test_set_10.yml", "ideation_10.yml")],
    "11": [PROJECT_ROOT / "tests" / "nlu" / "round11" / name for name in ("test_set_11.yml", "ideation_11.yml")],
}


def _tokens(text: str) -> set[str]:
    return set(plain(text).split())


@pytest.mark.parametrize("round_name", sorted(ROUNDS))
def test_a_rounds_sets_are_held_out_and_no_training_example_is_close_to_them(round_name):
    """A round's set and ideation file (scored apart): sized as issue 22 asks, every intent and
    kind, and no training example of five words or more equal or close (token Jaccard ≥ 0.6)
    to any of their messages (shorter ones, "hi there", "matur nuwun sanget", coincide by nature)."""
    held_set, ideation = (load(path) for path in ROUNDS[round_name])
    assert len(held_set) >= 300 and sum(m["intent"] == "emergency" for m in held_set) >= 80
    assert set(Counter(m["intent"] for m in held_set)) == CONTRACT_INTENTS
    assert {m["kind"] for m in held_set if m["intent"] == "emergency"} == {"medical", "suicide", "violence", "captivity", "missing"}
    assert sum(m["label"] == "ideation" for m in ideation) >= 150 and sum(m["label"] == "lookalike" for m in ideation) >= 150
    held = [_tokens(m["text"]) for m in held_set + ideation]
    training = [t for t in (_tokens(line) for lines in examples_by_intent().values() for line in lines) if len(t) >= 5]
    close = [t for t in training if any(len(t & h) / max(1, len(t | h)) >= 0.6 for h in held if len(t & h) >= 2)]
    assert close == []
