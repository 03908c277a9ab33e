"""A hash of our engine-side code and word lists, for Rasa's training cache.

Rasa reuses a trained component from its cache when the component's class source, config
and inputs are unchanged. Our gates learn from features computed by helpers outside their
class (`gate_text`, `make_pipeline`, the danger reader and its lexicons), so a change there
must re-fit them: each gate adds this hash to its cache key (`fingerprint_addon`), and a
change anywhere in this package re-fits both (seconds), never a stale gate in a new model.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    digest = hashlib.sha256()
    files = sorted(path for pattern in ("*.py", "*.yml", "*.txt") for path in PACKAGE.glob(pattern))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
