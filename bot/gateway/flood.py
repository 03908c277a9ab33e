"""Per-sender limits for WhatsApp and Telegram.

Their deliveries are always stored (the provider would redeliver anything we
refused). A sender over the limit has the extra messages kept and answered
later, in order, and is told so once a minute.
"""

from __future__ import annotations

from bot.gateway import replies
from bot.gateway.rate_limit import RateLimiter

DEFER_SECONDS = 30.0


class FloodGuard:
    def __init__(self, per_minute: int) -> None:
        self.messages = RateLimiter(per_minute, 60)
        self.notices = RateLimiter(1, 60)

    async def process(self, service, sender_key: str, message_id: int) -> None:
        """Process one stored message now, or keep it for later when its sender floods."""
        if self.messages.allow(sender_key):
            await service.process(message_id)
        else:
            notice = replies.gateway_text("slow_down") if self.notices.allow(sender_key) else None
            service.defer(message_id, DEFER_SECONDS, notice)
