"""How fast a report's turns are, through the gateway's web chat and through Rasa's own REST
channel, in the same run, on the same messages and at the same concurrency.

The whole stack starts as `make run` starts it (`helpline run`): on SQLite (the embedded
defaults), then on PostgreSQL + Redis (app database and Rasa tracker on PostgreSQL, lock
store on Redis). Each client runs whole reports, one after another: a greeting, a report,
then the report form's questions answered as a reporter would (the place, who, whether it
still goes on, contact, the confirmation) until the ticket comes. Every turn is timed from
request to reply.

Prints one JSON line. Its `gateway` and `rasa_rest` keys are the headline (SQLite, the
largest concurrency); `runs` has every setup, side and concurrency, with per-kind p50s
(greeting, report, place, form, confirm). `gateway_overhead_p50_pct` compares the sides at
one client.

    make bench-turns [TURNS_ARGS='--clients 1 8 --reports 24 --stores sqlite postgresql']

The PostgreSQL run needs PostgreSQL at TEST_POSTGRES_URL and Redis at TEST_REDIS_URL (the
tests' defaults, 127.0.0.1); `--stores sqlite` needs neither.

`--profile DIR` runs py-spy on Rasa, the action server and the gateway while the largest
concurrency runs, and writes each one's collapsed stacks (`DIR/<store>-<side>-<service>.txt`,
the input of any flame-graph tool) and the functions that took the most time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wiring.settings import Settings  # noqa: E402
from stats import percentile  # noqa: E402
from tests.helpers import POSTGRES_ADMIN_URL, REDIS_URL, free_port, fresh_postgres_database, question  # noqa: E402

READY_LINE = "The helpline is running."
TICKET = re.compile(r"MPKS-\d{4}-\d{5,}")
GREETINGS = ["halo", "assalamualaikum", "permisi min", "selamat malam"]
# Reports that are not emergencies, so that each one walks the whole form.
REPORTS = [
    "anak saya dibully teman sekelasnya tiap hari",
    "butuh bantuan sembako, sudah dua hari gak makan",
    "tetangga saya nenek tinggal sendirian, sudah tidak bisa mengurus diri",
    "keponakan saya sering dipukul ayahnya kalau mabuk",
    "mau minta bantuan biaya sekolah untuk anak yatim",
    "adik saya diejek dan dikucilkan di pondok",
]
PLACES = ["kec. kasihan, bantul", "kota yogyakarta", "sleman", "kec. depok, sleman"]
ANSWERS = {"victim": "orang lain", "situation": "sudah aman", "contact": "lewati", "contact_phone": "lewati",
           "description": "lewati", "confirmed": "benar"}


@dataclass
class Timings:
    """Every turn's milliseconds, by kind, and the wall time they took together."""

    by_kind: dict[str, list[float]] = field(default_factory=dict)
    wall_s: float = 0.0
    failures: int = 0
    tickets: int = 0

    def add(self, kind: str, ms: float) -> None:
        self.by_kind.setdefault(kind, []).append(ms)

    def summary(self) -> dict:
        every = [ms for kind in self.by_kind.values() for ms in kind]
        return {
            "turns": len(every),
            "turns_per_s": round(len(every) / self.wall_s, 2) if self.wall_s else 0.0,
            "turn_ms_p50": round(percentile(every, 0.50), 1),
            "turn_ms_p95": round(percentile(every, 0.95), 1),
            "by_kind_ms_p50": {kind: round(percentile(values, 0.50), 1) for kind, values in sorted(self.by_kind.items())},
            "by_kind_ms_p95": {kind: round(percentile(values, 0.95), 1) for kind, values in sorted(self.by_kind.items())},
            "tickets": self.tickets,
            "failures": self.failures,
        }


class Side:
    """One way in: `say` sends a reporter's text and returns the replies."""

    name: str

    async def say(self, http: httpx.AsyncClient, sender: str, text: str) -> list[dict]:
        raise NotImplementedError


class Gateway(Side):
    name = "gateway"

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/webchat/messages"

    async def say(self, http, sender, text):
        response = await http.post(self.url, json={"sender_id": sender, "text": text})
        response.raise_for_status()
        return response.json()["replies"]


class RasaRest(Side):
    name = "rasa_rest"

    def __init__(self, rasa_url: str, token: str) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.token = token

    async def say(self, http, sender, text):
        response = await http.post(self.url, params={"token": self.token}, json={"sender": sender, "message": text})
        response.raise_for_status()
        return response.json()


