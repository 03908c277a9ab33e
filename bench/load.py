"""Load and faults: many reporters writing whole reports at once, on all three channels,
against the real stack (`helpline run`: gateway, Rasa, action server) on a private
PostgreSQL (and the machine's Redis); then the same with a fault injected mid-run.

Reporters are split evenly over Telegram (updates through a fake Bot API the gateway
polls), WhatsApp (signed webhooks in, a fake Graph API out; a webhook the gateway cannot
take is sent again, as Meta does) and the web chat (its HTTP API, polling for answers
that come later, as the page does). Each writes a greeting, a report, then answers the
report form's questions as a reporter would until the ticket comes, with a short pause
before each message. A turn is timed from sending to the first reply that answers it
(the gateway's "saved, we will answer" acknowledgement does not count).

Faults, each in its own run, injected once a third of the expected turns are done:
`rasa`, `actions` and `gateway` SIGKILL that service (the supervisor starts it again);
`postgres` restarts the private PostgreSQL (initdb'd in a temporary folder on its own
port: the machine's shared one is never touched). The no-fault run also measures Rasa's
own REST channel with the same reporters, for the gateway's overhead.

Prints one JSON line: per run, messages in, replies out, lost (a message never answered,
or never stored), duplicated (a reply delivered more often than it was stored), turn
latency p50/p95/p99, turns per second, reporters answered.

    make bench-load [LOAD_ARGS='--reporters 500 --faults none rasa actions gateway postgres']
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wiring.environment import read_dotenv  # noqa: E402
from wiring.settings import Settings  # noqa: E402
from stats import percentile  # noqa: E402
from turns import GREETINGS, PLACES, REPORTS, wait_for_ready  # noqa: E402  the same reporters and start as make bench-turns
from tests.fakes.servers import FakeBotApi, FakeGraphApi, serve, telegram_message  # noqa: E402
from tests.helpers import REDIS_URL, free_port  # noqa: E402

TICKET = re.compile(r"MPKS-\d{4}-\d{5,}")
FAULTS = ("none", "rasa", "actions", "gateway", "postgres")
SERVICES = ("rasa", "actions", "gateway")  # the faults that kill a service of `helpline run`
SEND_DEADLINE_S = 300  # a message the gateway will not take for this long is given up on (then lost)
CHANNELS = ("telegram", "whatsapp", "webchat")
TELEGRAM_TOKEN = "7000000001:AALoadBenchTokenNotARealOne000000000"
WHATSAPP = {"token": "load-graph-token", "phone_number_id": "5550002222", "app_secret": "load-app-secret"}
# The gateway's own notes that a message is kept and will be answered: not an answer.
ACKNOWLEDGEMENTS = ("sudah kami terima dan tersimpan", "sedang kami catat", "akan kami jawab satu per satu")
# The gateway's notice that a message could not be taken ("please send it again"): a loss.
NOT_PROCESSED = "tidak dapat kami proses"
# The form's questions, told by the words of the bot's last message, and a reporter's answer.
QUESTIONS = [
    ("siapa yang mengalami", "orang lain"), ("bantuan ini untuk siapa", "orang lain"),
    ("masih berlangsung", "sudah aman"), ("menghubungi anda", "lewati"), ("nomor telepon", "lewati"),
    ("ceritakan singkat", "lewati"), ("sudah benar?", "benar"), ("belum menangkap", "lewati"),
]


def answer_for(last_text: str, number: int) -> str | None:
    lowered = last_text.lower()
    for marker, answer in QUESTIONS:
        if marker in lowered:
            return answer
    if "lokasi" in lowered or "daerah" in lowered:
        return PLACES[number % len(PLACES)]
    return None


# -- the reporters, one class per channel: send a text, and see every reply so far -----------

class Deliveries:
    """What a fake provider was asked to send, by address, read incrementally (a scan of the
    whole list per poll would take the stack's CPU)."""

    def __init__(self, sent: list[dict], address_of, text_of) -> None:
        self.sent, self.address_of, self.text_of = sent, address_of, text_of
        self.read = 0
        self.by_address: dict[str, list[str]] = {}

    def to(self, address: str) -> list[str]:
        fresh = self.sent[self.read:len(self.sent)]
        self.read += len(fresh)
        for message in fresh:
            self.by_address.setdefault(self.address_of(message), []).append(self.text_of(message))
        return self.by_address.get(address, [])


def whatsapp_text(message: dict) -> str:
    if message.get("type") == "text":
        return message.get("text", {}).get("body", "")
    return message.get("interactive", {}).get("body", {}).get("text", "") or f"<{message.get('type')}>"


class Reporter:
    channel: str
    poll_s = 0.1  # how often to look for an answer
    whole_turn_at_once = False  # its replies to one message come together (no need to wait for more)

    def __init__(self, number: int) -> None:
        self.number = number
        self.address = ""
        self.sent = 0

    async def send(self, http: httpx.AsyncClient, text: str) -> None:
        raise NotImplementedError

    async def replies(self, http: httpx.AsyncClient) -> list[str]:
        raise NotImplementedError


class TelegramReporter(Reporter):
    channel = "telegram"
    _ids = itertools.count(1)

    def __init__(self, number: int, bot_api: FakeBotApi, deliveries: Deliveries) -> None:
        super().__init__(number)
        self.chat = 6_100_000_000 + number
        self.address = str(self.chat)
        self.bot_api, self.deliveries = bot_api, deliveries

    async def send(self, http, text):
        self.sent += 1
        self.bot_api.push({"message": telegram_message(self.chat, next(self._ids), text=text)})  # held until polled

    async def replies(self, http):
        return list(self.deliveries.to(self.address))


class WhatsAppReporter(Reporter):
    channel = "whatsapp"

    def __init__(self, number: int, deliveries: Deliveries, gateway_url: str) -> None:
        super().__init__(number)
        self.address = f"62811{number:08d}"
        self.deliveries = deliveries
        self.url = f"{gateway_url}/webhooks/whatsapp"

    async def send(self, http, text):
        self.sent += 1
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": WHATSAPP["phone_number_id"]},
            "contacts": [{"profile": {"name": "Pelapor"}, "wa_id": self.address}],
            "messages": [{"from": self.address, "id": f"wamid.load.{self.address}.{self.sent}",
                          "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}],
        }}]}]}).encode()
        signature = "sha256=" + hmac.new(WHATSAPP["app_secret"].encode(), body, hashlib.sha256).hexdigest()
        headers = {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}
        deadline = time.monotonic() + SEND_DEADLINE_S
        while time.monotonic() < deadline:  # as Meta does: a webhook not taken with a 200 comes again, same id
            try:
                if (await http.post(self.url, content=body, headers=headers, timeout=15)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(2)

    async def replies(self, http):
        return list(self.deliveries.to(self.address))


class WebchatReporter(Reporter):
    channel = "webchat"
    poll_s = 1.0  # as the page polls (its POST waits for the answer; polling is for late ones)
    whole_turn_at_once = True

    def __init__(self, number: int, gateway_url: str) -> None:
        super().__init__(number)
        self.address = f"load-{number:06d}-{random.randrange(16**12):012x}"
        self.url = f"{gateway_url}/webchat/messages"
        self.seen: dict[int, str] = {}  # by reply id, as the page keeps them (a retried request's replies come again)

    def _take(self, replies: list[dict]) -> None:
        for reply in replies:
            self.seen[reply["id"]] = reply.get("text") or ""

    async def send(self, http, text):
        self.sent += 1
        # The same message_id on every try: a retry of a request that did reach the gateway is not a second message.
        body = {"sender_id": self.address, "text": text, "message_id": f"m{self.sent}"}
        deadline = time.monotonic() + SEND_DEADLINE_S
        while time.monotonic() < deadline:
            try:
                response = await http.post(self.url, json=body, timeout=60)
            except httpx.HTTPError:  # the gateway is down or went away mid-request: try again
                await asyncio.sleep(1)
                continue
            if response.status_code == 200:
                self._take(response.json()["replies"])
                return
            await asyncio.sleep(1)  # 503 while starting, 429: try again

    async def replies(self, http):
        after = max(self.seen, default=0)
        try:
            response = await http.get(self.url, params={"after": after}, headers={"X-Webchat-Sender": self.address}, timeout=15)
            if response.status_code == 200:
                self._take(response.json()["replies"])
        except httpx.HTTPError:
            pass
        return [self.seen[key] for key in sorted(self.seen)]


class RestReporter(Reporter):
    """Rasa's own REST channel, for the gateway's overhead: the same script, no gateway."""

    channel = "rasa_rest"
    whole_turn_at_once = True

    def __init__(self, number: int, rasa_url: str, token: str) -> None:
        super().__init__(number)
        self.address = f"load-rest-{number:06d}"
        self.url, self.token = f"{rasa_url}/webhooks/rest/webhook", token
        self.got: list[str] = []

    async def send(self, http, text):
        self.sent += 1
        response = await http.post(self.url, params={"token": self.token}, json={"sender": self.address, "message": text}, timeout=120)
        response.raise_for_status()
        self.got += [reply.get("text") or "" for reply in response.json()]

    async def replies(self, http):
        return list(self.got)


# -- one run ------------------------------------------------------------------------------

@dataclass
class Tally:
    turn_ms: list[float] = field(default_factory=list)
    unanswered: int = 0
    answered_reporters: int = 0
    tickets: int = 0
    unfollowed: int = 0  # reporters whose last reply the script could not answer
    unfollowed_last: list[str] = field(default_factory=list)  # the bot's words the script stopped at (ours, not a reporter's)
    lost_turns: list[dict] = field(default_factory=list)  # which reporter's which turn got no answer
    fault_at_turn: int | None = None  # how many turns were done when the fault came
    fault_mid_run: bool | None = None  # whether reporters were still writing then

    def done(self) -> int:
        return len(self.turn_ms) + self.unanswered


async def one_reporter(reporter: Reporter, http: httpx.AsyncClient, tally: Tally, answer_timeout_s: float, pause_s: float) -> None:
    number = reporter.number
    texts = [GREETINGS[number % len(GREETINGS)], REPORTS[number % len(REPORTS)]]
    answered_all = True
    for turn in range(10):
        text = texts[turn] if turn < len(texts) else None
        if text is None:
            replies = await reporter.replies(http)
            if replies and TICKET.search(replies[-1]):
                tally.tickets += 1
                break
            text = answer_for(replies[-1] if replies else "", number)
            if text is None:
                tally.unfollowed += 1  # a conversation the script cannot follow: answered, but no ticket
                tally.unfollowed_last.append((replies[-1] if replies else "")[:80])
                break
        await asyncio.sleep(random.uniform(0.5, 1.5) * pause_s)
        before = len(await reporter.replies(http))
        started = time.perf_counter()
        await reporter.send(http, text)
        answer = await first_answer(reporter, http, before, answer_timeout_s)
        if answer is None or NOT_PROCESSED in answer:
            tally.unanswered += 1
            tally.lost_turns.append({"channel": reporter.channel, "address": reporter.address, "turn": turn,
                                     "why": "no answer" if answer is None else "not processed"})
            answered_all = False
            break
        tally.turn_ms.append((time.perf_counter() - started) * 1000)
        await settle(reporter, http)
    if answered_all:
        tally.answered_reporters += 1


async def first_answer(reporter: Reporter, http: httpx.AsyncClient, before: int, timeout_s: float) -> str | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        new = (await reporter.replies(http))[before:]
        real = [text for text in new if not any(marker in text for marker in ACKNOWLEDGEMENTS)]
        if real:
            return real[0]
        await asyncio.sleep(reporter.poll_s)
    return None


def turn_complete(replies: list[str], number: int) -> bool:
    """The last reply asks one of the form's questions, or gives the ticket."""
    return bool(replies) and (TICKET.search(replies[-1]) is not None or answer_for(replies[-1], number) is not None)


async def settle(reporter: Reporter, http: httpx.AsyncClient, quiet_s: float = 5, at_most_s: float = 60) -> None:
    """Wait for the rest of a turn's replies (a channel delivers them one by one, slower
    under load): until the last one asks something or gives the ticket, or nothing more
    comes for `quiet_s`."""
    if reporter.whole_turn_at_once:
        return
    replies = await reporter.replies(http)
    count, quiet_since, started = len(replies), time.monotonic(), time.monotonic()
    while not turn_complete(replies, reporter.number):
        if time.monotonic() - quiet_since > quiet_s or time.monotonic() - started > at_most_s:
            return
        await asyncio.sleep(reporter.poll_s)
        replies = await reporter.replies(http)
        if len(replies) != count:
            count, quiet_since = len(replies), time.monotonic()


async def drive(reporters: list[Reporter], tally: Tally, answer_timeout_s: float, pause_s: float, fault=None,
                expected_turns: int = 0) -> float:
    limits = httpx.Limits(max_connections=len(reporters) + 10, max_keepalive_connections=len(reporters) + 10)
    async with httpx.AsyncClient(limits=limits) as http:
        started = time.perf_counter()
        tasks = [asyncio.create_task(one_reporter(r, http, tally, answer_timeout_s, pause_s)) for r in reporters]
        if fault is not None:
            while tally.done() < expected_turns // 3 and not all(task.done() for task in tasks):
                await asyncio.sleep(0.2)
            tally.fault_at_turn = tally.done()
            tally.fault_mid_run = not all(task.done() for task in tasks)
            await asyncio.to_thread(fault)
        await asyncio.gather(*tasks)
        return time.perf_counter() - started


# -- the private PostgreSQL and the stack -------------------------------------------------

def postgres_binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None)
    if not found:
        raise SystemExit(f"error: {name} not found: install PostgreSQL's server binaries (Debian: postgresql)")
    return str(found)


