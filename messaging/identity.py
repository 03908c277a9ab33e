"""Pseudonyms: a reporter is known by a keyed hash of their channel address.

The same person on the same channel always gets the same pseudonym (so a
conversation continues), but the pseudonym reveals no phone number or chat id
to Rasa's tracker store, logs or reports.
"""

from __future__ import annotations

import hashlib
import hmac

CHANNEL_PREFIXES = {"webchat": "wc", "telegram": "tg", "whatsapp": "wa"}


def pseudonym(secret_key: str, channel: str, address: str) -> str:
    digest = hmac.new(secret_key.encode(), f"{channel}:{address}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def engine_sender_id(channel: str, pseudonym_value: str) -> str:
    """The sender id Rasa sees, e.g. 'wc-3f9a…'."""
    return f"{CHANNEL_PREFIXES.get(channel, channel)}-{pseudonym_value}"
