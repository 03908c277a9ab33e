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


# Words that mark a message as Javanese or Sundanese (answered in Indonesian all the same;
# counted in the weekly digest). Two different marker words are needed: one alone is too
# often a loan word in Indonesian chat.
_JAVANESE = frozenset("ora kowe piye opo ning wis wes durung mboten nggih kulo panjenengan sampun dereng "
                      "kancane dipoyoki nyuwun sedulur arep lagek gelem ngerti weruh ndak".split())
_SUNDANESE = frozenset("abdi teu naon kumaha urang sareng pisan nuju budak atuh mah kang teteh aya henteu "
                       "tos acan hoyong bade punten hatur nuhun ngalaporkeun indung bapa".split())


def regional_language(text: str) -> str | None:
    """'jv' or 'su' when the message is written in Javanese or Sundanese, else None."""
    words = set(re.findall(r"[a-z]+", (text or "").lower()))
    javanese, sundanese = len(words & _JAVANESE), len(words & _SUNDANESE)
    if max(javanese, sundanese) < 2 or javanese == sundanese:
        return None
    return "jv" if javanese > sundanese else "su"