async def one_report(side: Side, http: httpx.AsyncClient, number: int, timings: Timings) -> None:
    sender = f"bench-{side.name}-{uuid.uuid4().hex[:12]}"

    async def turn(kind: str, text: str) -> list[dict]:
        start = time.perf_counter()
        replies = await side.say(http, sender, text)
        timings.add(kind, (time.perf_counter() - start) * 1000)
        return replies

    await turn("greeting", GREETINGS[number % len(GREETINGS)])
    replies = await turn("report", REPORTS[number % len(REPORTS)])
    for _ in range(8):
        if TICKET.search(" ".join(reply.get("text") or "" for reply in replies)):
            timings.tickets += 1
            return
        asked = question(replies)
        if asked is None:
            break
        if asked == "location":
            replies = await turn("place", PLACES[number % len(PLACES)])
        else:
            replies = await turn("confirm" if asked == "confirmed" else "form", ANSWERS[asked])
    timings.failures += 1  # no ticket: the figures would compare different conversations


async def run_side(side: Side, clients: int, reports_per_client: int) -> dict:
    timings = Timings()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        async def client(index: int) -> None:
            for report in range(reports_per_client):
                await one_report(side, http, index * reports_per_client + report, timings)

        start = time.perf_counter()
        await asyncio.gather(*(client(index) for index in range(clients)))
        timings.wall_s = time.perf_counter() - start
    return timings.summary()


SERVICE_MARKERS = {"rasa": "nlu_components.serve", "actions": "actions.server", "gateway": "bot.gateway.app"}


def service_pids(stack_pid: int) -> dict[str, int]:
    """The PIDs of Rasa, the action server and the gateway under `helpline run`."""
    pids = {}
    children = Path(f"/proc/{stack_pid}/task/{stack_pid}/children").read_text().split()
    for child in map(int, children):
        command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        for name, marker in SERVICE_MARKERS.items():
            if marker in command:
                pids[name] = child
    return pids


