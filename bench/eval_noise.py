"""How calm the served model stays on text that is not written to a helpline.

Used by `make eval-noise CORPUS=path.csv` (scripts/with-rasa starts Rasa and sets
$RASA_URL). Every row of the CSV's text column is posted to /model/parse; none of them is
a report, so every emergency alert and every report form started is a false start.
Prints one JSON line:

- emergency_alert_rate: the full emergency path (officers alerted at once): the safety
  net fired. (A classifier-only emergency asks "is anyone in danger now?" first.)
- classifier_emergency_rate: the classifier's own intent was `emergency` (before the net).
- emergency_check_rate: the hotlines and the confirming question (classifier only).
- report_form_rate: a report form started (a report intent with enough evidence).
- report_offer_rate: "do you want to report something?" asked instead.
- out_of_scope_rate: answered as out of scope or not understood.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu_components.triage import (  # noqa: E402
    EMERGENCY,
    ROUTE_CHECK_EMERGENCY,
    ROUTE_EMERGENCY,
    ROUTE_OFFER_REPORT,
    ROUTE_REPORT,
    route_of,
)

TEXT_COLUMNS = ("text", "tweet", "message", "sentence")
OUT_OF_SCOPE = {"out_of_scope", "nlu_fallback"}


def read_texts(path: Path, column: str | None) -> list[str]:
    """The non-empty texts of one column (named, or the first of TEXT_COLUMNS present)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # -sig: a spreadsheet's byte-order mark
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            chosen = column or next((name for name in fields if name.strip().lower() in TEXT_COLUMNS), None)
            if chosen is None or chosen not in fields:
                wanted = f"column '{column}'" if column else "text column (named " + ", ".join(TEXT_COLUMNS) + "; or give --column)"
                raise ValueError(f"{path} has no {wanted} (its columns: {', '.join(fields) or 'none'})")
            texts = [(row.get(chosen) or "").strip() for row in reader]
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"{path} is not a UTF-8 CSV file: {error}") from None
    texts = [text for text in texts if text]
    if not texts:
        raise ValueError(f"{path} has no text in column '{chosen}'")
    return texts


def classifier_intent(parse: dict) -> str | None:
    net = parse.get("safety_net") or {}
    if net.get("fired"):
        return (net.get("classifier_intent") or {}).get("name")
    return (parse.get("intent") or {}).get("name")


def rates(parses: list[dict]) -> dict:
    routes = Counter(route_of(parse) for parse in parses)
    total = len(parses)

    def share(count: int) -> float:
        return round(count / total, 4)

    return {
        "messages": total,
        "emergency_alert_rate": share(routes[ROUTE_EMERGENCY]),
        "classifier_emergency_rate": share(sum(classifier_intent(p) == EMERGENCY for p in parses)),
        "emergency_check_rate": share(routes[ROUTE_CHECK_EMERGENCY]),
        "report_form_rate": share(routes[ROUTE_REPORT]),
        "report_offer_rate": share(routes[ROUTE_OFFER_REPORT]),
        "out_of_scope_rate": share(sum((p.get("intent") or {}).get("name") in OUT_OF_SCOPE for p in parses)),
        "intents": dict(Counter((p.get("intent") or {}).get("name") or "none" for p in parses).most_common()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a CSV file with a text column (text, tweet, message or sentence)")
    parser.add_argument("--column", help="the name of the text column, when it is none of those")
    parser.add_argument(
        "--rasa-url", default=os.environ.get("RASA_URL"),
        help="a running Rasa server with --enable-api (default: $RASA_URL, set by scripts/with-rasa)",
    )
    parser.add_argument(
        "--token", default=os.environ.get("HELPLINE_ENGINE_TOKEN"),
        help="Rasa's --auth-token, sent as ?token=… (default: $HELPLINE_ENGINE_TOKEN)",
    )
    parser.add_argument("--parses", type=Path, help="also write every parse result to this JSON file (for analysis)")
    args = parser.parse_args()
    try:
        texts = read_texts(args.corpus, args.column)
    except ValueError as error:
        parser.error(str(error))
    if not args.rasa_url:
        parser.error("no Rasa server: give --rasa-url or run it through scripts/with-rasa")

    params = {"token": args.token} if args.token else None
    parses = []
    with httpx.Client(base_url=args.rasa_url, timeout=30, params=params) as http:
        try:
            http.post("/model/parse", json={"text": "halo"}).raise_for_status()
        except httpx.HTTPError as error:
            parser.error(f"Rasa does not answer at {args.rasa_url}/model/parse: {error}")
        for text in texts:
            response = http.post("/model/parse", json={"text": text})
            response.raise_for_status()
            parses.append(response.json())
    if args.parses:
        args.parses.write_text(json.dumps(parses, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({"corpus": args.corpus.name, **rates(parses)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
