"""Talking to the Rasa server over its REST channel."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class EngineUnavailable(RuntimeError):
    """Rasa did not answer (down, restarting, or too slow)."""


class EngineClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient, timeout_s: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.timeout_s = timeout_s

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        replies = await self._request(
            "POST",
            "/webhooks/rest/webhook",
            json={"sender": sender_id, "message": text, "metadata": metadata},
        )
        if not isinstance(replies, list):
            raise EngineUnavailable("Rasa answered with something other than a list of replies")
        return replies

    async def replies_already_given(self, sender_id: str, message_id: int) -> list[dict[str, Any]] | None:
        """If Rasa already handled our message `message_id` (we crashed before storing its
        answer), the replies it gave, read back from its tracker; otherwise None.

        This is what keeps a retried message from being answered twice.
        """
        tracker = await self._request("GET", f"/conversations/{quote(sender_id, safe='')}/tracker")
        events = tracker.get("events") or [] if isinstance(tracker, dict) else []
        for index, event in enumerate(events):
            if event.get("event") == "user" and (event.get("metadata") or {}).get("message_id") == message_id:
                replies = []
                for later in events[index + 1 :]:
                    if later.get("event") == "user":
                        break
                    if later.get("event") == "bot":
                        data = later.get("data") or {}
                        replies.append({"text": later.get("text"), "buttons": data.get("buttons") or []})
                return replies
        return None

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, f"{self.base_url}{path}", timeout=self.timeout_s, **kwargs)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise EngineUnavailable(f"Rasa did not answer: {type(error).__name__}") from error

    async def is_up(self, url: str) -> bool:
        try:
            response = await self.http.get(url, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200
