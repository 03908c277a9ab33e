"""A reporter's photo, voice note or document, fetched from its channel for a signed-in officer.

Nothing is kept on our disk: Telegram's file (getFile, then the file URL) and WhatsApp's media
(GET /{media-id} for a short-lived URL, then that URL, both with the access token) are read
when an officer opens them, and passed on with headers that keep the browser from running or
caching them.
"""

from __future__ import annotations

import httpx

MAX_BYTES = 20 * 1024 * 1024
# Shown in the page; anything else is downloaded as a file, never rendered.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


class MediaUnavailable(Exception):
    """The channel is not connected, or no longer has the file."""


async def telegram_media(application, file_id: str) -> tuple[bytes, str]:
    if application is None:
        raise MediaUnavailable("Telegram is not connected")
    try:
        file = await application.bot.get_file(file_id)
        data = bytes(await file.download_as_bytearray())
    except Exception as error:  # the Bot API refused or is away: the officer reads so
        raise MediaUnavailable(type(error).__name__) from None
    return data[:MAX_BYTES + 1], _type_of(file.file_path or "")


async def whatsapp_media(http: httpx.AsyncClient, api_base: str, token: str, media_id: str, mime_type: str | None) -> tuple[bytes, str]:
    if not token:
        raise MediaUnavailable("WhatsApp is not configured")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        meta = await http.get(f"{api_base.rstrip('/')}/{media_id}", headers=headers, timeout=15)
        meta.raise_for_status()
        url = meta.json()["url"]
        body = await http.get(url, headers=headers, timeout=30)
        body.raise_for_status()
    except (httpx.HTTPError, KeyError, ValueError) as error:
        raise MediaUnavailable(type(error).__name__) from None
    return body.content[:MAX_BYTES + 1], (mime_type or meta.json().get("mime_type") or "application/octet-stream").split(";")[0]


def _type_of(path: str) -> str:
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif",
            "oga": "audio/ogg", "ogg": "audio/ogg", "mp4": "video/mp4", "pdf": "application/pdf"}.get(suffix, "application/octet-stream")
