"""Language detection on the held-out messages (tests/nlu/test_set*.yml, labelled id/jv/su/en).

Prints one JSON line: how often langdetect's own top guess is Indonesian for
non-English messages, how often our rule keeps them Indonesian (only a
confident English guess switches), how often English is recognised, and the
time per message.
    .venv/bin/python bench/language.py
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter

from bot.gateway.language import detected_languages, reply_language
from held_out import load_held_out


def main() -> None:
    messages = [message for _, message in load_held_out()]
    non_english = [m for m in messages if m["lang"] != "en"]
    english = [m for m in messages if m["lang"] == "en"]
    timings, raw_top = [], Counter()
    kept = 0
    for message in non_english:
        guesses = detected_languages(message["text"])
        raw_top[guesses[0][0] if guesses else "none"] += 1
        started = time.perf_counter()
        kept += reply_language(message["text"]) == "id"
        timings.append((time.perf_counter() - started) * 1000)
    recognised = sum(reply_language(m["text"]) == "en" for m in english)
    print(json.dumps({
        "benchmark": "language",
        "messages": len(messages),
        "non_english": len(non_english),
        "langdetect_top_is_id_share": round(raw_top["id"] / len(non_english), 3),
        "langdetect_top_guesses": dict(raw_top.most_common(6)),
        "kept_indonesian_share": round(kept / len(non_english), 3),
        "english": len(english),
        "english_recognised_share": round(recognised / len(english), 3),
        "detect_ms_mean": round(statistics.mean(timings), 3),
    }))


if __name__ == "__main__":
    main()
