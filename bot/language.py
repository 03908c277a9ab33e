"""Which language to answer in.

Indonesian is the default, and Javanese, Sundanese and mixed messages are
answered in Indonesian (never turned away). English only when langdetect is
confident the message is English. Measured by `bench/language.py` on the
held-out sets (tests/nlu/test_set*.yml).
"""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

ENGLISH_MIN_PROBABILITY = 0.8
_seed_lock = threading.Lock()
_LETTERS = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _seed() -> None:
    # langdetect is random unless seeded; seeding makes every answer repeatable.
    with _seed_lock:
        DetectorFactory.seed = 0


def detected_languages(text: str) -> list[tuple[str, float]]:
    """langdetect's guesses, most likely first; empty when the text has no letters."""
    if not _LETTERS.search(text or ""):
        return []
    _seed()
    try:
        return [(guess.lang, guess.prob) for guess in detect_langs(text)]
    except LangDetectException:
        return []


def reply_language(text: str) -> str:
    """'en' when the message is clearly English, else 'id'."""
    guesses = detected_languages(text)
    if guesses and guesses[0][0] == "en" and guesses[0][1] >= ENGLISH_MIN_PROBABILITY:
        return "en"
    return "id"


MIN_WORDS_TO_SWITCH = 3


def language_hint(text: str) -> str | None:
    """The language to tell Rasa, or None to keep the conversation's current one.

    Short replies ("Kasihan, Bantul", "ok", "ya") say little about the language,
    so they never switch it.
    """
    if len(_WORD.findall(text or "")) < MIN_WORDS_TO_SWITCH:
        return None
    return reply_language(text)
