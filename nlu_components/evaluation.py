"""Scoring intent predictions against the held-out set (standard library only).

Shared by `make eval-nlu` (bench/eval_nlu.py, app env) and anything in the
engine env that wants the same figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

CORE_INTENTS = ("report_violence", "report_bullying", "request_elderly_care", "request_aid", "emergency")
EMERGENCY = "emergency"


@dataclass
class Scores:
    labels: List[str]
    accuracy: float
    macro_f1: float
    core_accuracy: float
    emergency_recall: float
    emergency_false_alarm_rate: float
    per_intent: Dict[str, Dict[str, float]] = field(default_factory=dict)
    confusions: List[Tuple[str, str, int]] = field(default_factory=list)


def score(expected: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Scores:
    if len(expected) != len(predicted) or not expected:
        raise ValueError("expected and predicted must be non-empty and of the same length")
    pairs = list(zip(expected, predicted))
    per_intent: Dict[str, Dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for e, p in pairs if e == label and p == label)
        fp = sum(1 for e, p in pairs if e != label and p == label)
        fn = sum(1 for e, p in pairs if e == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    core = [(e, p) for e, p in pairs if e in CORE_INTENTS]
    emergencies = [(e, p) for e, p in pairs if e == EMERGENCY]
    calm = [(e, p) for e, p in pairs if e != EMERGENCY]
    confusions = Counter((e, p) for e, p in pairs if e != p)
    return Scores(
        labels=list(labels),
        accuracy=sum(e == p for e, p in pairs) / len(pairs),
        macro_f1=sum(v["f1"] for v in per_intent.values()) / len(per_intent),
        core_accuracy=sum(e == p for e, p in core) / len(core) if core else 0.0,
        emergency_recall=sum(p == EMERGENCY for _, p in emergencies) / len(emergencies) if emergencies else 0.0,
        emergency_false_alarm_rate=sum(p == EMERGENCY for _, p in calm) / len(calm) if calm else 0.0,
        per_intent=per_intent,
        confusions=[(e, p, n) for (e, p), n in confusions.most_common()],
    )


def report(scores: Scores) -> str:
    lines = [f"{'intent':<22} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}"]
    for label in scores.labels:
        v = scores.per_intent[label]
        lines.append(f"{label:<22} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {int(v['support']):4d}")
    lines.append("")
    lines.append("confusions (expected → predicted: count):")
    lines.extend(f"  {e} → {p}: {n}" for e, p, n in scores.confusions) if scores.confusions else lines.append("  none")
    return "\n".join(lines)
