"""The outbox: sends queued replies on their channel, with retries, and records what happened.

It is the one place that retries a send: replies to reporters, and messages to staff
(officer alerts, the notice to a Telegram group), which carry their own address. A reply is `queued` when stored,
`sending` while a sender holds it, then `sent` (with the provider's message id),
or back to `queued` with backoff when the provider said "not now" (429, 5xx, no
connection), or `failed` when it refused for good (400, 401, 403) or after five
tries. A send whose fate is unknown (a timeout after the request went out, or a
send cut off by a crash) is `unknown`: it may or may not have arrived, and saying
it twice is worse for a reporter than an officer checking and following up; the
officer console counts both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from messaging.models import Conversation, Message
from messaging.queries import due_outbound
from messaging.statuses import MessageStatus, claim_outbound, fail_interrupted_sends, mark_send_failed, mark_sent
from referral.models import utcnow
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
SEND_LEASE_SECONDS = 120.0


class SendFailed(RuntimeError):
    """A sender's failure, saying what the outbox may do about it.

    retryable: nothing reached the person, try again later (429, 5xx, no connection).
    ambiguous: the request went out but no answer came; it may have arrived.
    Neither: the provider refused it for good (a 400, say).
    """

    def __init__(self, reason: str, *, retryable: bool, ambiguous: bool = False) -> None:
        super().__init__(reason)
        self.retryable = retryable and not ambiguous
        self.ambiguous = ambiguous


class ChannelSender(Protocol):
    async def send(self, address: str, message: Message, conversation: Conversation | None) -> str:
        """Send one message to `address`, once; return the provider's message id. Raise
        SendFailed on failure. `conversation` is None for a message to staff."""


class Outbox:
    def __init__(
        self, sessions: sessionmaker[Session], senders: dict[str, ChannelSender], clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = sessions
        self.senders = senders
        self.clock = clock

    async def flush(self) -> int:
        if not self.senders:
            return 0
        with unit_of_work(self.sessions) as session:
            interrupted = fail_interrupted_sends(session, now=self.clock())
            due = due_outbound(session, tuple(self.senders), now=self.clock())
        if interrupted:
            log.warning("%s reply(ies) were cut off mid-send by a restart; marked failed for officers", interrupted)
        sent, waited = 0, []
        for message_id in due:
            outcome = await self._send_one(message_id)
            if outcome is None:
                waited.append(message_id)
            sent += outcome or 0
        # A reply waits for an earlier one of its conversation (claim_outbound); an urgent one
        # is listed first, so once the earlier reply has gone it is tried again at once.
        for message_id in waited:
            sent += await self._send_one(message_id) or 0
        return sent

    async def _send_one(self, message_id: int) -> int | None:
        """1 when sent, 0 when the send failed, None when the reply could not be claimed (another
        flush holds it, or it waits for an earlier reply of its conversation)."""
        with unit_of_work(self.sessions) as session:
            if not claim_outbound(session, message_id, lease_seconds=SEND_LEASE_SECONDS, now=self.clock()):
                return None
            message = session.get(Message, message_id)
            session.refresh(message)
            conversation = session.get(Conversation, message.conversation_id) if message.conversation_id else None
            session.expunge_all()  # plain objects to hand to the sender, outside the transaction
        address = conversation.channel_address if conversation else message.address
        sender = self.senders[message.channel]
        try:
            if not address:
                raise SendFailed("no address to send to", retryable=False)
            provider_id = await sender.send(address, message, conversation)
        except SendFailed as error:
            return self._failed(message_id, error)
        except Exception as error:  # a failure the sender did not classify: try again later
            return self._failed(message_id, SendFailed(type(error).__name__, retryable=True))
        with unit_of_work(self.sessions) as session:
            mark_sent(session.get(Message, message_id), provider_id)
        return 1

    def _failed(self, message_id: int, error: SendFailed) -> int:
        with unit_of_work(self.sessions) as session:
            message = session.get(Message, message_id)
            status = mark_send_failed(message, retryable=error.retryable, ambiguous=error.ambiguous, now=self.clock())
            attempts = message.attempts
        if status == MessageStatus.UNKNOWN:
            log.error("reply %s may or may not have arrived (%s); left for an officer to check", message_id, error)
        elif status == MessageStatus.FAILED:
            log.error("reply %s was not sent after %s attempt(s): %s", message_id, attempts, error)
        else:
            log.warning("reply %s not sent (attempt %s), will retry: %s", message_id, attempts, error)
        return 0
