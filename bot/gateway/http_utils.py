"""Small HTTP helpers for the gateway."""

from __future__ import annotations

import hmac

from starlette.requests import Request


# Telegram's and WhatsApp's deliveries are far smaller; anything bigger is not theirs.
WEBHOOK_MAX_BODY_BYTES = 1024 * 1024


def bearer_matches(request: Request, *tokens: str | None) -> bool:
    """The request carries `Authorization: Bearer T` for one of `tokens` (unset ones never match),
    compared in constant time."""
    given = request.headers.get("authorization", "")
    if not given.startswith("Bearer "):
        return False
    token = given.removeprefix("Bearer ").strip().encode()
    return any(hmac.compare_digest(token, expected.encode()) for expected in tokens if expected)


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, stopping as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)
