"""How the served model answers first-person suicidal ideation, and the same words that are not.

Used by `make eval-nlu` (after the held-out sets) and on its own through scripts/with-rasa.
Reads a file of `messages:` with `label` (`ideation` or `lookalike`), `plan` (ideation only:
a time, a method or means at hand, a goodbye, or an act in progress), `lang` and `text`
(default: tests/nlu/round9/ideation.yml). Prints one JSON line:

- ideation_hotline_rate: ideation answered with the hotline numbers (either tier);
- plan_full_path_rate: ideation with a plan that takes the full path (officers alerted at once);
- lookalike_full_path_rate, lookalike_hotline_rate: the same for the look-alikes (false alarms);
- by language, the ideation hotline rate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import httpx
import yaml

from held_out import ROUNDS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu_components.triage import ROUTE_CHECK_EMERGENCY, ROUTE_EMERGENCY, route_of  # noqa: E402

DEFAULT_FILE = ROUNDS["9"][1]
HOTLINE_ROUTES = (ROUTE_EMERGENCY, ROUTE_CHECK_EMERGENCY)


def load(path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    messages = (data or {}).get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list) or not messages:
        raise ValueError(f"{path} has no `messages:` list")
    for number, message in enumerate(messages, start=1):
        if message.get("label") not in ("ideation", "lookalike") or not isinstance(message.get("text"), str):
            raise ValueError(f"{path}, message {number}: needs label (ideation|lookalike) and text")
    return messages


def share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def summarise(messages: list[dict], routes: list[str]) -> dict:
    ideation = [(m, r) for m, r in zip(messages, routes) if m["label"] == "ideation"]
    plans = [r for m, r in ideation if m.get("plan")]
    lookalikes = [r for m, r in zip(messages, routes) if m["label"] == "lookalike"]
    by_lang: dict[str, list[str]] = defaultdict(list)
    for message, route in ideation:
        by_lang[message.get("lang", "?")].append(route)
    return {
        "ideation": len(ideation),
        "lookalikes": len(lookalikes),
        "ideation_hotline_rate": share(sum(r in HOTLINE_ROUTES for _, r in ideation), len(ideation)),
        "plan_full_path_rate": share(sum(r == ROUTE_EMERGENCY for r in plans), len(plans)),
        "lookalike_full_path_rate": share(sum(r == ROUTE_EMERGENCY for r in lookalikes), len(lookalikes)),
        "lookalike_hotline_rate": share(sum(r in HOTLINE_ROUTES for r in lookalikes), len(lookalikes)),
        "ideation_hotline_rate_by_lang": {
            lang: share(sum(r in HOTLINE_ROUTES for r in rs), len(rs)) for lang, rs in sorted(by_lang.items())
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE), help="the ideation file (default: %(default)s)")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL"), help="a running Rasa server (default: $RASA_URL)")
    parser.add_argument("--token", default=os.environ.get("HELPLINE_ENGINE_TOKEN"), help="Rasa's --auth-token")
    args = parser.parse_args()
    if not args.rasa_url:
        parser.error("no Rasa server: give --rasa-url or run it through scripts/with-rasa")
    try:
        messages = load(Path(args.file))
    except ValueError as error:
        parser.error(str(error))
    params = {"token": args.token} if args.token else None
    routes = []
    with httpx.Client(base_url=args.rasa_url, timeout=30, params=params) as http:
        for message in messages:
            response = http.post("/model/parse", json={"text": message["text"]})
            response.raise_for_status()
            routes.append(route_of(response.json()))
    print(json.dumps(summarise(messages, routes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
