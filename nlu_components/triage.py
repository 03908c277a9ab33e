"""What the bot does first with a message, from what the NLU found (standard library only).

Shared by the domain gate (engine env), which writes the route into the parse result,
and by the scripts that measure it (app env). The routes:

- ``emergency``: the safety net fired (danger now, by reviewed rules): the full
  emergency path at once (hotlines, an emergency case, officers alerted).
- ``check_emergency``: not the safety net, but the danger gate's probability reaches its
  threshold, the danger reader reads a wish to die with no plan, or the classifier says
  `emergency` of a message that speaks of a harm: the hotline numbers at once and one question, "is anyone in danger now?"; *Ya*
  is the full path.
- ``report``: a report intent with enough evidence that something is being reported:
  the report form starts.
- ``offer_report``: a report intent on weak evidence: the bot asks first whether the
  person wants to report something.
- ``other``: everything else (the intent's own rule answers).
"""

from __future__ import annotations

from dataclasses import dataclass

REPORT_INTENTS = frozenset({"report_violence", "report_bullying", "request_elderly_care", "request_aid"})
EMERGENCY = "emergency"

ROUTE_EMERGENCY = "emergency"
ROUTE_CHECK_EMERGENCY = "check_emergency"
ROUTE_REPORT = "report"
ROUTE_OFFER_REPORT = "offer_report"
ROUTE_OTHER = "other"
ROUTES = (ROUTE_EMERGENCY, ROUTE_CHECK_EMERGENCY, ROUTE_REPORT, ROUTE_OFFER_REPORT, ROUTE_OTHER)


@dataclass(frozen=True)
class Thresholds:
    # The gate's probability that the message reports something (0..1), below which a
    # report intent only earns the question "do you want to report something?".
    min_report_evidence: float = 0.5
    # The classifier's own confidence in the report intent, likewise.
    min_report_confidence: float = 0.5
    # The danger gate's probability of danger now (0..1) from which the check is asked
    # (None: the gate does not ask; only the classifier's intent and the reader do).
    min_danger_probability: float | None = None
    # The same when the message speaks of a harm at all (a weapon, a collapse, a wish to
    # die, ...: the reader's harm words, whatever their time): a lower bar.
    min_danger_probability_with_harm: float | None = None
    # The classifier's own `emergency` asks when the message tells a harm, or when the danger
    # gate gives it at least this (None: always, as before the gate).
    min_danger_probability_for_classifier: float | None = None


def decide(
    intent: str | None,
    confidence: float,
    net_fired: bool,
    report_evidence: float | None,  # None: no gate in the model
    thresholds: Thresholds = Thresholds(),
    danger: dict | None = None,  # the danger gate's output: probability, level (reader)
) -> str:
    """The route for one message (see the module docstring)."""
    if net_fired:
        return ROUTE_EMERGENCY
    if _worth_asking(danger or {}, thresholds):
        return ROUTE_CHECK_EMERGENCY
    if intent == EMERGENCY and classifier_may_ask(danger, thresholds):
        return ROUTE_CHECK_EMERGENCY
    if intent in REPORT_INTENTS:
        strong = confidence >= thresholds.min_report_confidence and (
            report_evidence is None or report_evidence >= thresholds.min_report_evidence
        )
        return ROUTE_REPORT if strong else ROUTE_OFFER_REPORT
    return ROUTE_OTHER


def classifier_may_ask(danger: dict | None, thresholds: Thresholds = Thresholds()) -> bool:
    """The classifier's own `emergency` asks when the message speaks of a harm (the reader's
    harm words, any time) or the danger gate does not rule danger out: alone, the classifier
    is sure of danger on one everyday tweet in ten (EmoT, docs/nlu.md). A model without the
    danger gate (danger is None) asks as before."""
    if danger is None or thresholds.min_danger_probability_for_classifier is None:
        return True
    if danger.get("harm") or danger.get("level") in ("ideation", "now"):
        return True
    return float(danger.get("probability") or 0.0) >= thresholds.min_danger_probability_for_classifier


def _worth_asking(danger: dict, thresholds: Thresholds) -> bool:
    if danger.get("level") in ("ideation", "now"):
        return True
    probability = danger.get("probability")
    bar = thresholds.min_danger_probability_with_harm if danger.get("harm") else thresholds.min_danger_probability
    return bar is not None and probability is not None and float(probability) >= bar


def route_of(parse: dict) -> str:
    """The route a parse result carries (written by the gate). A model without the gate
    (an older one) routes as it did: every report intent starts the form."""
    triage = parse.get("triage") or {}
    if triage.get("route") in ROUTES:
        return triage["route"]
    intent = parse.get("intent") or {}
    return decide(
        intent.get("name"),
        float(intent.get("confidence") or 0.0),
        bool((parse.get("safety_net") or {}).get("fired")),
        None,
        Thresholds(min_report_evidence=0.0, min_report_confidence=0.0),
    )
