"""Score the served Rasa model on the held-out set, one message at a time over HTTP.

Used by `make eval-nlu` (scripts/with-rasa starts Rasa and sets $RASA_URL).
Scores every tests/nlu/test_set*.yml together (and prints each file's figures), then,
apart, each round's held-out set and suicidal-ideation file (tests/nlu/round9/ to
tests/nlu/round11/), whose figures the final JSON carries under `set_N` and `ideation_N`
(`ideation` repeats `ideation_9`, the key of earlier reports).
Prints per-intent figures, the confusions, the messages it got wrong, and as
its last line one JSON object with accuracy, macro_f1, core_accuracy,
the two tiers of emergencies apart (full_path_recall, two_tier_recall, ...),
emergency_recall, emergency_false_alarm_rate, parse_ms_p50 and parse_ms_p95.
"""

from __future__ import annotations

import argparse
import os
import json
import sys
import time
from pathlib import Path

import httpx

from eval_ideation import load as load_ideation
from eval_ideation import summarise as summarise_ideation
from held_out import ROUNDS, load_held_out
from stats import percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu_components.evaluation import report, score  # noqa: E402
from nlu_components.triage import ROUTE_CHECK_EMERGENCY, ROUTE_EMERGENCY, ROUTE_REPORT, route_of  # noqa: E402

CONTRACT_INTENTS = [
    "report_violence", "report_bullying", "request_elderly_care", "request_aid", "emergency",
    "ask_case_status", "request_human", "provide_location", "ask_services",
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope",
]


def score_round(http: httpx.Client, set_file: Path, ideation_file: Path) -> tuple[dict, dict]:
    """A round's held-out set and its ideation file, parsed one message at a time."""
    messages = [message for _, message in load_held_out([set_file])]
    routes, predicted = [], []
    for message in messages:
        parsed = http.post("/model/parse", json={"text": message["text"]}).raise_for_status().json()
        routes.append(route_of(parsed))
        predicted.append((parsed.get("intent") or {}).get("name") or "none")
    expected = [message["intent"] for message in messages]
    part = score(expected, predicted, CONTRACT_INTENTS)
    figures = {
        "messages": len(messages), "accuracy": round(part.accuracy, 4), "macro_f1": round(part.macro_f1, 4),
        "core_accuracy": round(part.core_accuracy, 4), **tiers(expected, routes),
        "two_tier_recall_by_kind": _recall_by(messages, routes, "kind"),
        "full_path_recall_by_kind": _recall_by(messages, routes, "kind", full_path=True),
        "two_tier_recall_by_lang": _recall_by(messages, routes, "lang"),
        "full_path_recall_by_lang": _recall_by(messages, routes, "lang", full_path=True),
    }
    ideation = load_ideation(ideation_file)
    ideation_routes = [route_of(http.post("/model/parse", json={"text": m["text"]}).raise_for_status().json())
                       for m in ideation]
    return figures, summarise_ideation(ideation, ideation_routes)


def tiers(expected: list[str], routes: list[str]) -> dict:
    """The two tiers of emergencies, measured apart: the full path (the safety net: officers
    alerted at once) and the check (the classifier alone: hotlines and "in danger now?");
    and how often a report form starts on a message that is out of scope."""
    emergencies = [r for e, r in zip(expected, routes) if e == "emergency"]
    calm = [r for e, r in zip(expected, routes) if e != "emergency"]
    chatter = [r for e, r in zip(expected, routes) if e == "out_of_scope"]

    def share(hits: int, total: int) -> float:
        return round(hits / total, 4) if total else 0.0

    return {
        "full_path_recall": share(sum(r == ROUTE_EMERGENCY for r in emergencies), len(emergencies)),
        "two_tier_recall": share(sum(r in (ROUTE_EMERGENCY, ROUTE_CHECK_EMERGENCY) for r in emergencies), len(emergencies)),
        "full_path_false_alarm_rate": share(sum(r == ROUTE_EMERGENCY for r in calm), len(calm)),
        "check_rate_on_calm": share(sum(r == ROUTE_CHECK_EMERGENCY for r in calm), len(calm)),
        "report_form_rate_out_of_scope": share(sum(r == ROUTE_REPORT for r in chatter), len(chatter)),
    }