class PrivatePostgres:
    """A PostgreSQL of this run's own (initdb in a temporary folder, its own port), so that
    restarting it as a fault touches nobody else's databases."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # initdb refuses root
        # A password, not trust: the server listens on 127.0.0.1, where every local user could reach it.
        self.password = secrets.token_hex(16)

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_owner, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self.folder.mkdir(parents=True)
        if self.as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
        password_file = self.folder / "password"
        password_file.write_text(self.password)
        if self.as_owner:
            shutil.chown(password_file, "postgres", "postgres")
        os.chmod(password_file, 0o600)
        self._run(postgres_binary("initdb"), "-D", str(self.folder / "data"), "-A", "scram-sha-256", "-U", "postgres",
                  f"--pwfile={password_file}", "--no-sync")
        password_file.unlink()
        self._pg_ctl("start")
        for name in ("app", "tracker"):
            subprocess.run([postgres_binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                           check=True, env={**os.environ, "PGPASSWORD": self.password})

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c max_connections=200"
        self._run(postgres_binary("pg_ctl"), "-D", str(self.folder / "data"), "-o", options, "-l",
                  str(self.folder / "postgres.log"), "-w", "-m", "fast", action)

    def restart(self) -> None:
        self._pg_ctl("restart")

    def stop(self) -> None:
        if not (self.folder / "data" / "postmaster.pid").exists():
            return  # never started, or already stopped
        try:
            self._pg_ctl("stop")
        except subprocess.CalledProcessError:
            pass

    def url(self, database: str) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"


@dataclass
class Stack:
    process: subprocess.Popen
    gateway_url: str
    rasa_url: str
    token: str
    log_path: Path
    postgres: PrivatePostgres

    def pid_of(self, service: str) -> int:
        found = re.findall(rf"{service}: starting \(pid (\d+)", self.log_path.read_text(errors="replace"))
        return int(found[-1])


@contextmanager
def running_stack(bot_api_url: str, graph_api_url: str):
    with ExitStack() as cleanup:
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        os.chmod(folder, 0o755)  # the private PostgreSQL's owner reaches its folder inside
        postgres = PrivatePostgres(folder / "postgres")
        cleanup.callback(postgres.stop)  # before start: a start that fails half-way still stops it
        postgres.start()
        data_dir = folder / "helpline"
        env = {**os.environ, "HELPLINE_DATA_DIR": str(data_dir),
               "DATABASE_URL": postgres.url("app"), "TRACKER_STORE_URL": postgres.url("tracker"), "LOCK_STORE_URL": REDIS_URL,
               "HELPLINE_WEBCHAT_NEW_PER_ADDRESS_PER_HOUR": "1000000", "HELPLINE_WEBCHAT_PER_ADDRESS_PER_MINUTE": "1000000",
               "HELPLINE_MESSAGES_PER_MINUTE": "1000",
               "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE": bot_api_url,
               "WHATSAPP_TOKEN": WHATSAPP["token"], "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP["phone_number_id"],
               "WHATSAPP_APP_SECRET": WHATSAPP["app_secret"], "WHATSAPP_VERIFY_TOKEN": "load-verify",
               "WHATSAPP_API_BASE": graph_api_url}
        for name in ("RASA_URL", "ACTION_SERVER_URL", "HELPLINE_LOG_FORMAT"):
            env.pop(name, None)
        # Whatever else the developer's .env sets (a webhook URL, SMTP, shorter timers) is blanked:
        # an empty value reads as unset, and the environment wins over .env.
        for name in read_dotenv(ROOT / ".env"):
            env.setdefault(name, "")
        ports = {name: str(free_port()) for name in ("HELPLINE_PORT", "HELPLINE_RASA_PORT", "HELPLINE_ACTION_PORT")}
        env.update(ports)
        log_path = folder / "stack.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "helpline"), "run"], env=env,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_ready(process, log_path)
            settings = Settings.from_env(env)
            yield Stack(process, f"http://127.0.0.1:{ports['HELPLINE_PORT']}", f"http://127.0.0.1:{ports['HELPLINE_RASA_PORT']}",
                        settings.resolved_engine_token(), log_path, postgres)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)  # whatever of the stack is left
            except ProcessLookupError:
                pass


def injector(stack: Stack, fault: str):
    if fault == "none":
        return None
    if fault == "postgres":
        return stack.postgres.restart
    return lambda: os.kill(stack.pid_of(fault), signal.SIGKILL)


def stored_counts(stack: Stack) -> tuple[dict[str, tuple[int, int]], int]:
    """Per channel address, (inbound messages stored, outbound messages stored); and how many
    replies were made twice for one message (the same text in reply to the same inbound)."""
    import psycopg

    with psycopg.connect(stack.postgres.url("app")) as connection:
        rows = connection.execute(
            "SELECT c.channel_address, count(*) FILTER (WHERE m.direction = 'in'), count(*) FILTER (WHERE m.direction = 'out')"
            " FROM messages m JOIN conversations c ON c.id = m.conversation_id GROUP BY c.channel_address"
        ).fetchall()
        (made_twice,) = connection.execute(
            "SELECT count(*) - count(DISTINCT (in_reply_to_id, text)) FROM messages"
            " WHERE direction = 'out' AND in_reply_to_id IS NOT NULL"
        ).fetchone()
    return {address: (inbound, outbound) for address, inbound, outbound in rows}, made_twice


def stored_statuses(stack: Stack, address: str) -> list[str]:
    """One reporter's stored messages, oldest first, as direction:status:attempts (for a
    loss's report: was it answered, and did the answer go out?)."""
    import psycopg

    with psycopg.connect(stack.postgres.url("app")) as connection:
        rows = connection.execute(
            "SELECT m.direction, m.status, m.attempts FROM messages m JOIN conversations c ON c.id = m.conversation_id"
            " WHERE c.channel_address = %s ORDER BY m.id", (address,)
        ).fetchall()
    return [f"{direction}:{status}:{attempts}" for direction, status, attempts in rows]


