"""The one path from a chat channel into the inbox, the same for Telegram and WhatsApp.

A channel adapter parses its provider's payload into InboundRecords; the intake
stores them all in one transaction (a redelivery finds them stored), then, after
the provider has its answer, processes each new one in order through the flood
guard and flushes the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.gateway.conversation import ConversationService
from bot.gateway.flood import FloodGuard
from bot.gateway.outbox import Outbox
from messaging.store import Inbound
from referral.storage import unit_of_work


@dataclass(frozen=True)
class InboundRecord:
    channel: str  # telegram | whatsapp
    address: str  # where replies go: a chat id, a phone number (personal data)
    inbound: Inbound


@dataclass(frozen=True)
class Stored:
    sender_key: str  # who the flood guard counts this message against
    message_id: int


class Intake:
    def __init__(self, conversations: ConversationService, flood_guard: FloodGuard, outbox: Outbox) -> None:
        self.conversations = conversations
        self.flood_guard = flood_guard
        self.outbox = outbox

    def store(self, records: list[InboundRecord], session: Session | None = None) -> list[Stored]:
        """Store every record, all or none; returns the newly stored ones (not redeliveries)."""
        if session is None:
            with unit_of_work(self.conversations.sessions) as own:
                return self.store(records, own)
        stored = []
        for record in records:
            message_id, is_new = self.conversations.store_in(session, record.channel, record.address, record.inbound)
            if is_new:
                stored.append(Stored(f"{record.channel}:{record.address}", message_id))
        return stored

    async def after_store(self, stored: list[Stored]) -> None:
        """Process the new messages in order (a flooding sender's later), then send the replies."""
        for item in stored:
            await self.flood_guard.process(self.conversations, item.sender_key, item.message_id)
        if stored:
            await self.outbox.flush()
