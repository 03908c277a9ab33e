"""Small fake remote services on 127.0.0.1 that speak the real wire protocols, for tests."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.helpers import free_port


class FakeGraphApi:
    """The WhatsApp Cloud API's send endpoint: POST /{phone_number_id}/messages with a bearer token."""

    def __init__(self, phone_number_id: str, token: str) -> None:
        self.phone_number_id = phone_number_id
        self.token = token
        self.sent: list[dict] = []
        self.fail_next: list[int] = []  # status codes to answer with before succeeding
        self._ids = itertools.count(1)
        self.app = Starlette(routes=[Route("/{phone}/messages", self.messages, methods=["POST"])])

    async def messages(self, request: Request) -> JSONResponse:
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