def run_once(fault: str, reporters_count: int, bot_api: FakeBotApi, graph_api: FakeGraphApi, answer_timeout_s: float,
             pause_s: float, with_rest: bool, keep_logs: Path | None = None) -> dict:
    with running_stack(bot_api.url, graph_api.url) as stack:
        reporters: list[Reporter] = []
        telegram = Deliveries(bot_api.sent, lambda m: str(m["chat_id"]), lambda m: m.get("text", ""))
        whatsapp = Deliveries(graph_api.sent, lambda m: m.get("to", ""), whatsapp_text)
        for number in range(reporters_count):
            channel = CHANNELS[number % len(CHANNELS)]
            if channel == "telegram":
                reporters.append(TelegramReporter(number, bot_api, telegram))
            elif channel == "whatsapp":
                reporters.append(WhatsAppReporter(number, whatsapp, stack.gateway_url))
            else:
                reporters.append(WebchatReporter(number, stack.gateway_url))
        tally = Tally()
        expected_turns = reporters_count * 6  # a report takes about six turns
        wall_s = asyncio.run(drive(reporters, tally, answer_timeout_s, pause_s, injector(stack, fault), expected_turns))
        time.sleep(3)  # replies still in the outbox reach the fakes
        result = summarise(fault, reporters, tally, wall_s, stack)
        if keep_logs and (result["lost"] or result["duplicated"]):  # the services' logs, to find out why
            kept = keep_logs / fault
            shutil.copytree(stack.log_path.parent / "helpline" / "log", kept, dirs_exist_ok=True)
            shutil.copy(stack.log_path, kept / "helpline-run.log")
            result["logs_kept_in"] = str(kept)
        if with_rest:
            rest_tally = Tally()
            rest = [RestReporter(number, stack.rasa_url, stack.token) for number in range(reporters_count)]
            rest_wall = asyncio.run(drive(rest, rest_tally, answer_timeout_s, pause_s))
            result["rasa_rest"] = latency(rest_tally, rest_wall)
        return result


