"""The held-out NLU sets (tests/nlu/test_set*.yml), read for the benchmarks.

Each file holds `messages:`, a list of {intent, lang, text}. A file that cannot be
read gives a ValueError with a one-line reason, for the command line to print.
"""

from __future__ import annotations

from pathlib import Path

import yaml

HELD_OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "nlu"
# The rounds' sets and ideation files, each scored apart from sets 1-8 (their READMEs):
# name in the JSON → (held-out set, ideation file).
ROUNDS = {
    "9": (HELD_OUT_DIR / "round9" / "test_set_9.yml", HELD_OUT_DIR / "round9" / "ideation.yml"),
    "10": (HELD_OUT_DIR / "round10" / "test_set_10.yml", HELD_OUT_DIR / "round10" / "ideation_10.yml"),
    "11": (HELD_OUT_DIR / "round11" / "test_set_11.yml", HELD_OUT_DIR / "round11" / "ideation_11.yml"),
}


def held_out_files() -> list[Path]:
    return sorted(HELD_OUT_DIR.glob("test_set*.yml"))


def load_held_out(paths: list[Path] | None = None) -> list[tuple[str, dict]]:
    """(file name, message) for every message of the given files (default: all held-out sets)."""
    loaded = []
    for path in paths or held_out_files():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ValueError(f"cannot read {path}: {error.strerror}") from None
        except yaml.YAMLError as error:
            raise ValueError(f"{path} is not valid YAML: {str(error).splitlines()[0]}") from None
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list) or not messages:
            raise ValueError(f"{path} has no `messages:` list")
        for number, message in enumerate(messages, start=1):
            if not isinstance(message, dict) or not all(isinstance(message.get(k), str) for k in ("intent", "lang", "text")):
                raise ValueError(f"{path}, message {number}: needs intent, lang and text")
            loaded.append((path.name, message))
    if not loaded:
        raise ValueError(f"no held-out sets in {HELD_OUT_DIR}")
    return loaded
