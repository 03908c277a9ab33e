"""Talking to the Rasa server over its REST channel (with the engine token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from messaging.turns import is_retry_marker, retry_marker


# A parse is one pass of the NLU pipeline (tens of milliseconds), never a dialogue turn.
PARSE_TIMEOUT_S = 20.0


class EngineUnavailable(RuntimeError):
    """Rasa did not answer.

    `maybe_processing` is True when the request reached Rasa but no answer came in time:
    Rasa may still be working on it, so it must not simply be sent again.
    """

    def __init__(self, reason: str, *, maybe_processing: bool = False) -> None:
        super().__init__(reason)
        self.maybe_processing = maybe_processing


@dataclass(frozen=True)
class Turn:
    """One run of a message's turn in Rasa's tracker."""

    index: int  # of its user event
    replies: list[dict[str, Any]]  # as the REST channel gave them (a custom reply too)
    undone: bool  # rewound (to be tried again)


def last_turn(events: list[dict[str, Any]], message_id: int) -> Turn | None:
    """The latest run of our message `message_id` in a tracker's events (a turn that was
    undone and sent again has two), or None when Rasa never handled it."""
    runs = [
        index for index, event in enumerate(events)
        if event.get("event") == "user" and (event.get("metadata") or {}).get("message_id") == message_id
    ]
    if not runs:
        return None
    replies, undone = [], False
    for later in events[runs[-1] + 1 :]:
        if later.get("event") == "user":
            break
        # Only our own undo follows a retry marker (Rasa's fallback action rewinds too).
        if later.get("event") == "rewind" and any(is_retry_marker(reply) for reply in replies):
            undone = True
        if later.get("event") == "bot":
            data = later.get("data") or {}
            reply: dict[str, Any] = {"text": later.get("text"), "buttons": data.get("buttons") or []}
            if data.get("custom"):
                reply["custom"] = data["custom"]
            replies.append(reply)
    return Turn(index=runs[-1], replies=replies, undone=undone)


def _last_user_index(events: list[dict[str, Any]]) -> int | None:
    return max((index for index, event in enumerate(events) if event.get("event") == "user"), default=None)


class EngineClient:
    """`timeout_s` bounds one message's processing. It is long on purpose: Rasa saves a
    tracker only after its whole prediction loop, so giving up early and sending the
    message again would make Rasa handle it twice and lose the first answer."""

    def __init__(
        self, base_url: str, http: httpx.AsyncClient, timeout_s: float = 330.0, token: str | None = None,
        actions_health_url: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.timeout_s = timeout_s
        self.token = token
        self.actions_health_url = actions_health_url  # the action server's /health (None: not known)

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
        turn = last_turn(await self._events(sender_id), message_id)
        if turn is None or turn.undone:  # never handled, or undone to be tried again
            return None
        return turn.replies

    async def undo_turn(self, sender_id: str, message_id: int, *, mark: bool = False) -> None:
        """Undo our message `message_id`'s turn in Rasa's tracker, so that the message can be
        sent again as if for the first time (its events stay in the log, their effects go).
        Rasa's own way (its interactive learning does it): a rewind, then the action_listen
        the rewind also takes away. Only when that turn is the tracker's latest and not undone
        already: a second rewind would undo the reporter's message before it."""
        events = await self._events(sender_id)
        turn = last_turn(events, message_id)
        if turn is None or turn.undone or turn.index != _last_user_index(events):
            return
        # `mark`: a turn that said nothing gets our retry marker first, so that the tracker
        # shows it undone (last_turn) and it is never rewound twice.
        marker = [{"event": "bot", "text": None, "data": {"custom": retry_marker([])}}] if mark else []
        await self._request(
            "POST",
            f"/conversations/{quote(sender_id, safe='')}/tracker/events",
            json=[*marker, {"event": "rewind"}, {"event": "action", "name": "action_listen"}],
            extra_params={"include_events": "NONE"},
        )

    async def _events(self, sender_id: str) -> list[dict[str, Any]]:
        tracker = await self._request("GET", f"/conversations/{quote(sender_id, safe='')}/tracker")
        return tracker.get("events") or [] if isinstance(tracker, dict) else []

    async def parse(self, text: str) -> dict[str, Any]:
        """What Rasa's NLU reads in `text` (intent, ranking, and the safety net's and the
        gate's findings), from its parse endpoint: no dialogue turn, nothing in any tracker.
        Quick, so it waits far less than a turn does."""
        parsed = await self._request("POST", "/model/parse", json={"text": text}, timeout_s=PARSE_TIMEOUT_S)
        if not isinstance(parsed, dict):
            raise EngineUnavailable("Rasa answered the parse with something other than an object")
        return parsed

    async def pause(self, sender_id: str) -> None:
        """An officer has taken the conversation over: Rasa holds it (ConversationPaused)."""
        await self._append_event(sender_id, "pause")

    async def resume(self, sender_id: str) -> None:
        """Handed back to the bot: Rasa answers this conversation again (ConversationResumed)."""
        await self._append_event(sender_id, "resume")

    async def _append_event(self, sender_id: str, event: str) -> None:
        await self._request(
            "POST",
            f"/conversations/{quote(sender_id, safe='')}/tracker/events",
            json={"event": event},
            extra_params={"include_events": "NONE"},
        )

    async def _request(
        self, method: str, path: str, extra_params: dict[str, str] | None = None,
        timeout_s: float | None = None, **kwargs: Any,
    ) -> Any:
        params = {**({"token": self.token} if self.token else {}), **(extra_params or {})} or None
        # Connecting is quick or Rasa is down; only the answer may take long.
        timeout = httpx.Timeout(timeout_s or self.timeout_s, connect=5.0)
        try:
            response = await self.http.request(
                method, f"{self.base_url}{path}", params=params, timeout=timeout, **kwargs
            )
            response.raise_for_status()
            return response.json()
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise EngineUnavailable(f"Rasa did not answer: {type(error).__name__}") from error
        except (httpx.HTTPError, ValueError) as error:
            # Sent, but no usable answer: a timeout, a dropped connection or a 5xx.
            sent = isinstance(error, (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError))
            raise EngineUnavailable(
                f"Rasa did not answer: {type(error).__name__}", maybe_processing=sent
            ) from error

    async def actions_down(self) -> bool:
        """Whether the action server is known not to answer now. Rasa goes on without it ("the
        actions events are lost") and answers the turn with nothing, so an empty answer while it
        is down is a turn to undo and try again, not an answer."""
        return self.actions_health_url is not None and not await self.is_up(self.actions_health_url)

    async def is_up(self, url: str) -> bool:
        try:
            response = await self.http.get(url, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200
