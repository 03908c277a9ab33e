"""A small process supervisor for `make run` (and the end-to-end tests).

Starts each service in its own process group, waits until each answers on its
readiness URL, and stops all of them together on Ctrl-C/SIGTERM. A service that
dies during start-up stops everything (a broken set-up is not mended by starting
it again). One that dies later (its leader exits, whatever is left in its group)
is started again, alone, after a pause that doubles with each crash (1 s, 2 s,
4 s, 8 s; `RestartPolicy`), while the others are watched on: when Rasa is away
the gateway keeps storing messages and answers them once it is back. A restarted
service that does not become ready is killed and counted as crashed; a crash
loop (the 5th crash of one service within 10 minutes) stops everything, saying
which service and showing its last log lines. Direct children get SIGTERM from
the kernel if the supervisor itself is killed, and each group is SIGKILLed when
it stops.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.supervision.log_lines import as_json_line
from wiring.logs import announce, json_line

PR_SET_PDEATHSIG = 1


@dataclass
class Service:
    name: str
    argv: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    ready_timeout_s: float = 180.0


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class ServiceFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class RestartPolicy:
    """When a service that died after start-up is started again, and when not."""

    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    max_crashes: int = 5  # of one service within the window: a crash loop, not a hiccup
    window_s: float = 600.0

    def delay(self, recent_crashes: int) -> float:
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, recent_crashes - 1))


class Supervisor:
    def __init__(
        self,
        services: list[Service],
        log_dir: Path,
        out=None,
        stop_timeout_s: float = 10.0,
        redact: Callable[[str], str] | None = None,
        restart: RestartPolicy | None = RestartPolicy(),
        json_logs: bool = False,
    ) -> None:
        self.services = services
        self.restart = restart  # None: any death stops everything
        self.log_dir = log_dir
        # Every line a child prints passes through this before it is written anywhere.
        self.redact = redact or (lambda line: line)
        self.out = out or sys.stdout
        self.json_logs = json_logs  # HELPLINE_LOG_FORMAT=json: every line written is one JSON object
        self.stop_timeout_s = stop_timeout_s
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.tails: dict[str, collections.deque[str]] = {}
        self.crashes: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._background: set[asyncio.Task] = set()
        self._readiness: dict[str, asyncio.Task] = {}  # a restarted service's readiness watch
        self._pumps: set[asyncio.Task] = set()  # copying each child's output to its log

    def say(self, text: str) -> None:
        announce(text, self.json_logs, "helpline.supervisor", self.out)

    async def run(self, on_ready=None) -> int:
        """Run until stopped; returns 0 after Ctrl-C/SIGTERM, 1 when a service failed."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            return await self._run(stop, on_ready)
        finally:
            await self.stop_all()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def _run(self, stop: asyncio.Event, on_ready) -> int:
        self.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.log_dir, 0o700)
        for service in self.services:
            await self._start(service)
        exits = {asyncio.create_task(_exited(process)): name for name, process in self.processes.items()}
        stopper = asyncio.create_task(stop.wait())
        readiness = asyncio.create_task(self._wait_ready_all())
        try:
            done, _ = await asyncio.wait({stopper, readiness, *exits}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                self.say("stopping (interrupted)…")
                return 0
            died = [task for task in done if task in exits]
            if died:
                return self._report_death(exits[died[0]])
            try:
                readiness.result()
            except ServiceFailed as error:
                self.say(f"error: {error}")
                return 1
            if on_ready:
                on_ready()
        finally:
            for task in (stopper, readiness, *exits):
                task.cancel()
        return await self._watch(stop)

    async def _watch(self, stop: asyncio.Event) -> int:
        """After start-up: each service that dies is started again on its own schedule (see
        RestartPolicy) while the others are watched on, until stopped or a crash loop."""
        due: dict[str, float] = {}  # services waiting out their pause: when to start each again
        while True:
            exits = {asyncio.create_task(_exited(process)): name for name, process in self.processes.items() if name not in due}
            stopper = asyncio.create_task(stop.wait())
            pause = max(0.0, min(due.values()) - time.monotonic()) if due else None
            try:
                done, _ = await asyncio.wait({stopper, *exits}, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (stopper, *exits):
                    task.cancel()
            if stopper in done:
                self.say("stopping…")
                return 0
            for name in (exits[task] for task in done if task in exits):
                _signal_group(self.processes[name].pid, signal.SIGKILL)  # what the dead leader left in its group
                self._forget_readiness(name)
                if self.restart is None:
                    return self._report_death(name)
                recent = self._count_crash(name)
                minutes = f"{self.restart.window_s / 60:g} minute{'' if self.restart.window_s == 60 else 's'}"
                if recent >= self.restart.max_crashes:
                    return self._report_death(name, f"it crashed {recent} times within {minutes}, which a restart will "
                                                    "not mend: stopping the others. Fix what its log says, then start the helpline again.")
                delay = self.restart.delay(recent)
                due[name] = time.monotonic() + delay
                self._report_death(name, f"restarting it in {delay:g}s (crash {recent}; a {_ordinal(self.restart.max_crashes)} "
                                         f"within {minutes} stops the helpline); the other services go on.")
            for name in [name for name, at in due.items() if at <= time.monotonic()]:
                del due[name]
                service = next(s for s in self.services if s.name == name)
                try:
                    await self._start(service)
                except OSError as error:  # e.g. its environment was removed: nothing to restart
                    self.say(f"error: {name} could not be started again ({error}); stopping the others.")
                    return 1
                self._readiness[name] = self._keep(self._ready_again(service))

    def _count_crash(self, name: str) -> int:
        """Record a crash of `name` now; how many it had within the window, this one included."""
        now, recent = time.monotonic(), self.crashes[name]
        recent.append(now)
        while recent and now - recent[0] > self.restart.window_s:
            recent.popleft()
        return len(recent)

    async def _ready_again(self, service: Service) -> None:
        """A restarted service that never answers is as good as dead: it is killed, and its death
        counted like any other."""
        async with httpx.AsyncClient() as http:
            try:
                await self._wait_ready(http, service, again=True)
            except ServiceFailed as error:
                self.say(f"error: {error}; killing it")
                _signal_group(self.processes[service.name].pid, signal.SIGKILL)

    def _forget_readiness(self, name: str) -> None:
        task = self._readiness.pop(name, None)
        if task is not None:
            task.cancel()

    def _keep(self, work) -> asyncio.Task:
        """A task the supervisor holds (and cancels when it stops)."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _start(self, service: Service) -> None:
        env = {**os.environ, **service.env}
        process = await asyncio.create_subprocess_exec(
            *service.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
            cwd=service.cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.processes[service.name] = process
        self.tails[service.name] = collections.deque(maxlen=30)
        pump = asyncio.create_task(self._pump(service.name, process))  # runs until the pipe closes
        self._pumps.add(pump)
        pump.add_done_callback(self._pumps.discard)
        self.say(f"  {service.name}: starting (pid {process.pid}, log {self.log_dir / (service.name + '.log')})")

    async def _pump(self, name: str, process: asyncio.subprocess.Process) -> None:
        """Copy a child's output to its log file (owner-only, secrets redacted), keeping the
        last lines for error reports."""
        assert process.stdout is not None
        path = self.log_dir / f"{name}.log"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(path, 0o600)
        unwritable = False
        with os.fdopen(descriptor, "ab") as log:
            while True:
                try:
                    raw = await process.stdout.readline()
                except ValueError:  # a line longer than the stream's limit: take it in pieces
                    raw = await process.stdout.read(2**16)
                if not raw:
                    break
                line = self.redact(raw.decode("utf-8", "replace"))
                written = self._as_written(name, line)
                if written is None:
                    continue
                try:
                    log.write(written.encode("utf-8"))
                    log.flush()
                except OSError as error:  # a full disk must not stop the reading (the child would block)
                    if not unwritable:
                        self.say(f"  warning: {name}'s log cannot be written ({error.strerror}); its output is still read")
                    unwritable = True
                self.tails[name].append(line.rstrip())

    def _as_written(self, name: str, line: str) -> str | None:
        if not self.json_logs:
            return line
        try:
            return as_json_line(name, line)
        except Exception:  # never let one odd line stop the copying (the child would block on its pipe)
            return json_line(line.rstrip("\r\n"), name, "INFO") + "\n"

    async def _wait_ready_all(self) -> None:
        async with httpx.AsyncClient() as http:
            await asyncio.gather(*(self._wait_ready(http, service) for service in self.services))

    async def _wait_ready(self, http: httpx.AsyncClient, service: Service, again: bool = False) -> None:
        started = time.monotonic()
        while time.monotonic() - started < service.ready_timeout_s:
            try:
                response = await http.get(service.ready_url, timeout=2.0)
                if response.status_code == 200:
                    self.say(f"  {service.name}: {'ready again' if again else 'ready'} ({time.monotonic() - started:.0f}s)")
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
        raise ServiceFailed(f"{service.name} was not ready after {service.ready_timeout_s:.0f}s")

    def _report_death(self, name: str, consequence: str = "stopping the others.") -> int:
        code = self.processes[name].returncode
        how = f"killed by signal {-code} ({signal.Signals(-code).name})" if code is not None and code < 0 else f"exit code {code}"
        self.say(f"error: {name} stopped unexpectedly ({how}); {consequence}")
        tail = list(self.tails.get(name, []))[-12:]
        if tail:
            self.say(f"last lines of {name}'s log:")
            for line in tail:
                self.say(f"  | {line}")
        return 1

    async def stop_all(self) -> None:
        """SIGTERM every process group, then SIGKILL whatever is still there."""
        for task in list(self._background):
            task.cancel()
        running = {name: p for name, p in self.processes.items() if p.returncode is None}
        for process in running.values():
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout_s
        for name, process in running.items():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                await asyncio.wait_for(process.wait(), timeout=remaining)
            except asyncio.TimeoutError:
                self.say(f"  {name}: did not stop in time, killing it")
        # Whatever the leader did, make sure no grandchild survives in its group.
        for process in self.processes.values():
            _signal_group(process.pid, signal.SIGKILL)
        for process in self.processes.values():
            if process.returncode is None:
                await process.wait()


async def _exited(process: asyncio.subprocess.Process) -> None:
    """Until the process has exited. (Not process.wait(): that also waits for its output pipe to
    close, which a grandchild left in its group may hold open for ever.)"""
    while process.returncode is None:
        await asyncio.sleep(0.2)


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
