"""The supervisor behind `make run`, over real stand-in processes: start-up, stopping, a
service that dies during start-up (everything stops) or after it (started again), a crash loop."""

import os
import re
import signal
import subprocess
import sys
import threading
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


class Lines:
    """A child's output, read line by line as it comes (the supervisor keeps running)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(process.stdout.readline, "")), daemon=True).start()

    def wait_for(self, needle: str, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(needle in line for line in list(self.lines)) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} ×{count} not seen in:\n" + "".join(self.lines))

    @property
    def text(self) -> str:
        return "".join(self.lines)


def test_a_service_that_dies_after_start_up_is_restarted_while_the_others_go_on(tmp_path):
    supervisor = start(tmp_path, "--crash-after", "1", "--crashes", "2")
    output = Lines(supervisor)
    output.wait_for("ALL READY")
    output.wait_for("slow: ready again", count=2)
    time.sleep(1.5)  # the third start stays up: no third restart
    assert supervisor.poll() is None, output.text
    assert (tmp_path / "starts").read_text() == "3"
    assert "slow: start 2" in output.text  # the last log lines of the one that died are shown
    assert "slow stopped unexpectedly (exit code 3); restarting it in 0.2s (crash 1; a 3rd within 1 minute stops the helpline)" in output.text
    assert "restarting it in 0.4s (crash 2; a 3rd within 1 minute stops the helpline)" in output.text
    assert output.text.count("web: starting") == 1  # the others were left alone
    assert output.text.count("slow: starting") == 3 and "crash 3" not in output.text
    family = {pid for pid in descendants(supervisor.pid) if is_alive(pid)}
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=30) == 0, output.text
    assert [pid for pid in family if is_alive(pid)] == []


def test_a_crash_loop_stops_everything_and_says_why(tmp_path):
    supervisor = start(tmp_path, "--crash-after", "1.5", "--crashes", "99")
    family = wait_for_descendants(supervisor.pid, 3)
    output, _ = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 1, output
    assert ("slow stopped unexpectedly (exit code 3); it crashed 3 times within 1 minute, which a restart "
            "will not mend: stopping the others.") in output
    assert output.count("slow: starting") == 3
    assert [pid for pid in family if is_alive(pid)] == []


def test_a_leader_killed_alone_is_seen_dead_though_its_group_holds_the_pipe(tmp_path):
    """web's grandchild ignores SIGTERM and keeps web's output pipe open: the death is seen by the
    leader's exit, the group is killed (the grandchild too), and web is started again."""
    supervisor = start(tmp_path, "--crash-after", "600", "--crashes", "0")  # both become ready
    output = Lines(supervisor)
    output.wait_for("ALL READY")
    leader = int(re.search(r"web: starting \(pid (\d+)", output.text).group(1))
    grandchild = next(pid for pid in descendants(leader) if pid != leader)
    os.kill(leader, signal.SIGKILL)
    output.wait_for("web stopped unexpectedly (killed by signal 9 (SIGKILL)); restarting it in 0.2s")
    output.wait_for("web: ready again")
    assert not is_alive(grandchild)
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=30) == 0, output.text
