"""`make eval-nlu` on the held-out sets (all of tests/nlu/test_set*.yml): quality floors a little below the targets.

Targets (docs/nlu.md): macro-F1 ≥ 0.92, core accuracy ≥ 0.93, emergency recall
1.00 (the full path, the safety net alone, and the two tiers together), false
alarms ≤ 1 %, report forms started on out-of-scope messages ≤ 10 %. The floors
leave room for run-to-run noise, except emergency recall, which has none to give.
"""

import json
import subprocess

import pytest

from tests.helpers import PROJECT_ROOT

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def metrics() -> dict:
    result = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "eval-nlu")], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_emergency_is_recognised(metrics):
    assert metrics["emergency_recall"] == 1.0


def test_false_alarms_stay_rare(metrics):
    assert metrics["emergency_false_alarm_rate"] <= 0.02


def test_the_safety_net_alone_catches_every_emergency_and_raises_no_false_one(metrics):
    # The full path (officers alerted at once) rests on the net; a confirmed Ya does not count here.
    assert metrics["full_path_recall"] == 1.0
    assert metrics["full_path_false_alarm_rate"] <= 0.01
    assert metrics["two_tier_recall"] == 1.0  # net or classifier: every emergency gets the hotlines at once


def test_chatter_rarely_starts_a_report_form(metrics):
    assert metrics["report_form_rate_out_of_scope"] <= 0.10


def test_intent_quality_floors(metrics):
    assert metrics["macro_f1"] >= 0.90
    assert metrics["core_accuracy"] >= 0.91
    assert metrics["accuracy"] >= 0.90


def test_the_report_has_latency_figures(metrics):
    assert metrics["messages"] >= 300
    assert 0 < metrics["parse_ms_p50"] <= metrics["parse_ms_p95"]


@pytest.mark.parametrize("round_name", ["9", "10", "11"])
def test_the_rounds_floors_hold(metrics, round_name):
    """Each round's set and ideation file (issue 22), scored apart: floors well below the
    figures this machine measured (docs/nlu.md), so that a retrained model on another machine
    passes while a model that lost the round's recall does not."""
    held_set, ideation = metrics[f"set_{round_name}"], metrics[f"ideation_{round_name}"]
    assert held_set["messages"] >= 300
    assert held_set["two_tier_recall"] >= 0.90  # measured 0.95 (set 9), 0.97 (set 10), 0.95 (set 11)
    assert held_set["full_path_recall"] >= 0.60  # measured 0.72, 0.85 and 0.77
    assert held_set["macro_f1"] >= 0.85  # measured 0.93, 0.92 and 0.94
    assert ideation["ideation_hotline_rate"] >= 0.70  # measured 0.80, 0.85 and 0.84
    assert ideation["lookalike_full_path_rate"] <= 0.25  # measured 0.10, 0.11 and 0.12
