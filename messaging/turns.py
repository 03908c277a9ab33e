"""A turn the dialogue could not finish is tried again by the inbox, not dropped.

An action whose database write failed (the emergency case, the "in danger now?" question)
cannot simply fail: Rasa would log it, go on without the action's events, and the gateway
would take the turn as answered. Instead the action says what reached the reporter already
(the hotline numbers) and asks for a retry, with one custom reply: the retry marker.

The gateway then keeps the replies before the marker (they go out now), notes on the
inbound message what the action said it did (`turn_done`), undoes the turn in Rasa and
tries the message again later, like one Rasa could not answer. The retried turn carries
`turn_done` in its metadata, so the action does not say it twice. A turn refused for longer
than a bound (HELPLINE_TURN_RETRY_MINUTES) is given up on: the reporter is told it is not
recorded, the officers get an alert, and the conversation's later messages go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

RETRY_TURN = "retry_turn"  # the custom reply's key
TURN_DONE = "turn_done"  # in the inbound message's payload, and in the metadata Rasa receives
# In the inbound message's payload: when its turn was first refused (ISO time), for the bound on retries.
REFUSED_SINCE = "turn_refused_since"
BOOKKEEPING = (TURN_DONE, REFUSED_SINCE)  # payload keys of ours, not the channel's (a location's coordinates)
HOTLINES = "hotlines"  # the hotline numbers (and the note that we are recording it) reached the reporter
URGENT_TURN = "urgent_turn"  # a custom reply: this turn answers danger (the hotlines), sent before ordinary messages


def retry_marker(done: Iterable[str]) -> dict[str, Any]:
    """The custom reply an action sends to have its turn tried again."""
    return {RETRY_TURN: {"done": sorted(set(done))}}


def is_retry_marker(raw: dict[str, Any]) -> bool:
    custom = raw.get("custom")
    return isinstance(custom, dict) and RETRY_TURN in custom


def urgent_marker() -> dict[str, Any]:
    """The custom reply an action sends when its turn answers danger: the gateway stores the
    turn's replies as urgent, so the outbox sends them before ordinary messages."""
    return {URGENT_TURN: True}


def is_urgent(raw: list[dict[str, Any]]) -> bool:
    return any(isinstance(reply.get("custom"), dict) and reply["custom"].get(URGENT_TURN) is True for reply in raw)


def split_at_retry(raw: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]] | None:
    """For an answer that asks for a retry: the replies before the marker (what the reporter
    must have now) and what the action says it did. None when no retry is asked for."""
    for index, reply in enumerate(raw):
        if is_retry_marker(reply):
            done = reply["custom"][RETRY_TURN].get("done") or []
            return raw[:index], [str(item) for item in done if isinstance(item, str)]
    return None


def done_before(payload: dict[str, Any] | None) -> list[str]:
    """What earlier, undone runs of this message's turn already did (from its payload)."""
    done = (payload or {}).get(TURN_DONE) or []
    return [str(item) for item in done if isinstance(item, str)]


def with_done(payload: dict[str, Any] | None, done: Iterable[str]) -> dict[str, Any] | None:
    """The inbound message's payload with more of what its turn did noted."""
    noted = sorted(set(done_before(payload)) | set(done))
    if not noted:
        return payload
    return {**(payload or {}), TURN_DONE: noted}


def refused_since(payload: dict[str, Any] | None) -> datetime | None:
    """When this message's turn was first refused, if it was."""
    raw = (payload or {}).get(REFUSED_SINCE)
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def with_refused_since(payload: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The payload with the time of the first refusal noted (a later refusal keeps the first)."""
    if refused_since(payload) is not None:
        return dict(payload or {})
    return {**(payload or {}), REFUSED_SINCE: now.isoformat()}
