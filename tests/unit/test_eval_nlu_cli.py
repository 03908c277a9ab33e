"""bench/eval_nlu.py refuses bad input with one English line and exit 2, before it needs Rasa."""

import subprocess
import sys

import pytest

from tests.helpers import PROJECT_ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / "eval_nlu.py"), "--rasa-url", "http://127.0.0.1:9", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "cannot read"),
        ("messages: [\n", "is not valid YAML"),
        ("x: 1\n", "has no `messages:` list"),
        ('messages:\n  - {intent: greet, text: "halo"}\n', "message 1: needs intent, lang and text"),
    ],
)
def test_a_bad_test_set_is_refused_in_one_line(tmp_path, content, reason):
    path = tmp_path / "set.yml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run("--test-set", str(path))
    assert result.returncode == 2
    assert reason in result.stderr and "Traceback" not in result.stderr


def test_a_rasa_that_does_not_answer_is_named():
    result = run()
    assert result.returncode == 2
    assert "Rasa does not answer at http://127.0.0.1:9/model/parse" in result.stderr
    assert "Traceback" not in result.stderr
