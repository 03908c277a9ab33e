"""Rasa NLU component: the domain gate (is something being reported at all?).

DIET is trained to tell the report intents apart, and it does that well on messages
written to a helpline; on everyday chatter (jokes, news, venting, spam) it is confidently
wrong, because every class it knows is a helpline class. The gate is a second, much
simpler classifier trained on one question only: does this message report something
(any of the four report intents or an emergency), or not (everything else, the large
`out_of_scope` set of real-world chatter included)? Word and character n-grams with a
logistic regression: a different model from DIET, so their mistakes differ, and it
trains in seconds.

It runs after the safety net. It adds ``triage`` to the parse result: the gate's
``report_evidence`` (probability) and the ``route`` the dialogue takes
(nlu_components/triage.py). It changes the intent only when the danger gate or the reader
(not the classifier) asks "is anyone in danger now?": the intent becomes `emergency`, so
that the dialogue's emergency rule takes the message; and when the classifier says
`emergency` of a message that tells no harm (nlu_components/triage.py): its next intent
stands. Either way the classifier's intent is kept in ``triage.classifier_intent``.
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
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu_components.code_fingerprint import package_fingerprint
from nlu_components.triage import (
    EMERGENCY,
    REPORT_INTENTS,
    ROUTE_CHECK_EMERGENCY,
    ROUTE_EMERGENCY,
    Thresholds,
    decide,
)

logger = logging.getLogger(__name__)
MODEL_FILE = "domain_gate.joblib"
REPORTED = REPORT_INTENTS | {EMERGENCY}


def make_pipeline(regularisation: float) -> Pipeline:
    features = FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
    ])
    classifier = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=2000)
    return Pipeline([("features", features), ("classifier", classifier)])


def _make_emergency(message: Message, confidence: float) -> None:
    """The intent becomes `emergency` (its confidence the danger gate's), the classifier's
    ranking kept below it, as the safety net does."""
    message.set(INTENT, {"name": EMERGENCY, "confidence": round(confidence, 4)}, add_to_output=True)
    ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") != EMERGENCY]
    message.set(INTENT_RANKING_KEY, [{"name": EMERGENCY, "confidence": round(confidence, 4)}, *ranking], add_to_output=True)


def _demote_emergency(message: Message) -> dict:
    """The classifier's next intent becomes the intent (`emergency` leaves the ranking)."""
    ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") != EMERGENCY]
    intent = ranking[0] if ranking else {"name": "out_of_scope", "confidence": 0.0}
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return intent


def _optional(value: Any) -> Optional[float]:
    return None if value is None else float(value)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class DomainGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "regularisation": 4.0,  # logistic regression's C
            "min_report_evidence": Thresholds.min_report_evidence,
            "min_report_confidence": Thresholds.min_report_confidence,
            "min_danger_probability": Thresholds.min_danger_probability,
            "min_danger_probability_with_harm": Thresholds.min_danger_probability_with_harm,
            "min_danger_probability_for_classifier": Thresholds.min_danger_probability_for_classifier,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Optional[Pipeline] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.thresholds = Thresholds(
            min_report_evidence=float(self.config["min_report_evidence"]),
            min_report_confidence=float(self.config["min_report_confidence"]),
            min_danger_probability=_optional(self.config["min_danger_probability"]),
            min_danger_probability_with_harm=_optional(self.config["min_danger_probability_with_harm"]),
            min_danger_probability_for_classifier=_optional(self.config["min_danger_probability_for_classifier"]),
        )
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """Re-fit when the helpers this gate learns through change (nlu_components/code_fingerprint.py)."""
        return package_fingerprint()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DomainGate":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            text = example.get(TEXT)
            if text:
                texts.append(text)
                labels.append(int(example.get(INTENT) in REPORTED))
        if len(set(labels)) < 2:
            raise ValueError("the domain gate needs examples of reports and of other messages to train")
        self.pipeline = make_pipeline(float(self.config["regularisation"])).fit(texts, labels)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.pipeline, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "DomainGate":
        try:
            with model_storage.read_from(resource) as directory:
                pipeline = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("domain gate: no trained gate in the model; every report intent counts as reported")
            pipeline = None
        return cls(config, model_storage, resource, pipeline)

    def _route(self, message: Message, intent: dict, report_evidence: Optional[float]) -> str:
        return decide(
            intent.get("name"),
            float(intent.get("confidence") or 0.0),
            bool((message.get("safety_net") or {}).get("fired")),
            report_evidence,
            self.thresholds,
            message.get("danger"),
        )

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [message.get(TEXT) or "" for message in messages]
        evidence: List[Optional[float]] = [None] * len(messages)
        words = [i for i, text in enumerate(texts) if text.strip() and not text.startswith("/")]
        if self.pipeline is not None and words:
            probabilities = self.pipeline.predict_proba([texts[i] for i in words])[:, 1]
            for i, probability in zip(words, probabilities):
                evidence[i] = round(float(probability), 4)
        for message, report_evidence in zip(messages, evidence):
            intent = message.get(INTENT) or {}
            route = self._route(message, intent, report_evidence)
            demoted = None
            if route not in (ROUTE_EMERGENCY, ROUTE_CHECK_EMERGENCY) and intent.get("name") == EMERGENCY:
                # The classifier's `emergency` with no harm told: not danger; its next intent stands.
                demoted, intent = intent, _demote_emergency(message)
                route = self._route(message, intent, report_evidence)
            reported = report_evidence is None or report_evidence >= self.thresholds.min_report_evidence
            triage = {"route": route, "report_evidence": report_evidence, "reported": reported}
            if demoted:
                triage["classifier_intent"] = demoted
            if route == ROUTE_CHECK_EMERGENCY and intent.get("name") != EMERGENCY:
                # The danger gate or the reader asks: the dialogue's emergency rule must take it.
                triage["classifier_intent"] = intent
                _make_emergency(message, float((message.get("danger") or {}).get("probability") or 0.5))
            message.set("triage", triage, add_to_output=True)
        return messages
