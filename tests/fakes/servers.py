"""Small fake remote services on 127.0.0.1 that speak the real wire protocols, for tests."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers import free_port


class FakeGraphApi:
    """The WhatsApp Cloud API's send endpoint: POST /{phone_number_id}/messages with a bearer token."""

    def __init__(self, phone_number_id: str, token: str) -> None:
        self.phone_number_id = phone_number_id
        self.token = token
        self.sent: list[dict] = []
        self.fail_next: list[int] = []  # status codes to answer with before succeeding
        self.accept_then_hang_s = 0.0  # accept the next message, then answer only after this long
        self.calls = 0  # POSTs to the messages endpoint, answered or not
        self._ids = itertools.count(1)
        self.media: dict[str, tuple[bytes, str]] = {}  # media id -> (content, mime type) a reporter sent
        self.app = Starlette(routes=[
            Route("/{phone}/messages", self.messages, methods=["POST"]),
            Route("/media-download/{media_id}", self.download, methods=["GET"]),
            Route("/{media_id}", self.media_url, methods=["GET"]),
        ])

    def _token_ok(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def media_url(self, request: Request) -> JSONResponse:
        """GET /{media-id}: a short-lived URL to download the media from (with the token)."""
        media_id = request.path_params["media_id"]
        if not self._token_ok(request) or media_id not in self.media:
            return JSONResponse({"error": {"message": "Unsupported get request", "code": 100}}, status_code=400)
        return JSONResponse({"url": f"{str(request.base_url).rstrip('/')}/media-download/{media_id}",
                             "mime_type": self.media[media_id][1], "id": media_id})

    async def download(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        if not self._token_ok(request) or media_id not in self.media:
            return Response(status_code=404)
        content, mime = self.media[media_id]
        return Response(content, media_type=mime)

    async def messages(self, request: Request) -> JSONResponse:
        self.calls += 1
        if request.path_params["phone"] != self.phone_number_id:
            return JSONResponse({"error": {"message": "Unsupported post request", "code": 100}}, status_code=400)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, status_code=401)
        if self.fail_next:
            code = self.fail_next.pop(0)
            return JSONResponse({"error": {"message": "try later", "code": 80007}}, status_code=code)
        body = await request.json()
        self.sent.append(body)
        wamid = f"wamid.fake.{next(self._ids)}"
        if self.accept_then_hang_s:  # Meta has it, but the answer never reaches the sender in time
            delay, self.accept_then_hang_s = self.accept_then_hang_s, 0.0
            await asyncio.sleep(delay)
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": wamid}],
            }
        )


