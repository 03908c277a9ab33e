"""The training data covers the contract: every intent, enough examples, the fixed entities."""

import re
from collections import Counter

import yaml

from tests.helpers import PROJECT_ROOT

CONTRACT_INTENTS = {
    "report_violence", "report_bullying", "request_elderly_care", "request_aid", "emergency",
    "ask_case_status", "request_human", "provide_location", "ask_services",
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope",
}
CORE_INTENTS = {"report_violence", "report_bullying", "request_elderly_care", "request_aid", "emergency"}
VICTIM_VALUES = {"anak", "perempuan", "lansia", "disabilitas", "diri_sendiri", "lainnya"}


def examples_by_intent() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((PROJECT_ROOT / "nlu_data").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []) or []:
            if "intent" in block:
                lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
                found.setdefault(block["intent"], []).extend(lines)
    return found


def test_domain_lists_exactly_the_contract_intents_and_entities():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    assert set(domain["intents"]) == CONTRACT_INTENTS
    assert set(domain["entities"]) == {"location", "victim", "case_id", "phone"}


def test_every_intent_has_enough_examples():
    counts = Counter({intent: len(lines) for intent, lines in examples_by_intent().items()})
    assert set(counts) == CONTRACT_INTENTS
    for intent in CORE_INTENTS:
        assert counts[intent] >= 150, (intent, counts[intent])
    for intent in CONTRACT_INTENTS - CORE_INTENTS:
        assert counts[intent] >= 40, (intent, counts[intent])


def test_no_example_is_given_to_two_intents():
    owner: dict[str, str] = {}
    for intent, lines in examples_by_intent().items():
        for line in lines:
            plain = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", line).lower()
            assert owner.setdefault(plain, intent) == intent, f"{plain!r} in {owner[plain]} and {intent}"


def test_victim_annotations_use_contract_values():
    for lines in examples_by_intent().values():
        for line in lines:
            for value in re.findall(r'"entity": "victim", "value": "([^"]+)"', line):
                assert value in VICTIM_VALUES, line


def test_location_lookup_table_is_generated_from_the_gazetteer():
    path = PROJECT_ROOT / "nlu_data" / "nlu" / "lookup_location.yml"
    block = yaml.safe_load(path.read_text())["nlu"][0]
    names = {line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")}
    assert block["lookup"] == "location"
    assert {"sleman", "kasihan", "kotagede", "gunungkidul", "jakarta selatan"} <= names
    assert not {"baru", "timur", "selatan"} & names  # everyday words are left out
    assert len(names) > 7000
