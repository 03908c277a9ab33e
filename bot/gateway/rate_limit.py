"""Per-sender rate limit: a sliding window in memory (one gateway process).

Only the web chat is limited this way: a refused request stores nothing and
the page says to wait, so the sender can simply send again. WhatsApp and
Telegram deliveries are always stored (their providers would redeliver).
"""

from __future__ import annotations

import time
from collections import deque


class RateLimiter:
    def __init__(self, max_events: int, per_seconds: float, clock=time.monotonic) -> None:
        self.max_events = max_events
        self.per_seconds = per_seconds
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.per_seconds:
            events.popleft()
        if len(events) >= self.max_events:
            return False
        events.append(now)
        if len(self._events) > 50_000:  # forget idle senders
            for idle in [k for k, v in self._events.items() if not v or v[-1] <= now - self.per_seconds]:
                del self._events[idle]
        return True