@contextmanager
def profiled(pids: dict[str, int], out_dir: Path | None, label: str):
    """py-spy on each service while the block runs (nothing when `out_dir` is None)."""
    if out_dir is None:
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    spy = ROOT / ".venv" / "bin" / "py-spy"
    recorders = {}
    for name, pid in pids.items():
        with open(out_dir / f"{label}-{name}.log", "w") as log:
            recorders[name] = subprocess.Popen(
                [str(spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--nonblocking",
                 "--subprocesses", "--output", str(out_dir / f"{label}-{name}.txt")],
                stdout=log, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        for recorder in recorders.values():
            if recorder.poll() is None:
                recorder.send_signal(signal.SIGINT)
        for name, recorder in recorders.items():
            try:
                code = recorder.wait(timeout=60)
            except subprocess.TimeoutExpired:
                recorder.kill()
                code = "killed after 60 s"
            if code != 0:  # e.g. no ptrace permission: say so instead of printing an empty profile
                print(f"# warning: py-spy on {name} ended with {code}; see {out_dir / f'{label}-{name}.log'}",
                      file=sys.stderr)


def print_hottest(out_dir: Path) -> None:
    for collapsed in sorted(out_dir.glob("*.txt")):
        print(f"# {collapsed.stem}: hottest functions (share of samples, own time)", file=sys.stderr)
        for share, function in hottest(collapsed):
            print(f"#   {share:5.1f}%  {function}", file=sys.stderr)


def hottest(collapsed: Path, top: int = 12) -> list[tuple[float, str]]:
    """The functions most samples ended in, from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    total = 0
    if not collapsed.exists():
        return []
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        leaf = stack.split(";")[-1]
        own[leaf] = own.get(leaf, 0) + int(count)
        total += int(count)
    ranked = sorted(own.items(), key=lambda item: -item[1])[:top]
    return [(100 * count / total, function) for function, count in ranked] if total else []


@contextmanager
def running_stack(store: str):
    """`helpline run` in a fresh data folder, on `store`; yields (gateway URL, Rasa URL, token, its pid)."""
    with ExitStack() as cleanup:
        data_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-turns-")))
        env = {**os.environ, "HELPLINE_DATA_DIR": str(data_dir),
               "HELPLINE_WEBCHAT_NEW_PER_ADDRESS_PER_HOUR": "1000000",
               "HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE": "1000000"}
        for name in ("RASA_URL", "ACTION_SERVER_URL", "DATABASE_URL", "TRACKER_STORE_URL", "LOCK_STORE_URL"):
            env.pop(name, None)
        ports = {name: str(free_port()) for name in ("HELPLINE_PORT", "HELPLINE_RASA_PORT", "HELPLINE_ACTION_PORT")}
        env.update(ports)
        if store == "postgresql":
            env["DATABASE_URL"] = cleanup.enter_context(fresh_postgres_database())
            env["TRACKER_STORE_URL"] = cleanup.enter_context(fresh_postgres_database())
            env["LOCK_STORE_URL"] = REDIS_URL
        log_path = data_dir / "stack.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "helpline"), "run"], env=env,
                                       stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_ready(process, log_path)
            settings = Settings.from_env(env)
            yield (f"http://127.0.0.1:{ports['HELPLINE_PORT']}", f"http://127.0.0.1:{ports['HELPLINE_RASA_PORT']}",
                   settings.resolved_engine_token(), process.pid)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_ready(process: subprocess.Popen, log_path: Path, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if READY_LINE in log_path.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.5)
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
    raise SystemExit(f"error: the stack did not start:\n{tail}")


def bench_store(store: str, clients_levels: list[int], reports: int, warmup: int, profile_dir: Path | None) -> list[dict]:
    runs = []
    with running_stack(store) as (gateway_url, rasa_url, token, stack_pid):
        sides = [Gateway(gateway_url), RasaRest(rasa_url, token)]
        for side in sides:  # the first turns load caches and connections: not measured
            asyncio.run(run_side(side, 1, warmup))
        for clients in clients_levels:
            # Fewer reports each at higher concurrency keeps the total (and the run) steady.
            per_client = max(1, reports // clients) if clients > 1 else max(1, reports // 2)
            for side in sides:
                profiling = profile_dir if clients == max(clients_levels) else None
                with profiled(service_pids(stack_pid), profiling, f"{store}-{side.name}"):
                    figures = asyncio.run(run_side(side, clients, per_client))
                runs.append({"store": store, "clients": clients, "side": side.name, **figures})
                print(f"# {store} clients={clients} {side.name}: {figures['turns_per_s']} turns/s, "
                      f"p50 {figures['turn_ms_p50']} ms, p95 {figures['turn_ms_p95']} ms", file=sys.stderr)
    return runs


def headline(runs: list[dict], store: str, clients: int, side: str) -> dict:
    run = next((r for r in runs if (r["store"], r["clients"], r["side"]) == (store, clients, side)), None)
    if run is None:
        return {}
    return {key: run[key] for key in ("turns_per_s", "turn_ms_p50", "turn_ms_p95")}


def unreachable_services() -> str | None:
    """What the PostgreSQL run needs and cannot reach (checked before minutes of SQLite runs)."""
    import psycopg
    import redis

    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError:
        return f"Redis at {REDIS_URL}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8], help="concurrency levels (default: 1 8)")
    parser.add_argument("--reports", type=int, default=24,
                        help="whole reports per level: split among the clients above 1, half of it with 1 (default: 24)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured reports per side first (default: 2)")
    parser.add_argument("--stores", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"],
                        help="storage setups to run the stack on (default: both)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="record py-spy profiles of each service at the largest concurrency into DIR")
    args = parser.parse_args(argv)
    if not any((ROOT / "models").glob("*.tar.gz")):
        parser.error("no trained model in models/: run `make train` first")
    if "postgresql" in args.stores and (missing := unreachable_services()):
        parser.error(f"{missing} is not reachable: start it, or run only `--stores sqlite`")
    runs = [run for store in args.stores for run in bench_store(store, args.clients, args.reports, args.warmup, args.profile)]
    if args.profile:
        print_hottest(args.profile)
    top_store, top_clients = args.stores[0], max(args.clients)
    low = min(args.clients)
    gateway_low = headline(runs, top_store, low, "gateway").get("turn_ms_p50", 0.0)
    rasa_low = headline(runs, top_store, low, "rasa_rest").get("turn_ms_p50", 0.0)
    result = {
        "bench": "turns",
        "store": top_store,
        "clients": top_clients,
        "gateway": headline(runs, top_store, top_clients, "gateway"),
        "rasa_rest": headline(runs, top_store, top_clients, "rasa_rest"),
        "gateway_overhead_p50_pct": round(100 * (gateway_low - rasa_low) / rasa_low, 1) if rasa_low else None,
        "runs": runs,
    }
    print(json.dumps(result))
    return 0 if all(run["failures"] == 0 for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
