"""Conversation tests of the dialogue: `rasa test core` on tests/stories with
--fail-on-prediction-errors, against the newest trained model (engine env)."""

import subprocess

import pytest

from tests.helpers import PROJECT_ROOT

pytestmark = pytest.mark.engine
RASA = PROJECT_ROOT / ".venv-engine" / "bin" / "rasa"
# The `rasa` command with the helpline's speed-ups (nlu_components/rasa_cli.py): half a minute less.
QUICK_RASA = [str(PROJECT_ROOT / ".venv-engine" / "bin" / "python"), "-m", "nlu_components.rasa_cli"]


def test_every_story_is_predicted_action_by_action(tmp_path):
    if not RASA.exists():
        pytest.fail("the engine env is missing: run the tests through `make test`")
    models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    if not models:
        pytest.fail("no trained model: run the tests through `make test` (it trains first)")
    result = subprocess.run(
        [*QUICK_RASA, "test", "core", "--stories", "tests/stories", "--fail-on-prediction-errors",
         "--model", str(models[-1]), "--out", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false", "HOME": str(tmp_path)},
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "story:" not in failed, failed