def latency(tally: Tally, wall_s: float) -> dict:
    ms = tally.turn_ms or [0.0]
    return {"turns": len(tally.turn_ms), "turns_per_s": round(len(tally.turn_ms) / wall_s, 2) if wall_s else 0.0,
            "turn_ms_p50": round(percentile(ms, 0.50), 1), "turn_ms_p95": round(percentile(ms, 0.95), 1),
            "turn_ms_p99": round(percentile(ms, 0.99), 1)}


def summarise(fault: str, reporters: list[Reporter], tally: Tally, wall_s: float, stack: Stack) -> dict:
    stored, made_twice = stored_counts(stack)

    async def deliveries() -> list[int]:
        async with httpx.AsyncClient() as http:
            return [len(await reporter.replies(http)) for reporter in reporters]

    counts = asyncio.run(deliveries())
    never_stored = sum(max(0, r.sent - stored.get(r.address, (0, 0))[0]) for r in reporters)
    # A reply delivered more often than it was stored (a send repeated), or made twice.
    delivered_twice = sum(max(0, count - stored.get(r.address, (0, 0))[1]) for r, count in zip(reporters, counts))
    return {
        "fault": fault,
        "reporters": len(reporters),
        "messages_in": sum(r.sent for r in reporters),
        "replies_out": sum(counts),
        "lost": tally.unanswered + never_stored,
        "duplicated": delivered_twice + made_twice,
        "reporters_answered": tally.answered_reporters,
        "tickets": tally.tickets,
        "unfollowed": tally.unfollowed,
        "fault_at_turn": tally.fault_at_turn,
        "fault_mid_run": tally.fault_mid_run,
        # For a killed service: the supervisor said it was ready again.
        "restarted": f"{fault}: ready again" in stack.log_path.read_text(errors="replace") if fault in SERVICES else None,
        "wall_s": round(wall_s, 1),
        **latency(tally, wall_s),
        "lost_turns": [{"channel": lost["channel"], "turn": lost["turn"], "why": lost["why"],
                        "stored": stored_statuses(stack, lost["address"])} for lost in tally.lost_turns[:20]],
        "unfollowed_at": sorted(set(tally.unfollowed_last))[:10],
    }


