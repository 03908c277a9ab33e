"""Message statuses, and every change of a message's status: the one place they happen.

Inbound:  received → processing → answered | too_long | ignored | for_officer
                      ↘ pending (Rasa away; retried) ↗
A new inbound message is `received`; a new reply starts as first_outbound_status says.

Outbound: queued → sending → sent → delivered → read      (on a chat channel)
                           ↘ queued (retry later) | failed (refused, or five tries) | unknown (may have arrived)
          sent                                            (web chat: it travels in the HTTP answer)
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, aliased

from messaging.models import Message
from referral.models import utcnow


class MessageStatus(StrEnum):
    RECEIVED = "received"
    PENDING = "pending"
    PROCESSING = "processing"
    ANSWERED = "answered"
    TOO_LONG = "too_long"
    IGNORED = "ignored"
    FOR_OFFICER = "for_officer"  # an officer has taken the conversation over: the bot stays silent
    FROM_STAFF = "from_staff"  # an officer's own message to the bot, handled as it was stored
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNKNOWN = "unknown"


# An inbound message nobody has answered yet (processing: someone holds it right now).
WAITING = (MessageStatus.RECEIVED, MessageStatus.PENDING)
OPEN_INBOUND = (*WAITING, MessageStatus.PROCESSING)
# Delivery callbacks only move an outbound message forward along this line.
DELIVERY_ORDER = (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)
MAX_SEND_ATTEMPTS = 5


def first_outbound_status(channel: str) -> MessageStatus:
    """Web chat replies travel in the HTTP answer; other channels' wait in the outbox."""
    return MessageStatus.SENT if channel == "webchat" else MessageStatus.QUEUED


def retry_delay_seconds(attempts: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff: 2, 4, 8 … seconds, at most five minutes."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


# -- inbound ------------------------------------------------------------------------------


def claim_inbound(
    session: Session, message_id: int, *, lease_seconds: float, now: datetime | None = None
) -> str | None:
    """Take a waiting inbound message for processing; returns the lease token, or None
    when someone else holds it.

    The lease (locked_until) lets a crashed holder's message be taken again later; the
    token lets a holder check, when it finishes, that the message is still its own.
    """
    now = now or utcnow()
    token = secrets.token_hex(16)
    result = session.execute(
        update(Message)
        .where(
            Message.id == message_id,
            Message.direction == "in",
            Message.status.in_(WAITING),
            (Message.locked_until.is_(None)) | (Message.locked_until < now),
        )
        .values(
            status=MessageStatus.PROCESSING,
            locked_until=now + timedelta(seconds=lease_seconds),
            lease_token=token,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return token if result.rowcount == 1 else None


def renew_lease(session: Session, message_id: int, token: str, *, lease_seconds: float) -> bool:
    """Extend a lease we still hold (a slow Rasa answer); False when it is no longer ours."""
    now = utcnow()
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.PROCESSING, Message.lease_token == token)
        .values(locked_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def holds_lease(message: Message, token: str) -> bool:
    return message.status == MessageStatus.PROCESSING and message.lease_token == token


def finish_inbound(message: Message, status: MessageStatus) -> None:
    """Processing is over (answered, too long, ignored): the lease is given up."""
    message.status, message.locked_until, message.next_attempt_at, message.lease_token = status, None, None, None


def postpone_inbound(message: Message, delay_s: float, *, now: datetime | None = None) -> None:
    """Rasa is away (or a sender floods): try again after `delay_s`."""
    now = now or utcnow()
    message.status, message.locked_until, message.lease_token = MessageStatus.PENDING, None, None
    message.next_attempt_at = now + timedelta(seconds=delay_s)


def release_stale(session: Session, *, now: datetime | None = None) -> int:
    """Put messages whose holder died mid-processing back in the queue."""
    now = now or utcnow()
    result = session.execute(
        update(Message)
        .where(Message.direction == "in", Message.status == MessageStatus.PROCESSING, Message.locked_until < now)
        .values(status=MessageStatus.PENDING, locked_until=None, lease_token=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# -- outbound -----------------------------------------------------------------------------


def claim_outbound(session: Session, message_id: int, *, lease_seconds: float, now: datetime | None = None) -> bool:
    """Take a queued reply for sending. A reply waits while an earlier one to the same person
    (its conversation; a staff message: its channel and address) is still queued or being
    sent, so that messages are read in the order they were written, whichever of the
    concurrent flushes holds which. Only an earlier message at least as urgent holds one
    back: the hotline numbers never wait behind an ordinary reply in backoff."""
    now = now or utcnow()
    earlier = aliased(Message)
    same_person = or_(
        earlier.conversation_id == Message.conversation_id,
        and_(Message.conversation_id.is_(None), earlier.conversation_id.is_(None),
             earlier.channel == Message.channel, earlier.address == Message.address),
    )
    earlier_unfinished = (
        select(earlier.id)
        .where(
            same_person,
            earlier.direction == "out",
            earlier.id < Message.id,
            earlier.priority >= Message.priority,
            earlier.status.in_((MessageStatus.QUEUED, MessageStatus.SENDING)),
        )
        .exists()
    )
    result = session.execute(
        update(Message)
        .where(
            Message.id == message_id,
            Message.direction == "out",
            Message.status == MessageStatus.QUEUED,
            ~earlier_unfinished,
        )
        .values(status=MessageStatus.SENDING, locked_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(message: Message, provider_message_id: str) -> None:
    message.status, message.provider_message_id, message.locked_until = MessageStatus.SENT, provider_message_id, None


def mark_send_failed(
    message: Message, *, retryable: bool, ambiguous: bool, now: datetime | None = None
) -> MessageStatus:
    """One failed send attempt: queued again with backoff, failed, or unknown. Returns the new status."""
    message.attempts += 1
    message.locked_until = None
    if ambiguous:
        message.status = MessageStatus.UNKNOWN
    elif not retryable or message.attempts >= MAX_SEND_ATTEMPTS:
        message.status = MessageStatus.FAILED
    else:
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = (now or utcnow()) + timedelta(seconds=retry_delay_seconds(message.attempts))
    return MessageStatus(message.status)


def fail_interrupted_sends(session: Session, *, now: datetime | None = None) -> int:
    """A send cut off by a crash may or may not have reached the person. Rather than risk
    saying it twice, mark it unknown so an officer can see and follow up."""
    now = now or utcnow()
    result = session.execute(
        update(Message)
        .where(Message.direction == "out", Message.status == MessageStatus.SENDING,
               or_(Message.locked_until.is_(None), Message.locked_until < now))  # no lease: not ours either
        .values(status=MessageStatus.UNKNOWN, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def apply_delivery_status(message: Message, status: str) -> bool:
    """A provider's sent/delivered/read/failed callback: forward only, or failed. A status we
    do not know is ignored (False)."""
    if status not in (*DELIVERY_ORDER, MessageStatus.FAILED):
        return False
    order = [str(s) for s in DELIVERY_ORDER]
    if status == MessageStatus.FAILED or message.status not in order or order.index(status) > order.index(message.status):
        message.status = MessageStatus(status)
    return True
