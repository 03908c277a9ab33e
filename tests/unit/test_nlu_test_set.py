"""The held-out test set stays held out: big enough, every intent, nothing from the training data."""

import re
from collections import Counter

import yaml

from tests.helpers import PROJECT_ROOT
from tests.unit.test_nlu_data import CONTRACT_INTENTS, examples_by_intent

TEST_SET = PROJECT_ROOT / "tests" / "nlu" / "test_set.yml"


def plain(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", text)
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def held_out() -> list[dict]:
    return yaml.safe_load(TEST_SET.read_text(encoding="utf-8"))["messages"]


def test_size_and_coverage():
    messages = held_out()
    assert len(messages) >= 300
    assert set(Counter(m["intent"] for m in messages)) == CONTRACT_INTENTS
    assert {m["lang"] for m in messages} == {"id", "jv", "su", "en"}


def test_no_test_message_is_in_the_training_data():
    training = {plain(line) for lines in examples_by_intent().values() for line in lines}
    leaked = [m["text"] for m in held_out() if plain(m["text"]) in training]
    assert leaked == []


def test_no_duplicates_inside_the_test_set():
    texts = [plain(m["text"]) for m in held_out()]
    assert len(texts) == len(set(texts))