def _recall_by(messages: list[dict], routes: list[str], key: str, full_path: bool = False) -> dict:
    """Two-tier (or full-path) recall of the emergencies, by a label of theirs (kind, language)."""
    caught = (ROUTE_EMERGENCY,) if full_path else (ROUTE_EMERGENCY, ROUTE_CHECK_EMERGENCY)
    groups: dict = {}
    for message, route in zip(messages, routes):
        if message["intent"] == "emergency":
            groups.setdefault(message.get(key, "?"), []).append(route in caught)
    return {name: round(sum(hits) / len(hits), 4) for name, hits in sorted(groups.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rasa-url", default=os.environ.get("RASA_URL"),
        help="a running Rasa server with --enable-api (default: $RASA_URL, set by scripts/with-rasa)",
    )
    parser.add_argument(
        "--test-set", action="append", dest="test_sets",
        help="a held-out YAML file (repeatable; default: every tests/nlu/test_set*.yml)",
    )
    parser.add_argument("--predictions", help="also write expected/predicted pairs to this JSON file")
    parser.add_argument("--parses", help="also write every message's file, label and parse result to this JSON file")
    parser.add_argument(
        "--token", default=os.environ.get("HELPLINE_ENGINE_TOKEN"),
        help="Rasa's --auth-token, sent as ?token=… (default: $HELPLINE_ENGINE_TOKEN)",
    )
    args = parser.parse_args()
    if not args.rasa_url:
        parser.error("no Rasa server: give --rasa-url or run it through scripts/with-rasa")

    try:
        loaded = load_held_out([Path(p) for p in args.test_sets] if args.test_sets else None)
    except ValueError as error:
        parser.error(str(error))
    origin = [name for name, _ in loaded]
    messages = [message for _, message in loaded]
    expected, predicted, routes, parses, timings, wrong, net_fired = [], [], [], [], [], [], 0
    params = {"token": args.token} if args.token else None
    with httpx.Client(base_url=args.rasa_url, timeout=30, params=params) as http:
        try:
            http.post("/model/parse", json={"text": "halo"}).raise_for_status()  # warm-up, not counted
        except httpx.HTTPError as error:
            parser.error(f"Rasa does not answer at {args.rasa_url}/model/parse: {error}")
        for name, message in loaded:
            started = time.perf_counter()
            response = http.post("/model/parse", json={"text": message["text"]})
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            parsed = response.json()
            intent = (parsed.get("intent") or {}).get("name") or "none"
            net_fired += bool((parsed.get("safety_net") or {}).get("fired"))
            expected.append(message["intent"])
            predicted.append(intent)
            routes.append(route_of(parsed))
            parses.append({"file": name, "intent": message["intent"], "parse": parsed})
            if intent != message["intent"]:
                wrong.append((message["intent"], intent, message["text"]))

    if args.predictions:
        Path(args.predictions).write_text(
            json.dumps({"labels": CONTRACT_INTENTS, "expected": expected, "predicted": predicted}), encoding="utf-8"
        )
    if args.parses:
        Path(args.parses).write_text(json.dumps(parses, ensure_ascii=False), encoding="utf-8")
    scores = score(expected, predicted, CONTRACT_INTENTS)
    print(report(scores))
    print("\nmisclassified messages:")
    for want, got, text in wrong:
        print(f"  [{want} → {got}] {text}")
    by_set = {}
    for name in dict.fromkeys(origin):
        picked = [i for i, o in enumerate(origin) if o == name]
        part = score([expected[i] for i in picked], [predicted[i] for i in picked], CONTRACT_INTENTS)
        by_set[name] = {
            "messages": len(picked),
            "accuracy": round(part.accuracy, 4),
            "macro_f1": round(part.macro_f1, 4),
            "core_accuracy": round(part.core_accuracy, 4),
            "emergency_recall": round(part.emergency_recall, 4),
            "emergency_false_alarm_rate": round(part.emergency_false_alarm_rate, 4),
            **tiers([expected[i] for i in picked], [routes[i] for i in picked]),
        }
    print("\nby held-out file:", json.dumps(by_set))
    extra = {}
    if not args.test_sets:  # the rounds apart: their misses are not read (docs/nlu.md)
        with httpx.Client(base_url=args.rasa_url, timeout=30, params=params) as http:
            for name, (set_file, ideation_file) in ROUNDS.items():
                extra[f"set_{name}"], extra[f"ideation_{name}"] = score_round(http, set_file, ideation_file)
                print(f"\nround {name} (set {name}):", json.dumps(extra[f"set_{name}"]))
                print(f"\nsuicidal ideation (round {name}):", json.dumps(extra[f"ideation_{name}"]))
        extra["ideation"] = extra["ideation_9"]  # the key earlier figures were reported under
    print("\nby tier:", json.dumps(tiers(expected, routes)))
    print(json.dumps({
        "messages": len(messages),
        "accuracy": round(scores.accuracy, 4),
        "macro_f1": round(scores.macro_f1, 4),
        "core_accuracy": round(scores.core_accuracy, 4),
        "emergency_recall": round(scores.emergency_recall, 4),
        "emergency_false_alarm_rate": round(scores.emergency_false_alarm_rate, 4),
        "safety_net_fired": net_fired,
        **tiers(expected, routes),
        "parse_ms_p50": round(percentile(timings, 0.50), 2),
        "parse_ms_p95": round(percentile(timings, 0.95), 2),
        **extra,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
