"""The short load-and-fault run (`make bench-load` in small): 30 reporters on Telegram,
WhatsApp and the web chat at once, Rasa SIGKILLed a third of the way through and started
again by the supervisor. Nothing is lost or sent twice, and every reporter is answered."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_thirty_reporters_through_a_rasa_crash_lose_nothing_and_get_nothing_twice():
    process = subprocess.Popen(
        [str(PROJECT_ROOT / ".venv" / "bin" / "python"), str(PROJECT_ROOT / "bench" / "load.py"),
         "--reporters", "30", "--faults", "rasa", "--pause", "0.5", "--answer-timeout", "240"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        process.terminate()  # the bench stops its stack and its PostgreSQL on SIGTERM
        stdout, stderr = process.communicate(timeout=120)
        pytest.fail("the load run did not finish in 15 minutes:\n" + stderr[-3000:])
    assert stdout.strip(), stderr[-3000:]
    figures = json.loads(stdout.strip().splitlines()[-1])
    (run,) = figures["runs"]
    assert run["fault"] == "rasa" and run["fault_mid_run"] and run["restarted"]
    assert run["messages_in"] >= 30 * 3  # every reporter got past its report
    assert run["lost"] == 0, stderr[-3000:]
    assert run["duplicated"] == 0, stderr[-3000:]
    assert run["reporters_answered"] == 30
    assert process.returncode == 0