@contextmanager
def serve(app) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(base, timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class FakeBotApi:
    """The Telegram Bot API methods the helpline uses, at /bot{token}/{method}.

    Parameters arrive the way python-telegram-bot sends them (form fields, JSON-encoded
    values) or as JSON; answers have the Bot API's {"ok": true, "result": …} shape.
    Tests push updates with `push()` and read what the bot sent from `sent`.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.updates: list[dict] = []
        self.sent: list[dict] = []
        self.answered_callbacks: list[str] = []
        self.webhook: dict | None = None
        self.flood_waits = 0  # answer this many sendMessage calls with 429 "retry after 1"
        self.refuse_callback_answers = False  # as Telegram does for a query older than a few minutes
        self.unavailable = False  # every call answered 502 Bad Gateway, as when Telegram is down
        self.blocked_chats: set[int] = set()  # chats whose user blocked the bot: sendMessage answered 403
        self.left_chats: list[int] = []  # groups the bot left (leaveChat), in order; it can no longer post there
        self.offsets: list[int] = []  # the offset of each getUpdates call (what it acknowledged)
        self.hang_next_send_s = 0.0  # hold the next sendMessage this long, then deliver it (a slow Telegram)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._lock = threading.Lock()
        self.bot_user = {"id": 424242, "is_bot": True, "first_name": "Helpline", "username": "mpks_helpline_bot"}
        self.files: dict[str, bytes] = {}  # file id -> content a reporter sent (getFile, then the file URL)
        self.app = Starlette(routes=[
            Route("/bot{token}/{method}", self.call, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self.file, methods=["GET"]),
        ])

    async def file(self, request: Request) -> Response:
        file_id = request.path_params["path"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if request.path_params["token"] != self.token or file_id not in self.files:
            return Response(status_code=404)
        return Response(self.files[file_id], media_type="application/octet-stream")

    async def _getFile(self, params):
        file_id = str(params.get("file_id"))
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(self.files[file_id]),
                "file_path": f"photos/{file_id}.jpg"}

    def push(self, update: dict) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            self.updates.append({"update_id": update_id, **update})
        return update_id

    @staticmethod
    def _decode(value):
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            return value

    async def _params(self, request: Request) -> dict:
        if request.headers.get("content-type", "").startswith("application/json"):
            return await request.json()
        body = (await request.body()).decode()
        return {key: self._decode(value) for key, value in parse_qsl(body, keep_blank_values=True)}

    async def call(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        if self.unavailable:
            return JSONResponse({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status_code=502)
        method = request.path_params["method"]
        params = await self._params(request)
        handler = getattr(self, f"_{method}", None)
        if method in ("sendMessage", "leaveChat") and self._decode(params.get("chat_id")) in self.left_chats:
            return JSONResponse(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot is not a member of the group chat"},
                status_code=403,
            )
        if method == "sendMessage" and self._decode(params.get("chat_id")) in self.blocked_chats:
            return JSONResponse(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}, status_code=403
            )
        if method == "sendMessage" and self.flood_waits > 0:
            self.flood_waits -= 1
            return JSONResponse(
                {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                 "parameters": {"retry_after": 1}},
                status_code=429,
            )
        if method == "answerCallbackQuery" and self.refuse_callback_answers:
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": "Bad Request: query is too old and response timeout expired or query ID is invalid"},
                status_code=400,
            )
        if method == "getFile" and str(params.get("file_id")) not in self.files:
            return JSONResponse({"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}, status_code=400)
        if handler is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
        return JSONResponse({"ok": True, "result": await handler(params)})

    async def _getMe(self, params):
        return self.bot_user

    async def _deleteWebhook(self, params):
        self.webhook = None
        return True

    async def _setWebhook(self, params):
        self.webhook = params
        return True

    async def _getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        self.offsets.append(offset)
        wait_until = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = list(self.updates)
            if ready or time.monotonic() >= wait_until:
                return ready
            await asyncio.sleep(0.05)

    async def _sendMessage(self, params):
        if self.hang_next_send_s:
            delay, self.hang_next_send_s = self.hang_next_send_s, 0.0
            await asyncio.sleep(delay)
        self.sent.append(params)
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": self.bot_user,
            "text": params.get("text", ""),
        }

    async def _leaveChat(self, params):
        self.left_chats.append(int(params["chat_id"]))
        return True

    async def _answerCallbackQuery(self, params):
        self.answered_callbacks.append(str(params.get("callback_query_id")))
        return True


def telegram_user(chat_id: int) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": "Pelapor", "language_code": "id"}


def telegram_message(chat_id: int, message_id: int, chat_type: str = "private", **content) -> dict:
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type, **({"first_name": "Pelapor"} if chat_type == "private" else {"title": "Grup"})},
        "from": telegram_user(chat_id),
        **content,
    }


class FakeRasa:
    """Rasa's REST channel and tracker endpoint, with the engine token, for fault tests:
    a reply can be made slow (or hang) for one sender, the way a stuck action makes Rasa.

    Like Rasa 3.6, a message's events reach the tracker only after its processing is
    over, so a tracker read while it runs does not show the message yet.

    Its parse endpoint (/model/parse, the NLU alone) reads danger with the project's real
    safety-net rules (nlu_components/emergency_patterns.yml); `classified` names texts the
    "classifier" takes for an emergency without the net, and `parse_down` makes it answer 503.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.delays: dict[str, float] = {}  # sender id -> seconds to take
        self.default_delay = 0.0
        self.runs: list[tuple[str, str]] = []  # (sender, text) as each processing started
        self.trackers: dict[str, list[dict]] = {}
        self.parsed: list[str] = []  # texts read by /model/parse
        self.parse_delay = 0.0
        self.parse_down = False
        self.classified: set[str] = set()  # texts the classifier alone takes for an emergency
        self.appended: list[tuple[str, object]] = []  # (sender, events) appended to a tracker
        self._patterns = None
        self._tickets = itertools.count(1)
        self.app = Starlette(
            routes=[
                Route("/webhooks/rest/webhook", self.webhook, methods=["POST"]),
                Route("/conversations/{sender}/tracker", self.tracker, methods=["GET"]),
                Route("/conversations/{sender}/tracker/events", self.append_events, methods=["POST"]),
                Route("/model/parse", self.parse, methods=["POST"]),
                Route("/", lambda request: JSONResponse({"hello": "rasa"})),
            ]
        )

    def _authorised(self, request: Request) -> bool:
        return request.query_params.get("token") == self.token

    async def webhook(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        body = await request.json()
        sender, text = body["sender"], body.get("message") or ""
        self.runs.append((sender, text))
        await asyncio.sleep(self.delays.get(sender, self.default_delay))
        replies = [{"recipient_id": sender, "text": f"Laporan Anda tercatat dengan nomor MPKS-2026-{next(self._tickets):05d}."}]
        events = self.trackers.setdefault(sender, [])
        events.append({"event": "user", "text": text, "metadata": body.get("metadata") or {}})
        events.extend({"event": "bot", "text": r["text"], "data": {}} for r in replies)
        return JSONResponse(replies)

    async def parse(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        text = (await request.json()).get("text") or ""
        self.parsed.append(text)
        await asyncio.sleep(self.parse_delay)
        if self.parse_down:
            return JSONResponse({"error": "unavailable"}, status_code=503)
        if self._patterns is None:
            from nlu_components.emergency_patterns import EmergencyPatterns

            self._patterns = EmergencyPatterns.load()
        fired = self._patterns.matching_rules(text)
        topic = {"name": "report_violence", "confidence": 0.6}
        intent = {"name": "emergency", "confidence": 1.0 if fired else 0.8} if fired or text in self.classified else topic
        route = "emergency" if fired else "check_emergency" if intent["name"] == "emergency" else "report"
        body = {"text": text, "intent": intent, "intent_ranking": [intent, topic], "entities": [],
                "triage": {"route": route}}
        if fired:
            body["safety_net"] = {"fired": True, "rules": fired, "classifier_intent": topic}
        return JSONResponse(body)

    async def append_events(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        self.appended.append((request.path_params["sender"], await request.json()))
        return JSONResponse({"sender_id": request.path_params["sender"]})

    async def tracker(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        sender = request.path_params["sender"]
        return JSONResponse({"sender_id": sender, "events": self.trackers.get(sender, [])})
