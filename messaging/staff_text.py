"""A reporter's words in a message to staff on Telegram: our header in bold, their words in a
quote, so that text a reporter writes can never pass for one of the bot's own lines; and a
long message split into numbered parts that each fit Telegram's limit.

Telegram counts a message's length, and the offsets of its formatting (entities), in UTF-16
code units: an emoji outside the Basic Multilingual Plane counts two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TELEGRAM_LIMIT = 4096  # UTF-16 code units per message, after formatting is taken out


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class StaffText:
    text: str
    entities: list[dict[str, Any]]  # Telegram MessageEntity fields: type, offset, length

    def payload(self) -> dict[str, Any]:
        return {"entities": self.entities}


def split_to_fit(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` UTF-16 units, cut at a line break or a space when
    one is near the end of a piece (never inside a character)."""
    pieces: list[str] = []
    while utf16_len(text) > limit:
        end, used = 0, 0
        while end < len(text) and used + utf16_len(text[end]) <= limit:
            used += utf16_len(text[end])
            end += 1
        cut = max(text.rfind("\n", 0, end), text.rfind(" ", 0, end))
        if cut > end * 2 // 3:  # a word boundary in the last third: cut there, drop the blank
            pieces.append(text[:cut])
            text = text[cut + 1:]
        else:
            pieces.append(text[:end])
            text = text[end:]
    pieces.append(text)
    return pieces


def quoted(header: str, words: str, footer: str = "", *, limit: int = TELEGRAM_LIMIT) -> list[StaffText]:
    """The header (bold), the reporter's words (a quote) and an optional footer (plain), in
    as many messages as the words need; with more than one, each header is numbered (1/3)."""
    words = words.strip()  # Telegram trims a message: an entity must not reach past its end
    room = limit - utf16_len(f"{header} (99/99)\n\n{footer}") - 8
    # Each piece trimmed too (a cut can fall inside a run of blanks), and blank pieces dropped.
    pieces = [piece.strip() for piece in split_to_fit(words, room)]
    pieces = [piece for piece in pieces if piece] or [""]
    parts = []
    for number, piece in enumerate(pieces, start=1):
        title = f"{header} ({number}/{len(pieces)})" if len(pieces) > 1 else header
        tail = f"\n{footer}" if footer and number == len(pieces) else ""
        text = f"{title}\n{piece}{tail}" if piece else f"{title}{tail}"
        entities = [{"type": "bold", "offset": 0, "length": utf16_len(title)}]
        if piece:
            entities.append({"type": "blockquote", "offset": utf16_len(title) + 1, "length": utf16_len(piece)})
        parts.append(StaffText(text, entities))
    return parts
