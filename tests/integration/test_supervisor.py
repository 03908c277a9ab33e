"""The supervisor behind `make run`, over real stand-in processes."""

import signal
import subprocess
import sys
import time

from tests.helpers import PROJECT_ROOT, descendants, free_port, is_alive

SCRIPT = str(PROJECT_ROOT / "tests" / "fixtures" / "supervise_fakes.py")


def start(tmp_path, *extra):
    return subprocess.Popen(
        [sys.executable, SCRIPT, str(free_port()), str(free_port()), *extra],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_descendants(pid, count, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {p for p in descendants(pid) if is_alive(p)}
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {count} processes under {pid}, found {descendants(pid)}")


def test_sigint_while_a_service_is_still_starting_leaves_nothing_behind(tmp_path):
    supervisor = start(tmp_path)
    # web, its stubborn grandchild, and slow (which never becomes ready)
    family = wait_for_descendants(supervisor.pid, 3)
    time.sleep(0.5)
    supervisor.send_signal(signal.SIGINT)
    output, _ = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0, output
    assert "stopping" in output
    survivors = [pid for pid in family if is_alive(pid)]
    assert survivors == [], f"left running: {survivors}\n{output}"


def test_a_dying_service_stops_the_others_and_says_why(tmp_path):
    supervisor = start(tmp_path, "--die-after", "2")
    family = wait_for_descendants(supervisor.pid, 3)
    output, _ = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 1
    assert "slow stopped unexpectedly (exit code 3)" in output
    assert "slow: giving up" in output  # the last log lines are shown
    assert [pid for pid in family if is_alive(pid)] == []
    assert (tmp_path / "logs" / "slow.log").read_text().strip() == "slow: giving up"
