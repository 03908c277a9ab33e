"""The outbox: sends queued replies on their channel, with retries, and records what happened.

A reply is `queued` when stored, `sending` while a sender holds it, then `sent`
(with the provider's message id) or back to `queued` with backoff, and `failed`
after five attempts or when a send was cut off by a crash (it may or may not
have arrived, and saying it twice is worse for a reporter than an officer
following up).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from referral.messages import (
    MAX_SEND_ATTEMPTS,
    claim_outbound,
    due_outbound,
    fail_interrupted_sends,
    retry_delay_seconds,
)
from referral.models import Conversation, Message, utcnow
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
SEND_LEASE_SECONDS = 120.0


class ChannelSender(Protocol):
    async def send(self, conversation: Conversation, message: Message) -> str:
        """Send one reply; return the provider's message id. Raise on failure."""


class Outbox:
    def __init__(self, sessions: sessionmaker[Session], senders: dict[str, ChannelSender]) -> None:
        self.sessions = sessions
        self.senders = senders

    async def flush(self) -> int:
        if not self.senders:
            return 0
        with unit_of_work(self.sessions) as session:
            interrupted = fail_interrupted_sends(session)
            due = due_outbound(session, tuple(self.senders))
        if interrupted:
            log.warning("%s reply(ies) were cut off mid-send by a restart; marked failed for officers", interrupted)
        sent = 0
        for message_id in due:
            sent += await self._send_one(message_id)
        return sent

    async def _send_one(self, message_id: int) -> int:
        with unit_of_work(self.sessions) as session:
            if not claim_outbound(session, message_id, lease_seconds=SEND_LEASE_SECONDS):
                return 0
            message = session.get(Message, message_id)
            session.refresh(message)
            conversation = session.get(Conversation, message.conversation_id)
            session.expunge_all()  # plain objects to hand to the sender, outside the transaction
        sender = self.senders[message.channel]
        try:
            provider_id = await sender.send(conversation, message)
        except Exception as error:  # any failure: retry later, or give up after a few tries
            return self._failed(message_id, str(error))
        with unit_of_work(self.sessions) as session:
            stored = session.get(Message, message_id)
            stored.status, stored.provider_message_id, stored.locked_until = "sent", provider_id, None
        return 1

    def _failed(self, message_id: int, reason: str) -> int:
        with unit_of_work(self.sessions) as session:
            message = session.get(Message, message_id)
            message.attempts += 1
            message.locked_until = None
            if message.attempts >= MAX_SEND_ATTEMPTS:
                message.status = "failed"
                log.error("reply %s could not be sent after %s attempts: %s", message_id, message.attempts, reason)
            else:
                message.status = "queued"
                message.next_attempt_at = utcnow() + timedelta(seconds=retry_delay_seconds(message.attempts))
                log.warning("reply %s not sent (attempt %s), will retry: %s", message_id, message.attempts, reason)
        return 0
