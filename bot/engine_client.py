"""Talking to the Rasa server over its REST channel."""

from __future__ import annotations

from typing import Any

import httpx


class EngineUnavailable(RuntimeError):
    """Rasa did not answer (down, restarting, or too slow)."""


class EngineClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient, timeout_s: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.timeout_s = timeout_s

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            response = await self.http.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text, "metadata": metadata},
                timeout=self.timeout_s,
            )
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise EngineUnavailable(f"Rasa did not answer: {type(error).__name__}") from error
        if not isinstance(replies, list):
            raise EngineUnavailable("Rasa answered with something other than a list of replies")
        return replies

    async def is_up(self, url: str) -> bool:
        try:
            response = await self.http.get(url, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200
