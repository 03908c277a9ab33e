"""The safety net's matcher: pure Python, no Rasa, so it is easy to test and review.

Rules live in emergency_patterns.yml next to this file (see its header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Pattern, Tuple

import yaml

from nlu_components.danger_reader import bounded, clean

DEFAULT_PATTERNS_FILE = Path(__file__).resolve().parent / "emergency_patterns.yml"


def normalise(text: str) -> str:
    """As the danger reader cleans a message (one normaliser for both): lower case, a letter
    repeated three or more times once ("tolooong" → "tolong"), zero-width characters out,
    "tiba2" → "tiba-tiba", idioms of dying out ("mati ketawa")."""
    return clean(text)


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    groups: Tuple[Tuple[Pattern, ...], ...]
    raw_groups: Tuple[Tuple[Pattern, ...], ...]
    unless: Tuple[Pattern, ...]

    def fires(self, text: str, normalised: str) -> bool:
        if any(p.search(normalised) for p in self.unless):
            return False
        if not self.groups and not self.raw_groups:
            return False
        return all(any(p.search(normalised) for p in group) for group in self.groups) and all(
            any(p.search(text) for p in group) for group in self.raw_groups
        )


# The kind of danger each rule tells (for the first reply: medical leads with 119, suicide
# with the mental-health line). Rules not listed are violence.
RULE_KINDS = {
    "suicide_or_self_harm": "suicide", "farewell_or_edge": "suicide", "suicide_plan": "suicide",
    "life_threatening_medical": "medical", "medical_now": "medical", "abandoned_baby_alive": "medical",
    "trapped": "captivity", "dragged_or_taken_now": "captivity",
    "missing_or_abducted_person": "missing",
}


def kind_of_rules(rules: List[str]) -> str:
    """The kind of danger of the first rule that tells one (the reader's are reader_KIND, the gate's gate_KIND)."""
    for rule in rules:
        for prefix in ("reader_", "gate_"):
            if rule.startswith(prefix):
                return rule[len(prefix):]
    for rule in rules:
        if rule in RULE_KINDS:
            return RULE_KINDS[rule]
    return "violence"


class EmergencyPatterns:
    def __init__(self, rules: List[Rule]) -> None:
        self.rules = rules

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "EmergencyPatterns":
        path = Path(path or DEFAULT_PATTERNS_FILE)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        definitions = {key: str(value) for key, value in (data.get("definitions") or {}).items()}

        def expand(pattern: str) -> str:
            for key, value in definitions.items():
                pattern = pattern.replace("{" + key + "}", value)
            return pattern

        rules = []
        for entry in data.get("rules") or []:
            try:
                rules.append(
                    Rule(
                        name=entry["name"],
                        why=entry.get("why", ""),
                        groups=tuple(
                            tuple(re.compile(expand(p), re.IGNORECASE) for p in group) for group in entry.get("all") or []
                        ),
                        raw_groups=tuple(tuple(re.compile(expand(p)) for p in group) for group in entry.get("raw_all") or []),
                        unless=tuple(re.compile(expand(p), re.IGNORECASE) for p in entry.get("unless") or []),
                    )
                )
            except (KeyError, re.error) as error:
                raise ValueError(f"{path}: rule {entry.get('name', '?')!r} is invalid: {error}") from None
        if not rules:
            raise ValueError(f"{path}: no rules")
        return cls(rules)

    def matching_rules(self, text: str) -> List[str]:
        """Names of the rules that fire for this message (empty: no sign of danger now)."""
        if not text:
            return []
        text = bounded(text)  # a very long message: its start and its end, where danger is told
        normalised = normalise(text)
        return [rule.name for rule in self.rules if rule.fires(text, normalised)]