def stop_as_ctrl_c_does(signum, frame) -> None:
    """SIGTERM (a test's timeout, say): leave through the same clean-up as Ctrl-C."""
    raise KeyboardInterrupt


NEEDS = """Needs: a trained model (make train), PostgreSQL's server binaries (initdb, pg_ctl; Debian's
postgresql package), Redis at TEST_REDIS_URL (default 127.0.0.1:6379) for Rasa's lock store,
and, when run as root, the postgres user (initdb refuses root). Prints one JSON line; exits 1
when a message was lost or sent twice, or a fault did not land mid-run or its service did not
come back. 200 reporters take about 4 minutes per run on a 2-core machine."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=NEEDS,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reporters", type=int, default=200, help="simulated reporters, split over the three channels (default 200)")
    parser.add_argument("--faults", nargs="+", choices=FAULTS, default=list(FAULTS),
                        help="one run per fault, in this order (default: every one; `none` is the run without a fault)")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds a reporter waits before each message, on average (default 1)")
    parser.add_argument("--answer-timeout", type=float, default=300.0,
                        help="seconds a message may wait for its answer before it counts as lost (default 300)")
    parser.add_argument("--keep-logs", type=Path, metavar="DIR",
                        help="when a run loses or repeats a message, copy its services' logs to DIR/<fault>/")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, stop_as_ctrl_c_does)
    if args.reporters < 3:
        parser.error("--reporters must be at least 3 (one per channel)")
    if not any((ROOT / "models").glob("*.tar.gz")):
        parser.error("no trained model in models/: run `make train` first")
    runs = []
    for fault in args.faults:
        bot_api, graph_api = FakeBotApi(TELEGRAM_TOKEN), FakeGraphApi(WHATSAPP["phone_number_id"], WHATSAPP["token"])
        with serve(bot_api.app) as bot_url, serve(graph_api.app) as graph_url:
            bot_api.url, graph_api.url = bot_url, graph_url
            run = run_once(fault, args.reporters, bot_api, graph_api, args.answer_timeout, args.pause,
                           with_rest=fault == "none", keep_logs=args.keep_logs)
        runs.append(run)
        print(f"# {fault}: {run['messages_in']} in, {run['replies_out']} out, lost {run['lost']}, duplicated {run['duplicated']}, "
              f"p50 {run['turn_ms_p50']} ms, p95 {run['turn_ms_p95']} ms, {run['turns_per_s']} turns/s, "
              f"{run['tickets']} tickets", file=sys.stderr)
    baseline = next((run for run in runs if run["fault"] == "none"), None)
    overhead = None
    if baseline and baseline.get("rasa_rest", {}).get("turn_ms_p50"):
        rest_p50 = baseline["rasa_rest"]["turn_ms_p50"]
        overhead = round(100 * (baseline["turn_ms_p50"] - rest_p50) / rest_p50, 1)
    result = {"bench": "load", "reporters": args.reporters, "gateway_overhead_p50_pct": overhead,
              "lost": sum(run["lost"] for run in runs), "duplicated": sum(run["duplicated"] for run in runs), "runs": runs}
    print(json.dumps(result))
    faults_landed = all(run["fault_mid_run"] and run["restarted"] is not False for run in runs if run["fault"] != "none")
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 and faults_landed else 1


if __name__ == "__main__":
    raise SystemExit(main())
