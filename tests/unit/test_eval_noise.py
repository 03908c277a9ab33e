"""bench/eval_noise.py: the rates it reports, and bad input refused in one line (exit 2) before it needs Rasa."""

import subprocess
import sys

import pytest

from tests.helpers import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
from eval_noise import rates  # noqa: E402


def parse(intent: str, route: str | None = None, net_from: str | None = None) -> dict:
    parsed = {"intent": {"name": intent, "confidence": 0.9}}
    if route:
        parsed["triage"] = {"route": route}
    if net_from:
        parsed["safety_net"] = {"fired": True, "classifier_intent": {"name": net_from}}
    return parsed


def test_the_rates_follow_the_routes():
    parses = [
        parse("emergency", "emergency", net_from="out_of_scope"),  # the net: an alert, not the classifier's
        parse("emergency", "emergency", net_from="emergency"),
        parse("emergency", "check_emergency"),
        parse("report_violence", "report"),
        parse("report_bullying", "offer_report"),
        parse("out_of_scope", "other"),
        parse("nlu_fallback", "other"),
        parse("greet", "other"),
    ]
    figures = rates(parses)
    assert figures["messages"] == 8
    assert figures["emergency_alert_rate"] == 0.25
    assert figures["classifier_emergency_rate"] == 0.25  # the second net message and the check
    assert figures["emergency_check_rate"] == 0.125
    assert figures["report_form_rate"] == 0.125 and figures["report_offer_rate"] == 0.125
    assert figures["out_of_scope_rate"] == 0.25


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / "eval_noise.py"), "--rasa-url", "http://127.0.0.1:9", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "content, extra, reason",
    [
        (None, (), "cannot read"),
        ("label,words\nhappy,halo\n", (), "has no text column (named text, tweet"),
        ("label,tweet\nhappy,halo\n", ("--column", "body"), "has no column 'body'"),
        ("label,tweet\nhappy,\n", (), "has no text in column 'tweet'"),
        (b"label,tweet\nhappy,\xff\xfe\n", (), "is not a UTF-8 CSV file"),
    ],
)
def test_a_bad_corpus_is_refused_in_one_line(tmp_path, content, extra, reason):
    path = tmp_path / "corpus.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = run(str(path), *extra)
    assert result.returncode == 2
    assert reason in result.stderr and "Traceback" not in result.stderr


def test_a_rasa_that_does_not_answer_is_named(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text("label,tweet\nhappy,halo semua\n", encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 2
    assert "Rasa does not answer at http://127.0.0.1:9/model/parse" in result.stderr and "Traceback" not in result.stderr


def test_a_spreadsheets_csv_with_a_byte_order_mark_and_a_capitalised_header_is_read(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text("\ufeffLabel,Text\nhappy,halo semua\n", encoding="utf-8")
    result = run(str(path))
    assert "Rasa does not answer" in result.stderr  # the corpus was accepted; only Rasa is missing
