"""Rasa NLU component: the danger gate (how likely is it that someone is in danger now?).

The second tier of the emergency path rests on it. The safety net (reviewed rules, the
danger reader, and this gate only when it is very sure of a told harm) decides the full
path; below that, this gate decides whether to ask: a message whose
danger probability reaches the threshold gets the hotline numbers at once and the question
"is anyone in danger now?", so a false alarm costs one question. The threshold is chosen on
development data (docs/nlu.md) for recall, not set by hand.

A logistic regression over word and character n-grams of the message as the danger reader
normalises it (Javanese, Sundanese and Betawi words in their Indonesian form), plus the
reader's own verdict as features: trained on one question, is the message an `emergency`
example or not. It runs before the safety net (which fires on a very high probability when
a harm is told: config.yml), never changes the intent itself, and adds ``danger`` to the
parse result: ``probability``, the reader's ``level``, whether the message speaks of
a ``harm`` at all (the bar is lower then: nlu_components/triage.py) and the ``kind`` of
danger (medical, suicide, violence, captivity, missing, fire) for the first reply.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu_components.code_fingerprint import package_fingerprint
from nlu_components.danger_reader import default_reader, main_kind
from nlu_components.triage import EMERGENCY

logger = logging.getLogger(__name__)
MODEL_FILE = "danger_gate.joblib"


def gate_text(text: str) -> str:
    """What the gate reads: the reader's normalised text and its verdict as marker words."""
    reader = default_reader()
    reading = reader.read(text)
    markers = f" zzdanger{reading.level} zzkind{reading.kind}" if reading.level != "none" else " zzdangernone"
    return reader.normalise(text) + markers


def make_pipeline(regularisation: float) -> Pipeline:
    features = FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
    ])
    classifier = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=3000)
    return Pipeline([("features", features), ("classifier", classifier)])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class DangerGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"regularisation": 4.0}

    def __init__(self, config, model_storage: ModelStorage, resource: Resource, pipeline: Optional[Pipeline] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """Re-fit when the helpers this gate learns through change (nlu_components/code_fingerprint.py)."""
        return package_fingerprint()

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext) -> "DangerGate":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            text = example.get(TEXT)
            if text:
                texts.append(gate_text(text))
                labels.append(int(example.get(INTENT) == EMERGENCY))
        if len(set(labels)) < 2:
            raise ValueError("the danger gate needs emergency and other examples to train")
        self.pipeline = make_pipeline(float(self.config["regularisation"])).fit(texts, labels)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.pipeline, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs: Any) -> "DangerGate":
        try:
            with model_storage.read_from(resource) as directory:
                pipeline = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("danger gate: no trained gate in the model; only the classifier's intent asks")
            pipeline = None
        return cls(config, model_storage, resource, pipeline)

    def process(self, messages: List[Message]) -> List[Message]:
        reader = default_reader()
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                continue
            reading = reader.read(text)
            probability = None
            if self.pipeline is not None:
                probability = round(float(self.pipeline.predict_proba([gate_text(text)])[0, 1]), 4)
            harms = reader.harms(text)
            kind = reading.kind or main_kind(harms)
            message.set(
                "danger",
                {"probability": probability, "level": reading.level, "kind": kind, "harm": bool(harms)},
                add_to_output=True,
            )
        return messages
