"""Rasa NLU component: the emergency safety net.

Placed after the classifiers and the danger gate. When a message signals danger right now
(the reviewed rules of emergency_patterns.yml, the danger reader: danger_reader.py, or the
danger gate very sure of a harm told), the intent becomes `emergency` with confidence 1.0,
whatever the classifier said; the classifier's own ranking is kept in
`intent_ranking`, and `safety_net` in the parse result says which rules fired
what kind of danger it is (for the first reply), and what the classifier's intent was.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.danger_now import danger_now
from nlu_components.emergency_patterns import EmergencyPatterns, kind_of_rules

EMERGENCY = "emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmergencySafetyNet(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The danger gate's probability (with a harm told) from which it fires too (None: never).
        return {"patterns_file": None, "min_gate_probability": None}

    def __init__(self, config: Dict[Text, Any], patterns: Optional[EmergencyPatterns] = None) -> None:
        self.patterns = patterns or EmergencyPatterns.load(config.get("patterns_file"))
        gate = config.get("min_gate_probability")
        self.min_gate_probability = None if gate is None else float(gate)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EmergencySafetyNet":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_one(message)
        return messages

    def process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if text.startswith("/"):  # a button payload or an injected intent, not words
            return
        fired, reading = danger_now(text, self.patterns)
        danger = message.get("danger") or {}
        probability = danger.get("probability")
        if (not fired and self.min_gate_probability is not None and probability is not None and danger.get("harm")
                and probability >= self.min_gate_probability):
            fired.append(f"gate_{danger.get('kind') or 'violence'}")
        if not fired:
            return
        # A wish to die the reader sees (at any level) makes it suicide, whatever rule fired
        # ("tidur dan tidak bangun lagi" also fires a medical rule): its words, its line.
        kind = "suicide" if reading.kind == "suicide" else kind_of_rules(fired)
        classifier_intent = message.get(INTENT) or {}
        message.set(INTENT, {"name": EMERGENCY, "confidence": 1.0}, add_to_output=True)
        ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") != EMERGENCY]
        message.set(INTENT_RANKING_KEY, [{"name": EMERGENCY, "confidence": 1.0}, *ranking], add_to_output=True)
        message.set(
            "safety_net",
            {"fired": True, "rules": fired, "kind": kind, "classifier_intent": classifier_intent},
            add_to_output=True,
        )
