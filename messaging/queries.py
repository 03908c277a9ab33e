"""What the inbox, the outbox and the officers need to know: reads only, no status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from messaging.models import Message
from messaging.statuses import OPEN_INBOUND, MessageStatus
from referral.models import utcnow


def conversation_messages(session: Session, conversation_id: int) -> list[Message]:
    return list(
        session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id))
    )


def replies_to(session: Session, message_id: int) -> list[Message]:
    """The outbound messages sent in answer to one inbound message, in order."""
    return list(
        session.scalars(select(Message).where(Message.in_reply_to_id == message_id).order_by(Message.id))
    )


def offered_payloads(session: Session, conversation_id: int, recent: int = 20) -> set[str]:
    """The button payloads of the bot's latest replies in a conversation: what a reporter
    may send back as a payload (anything else they type is text)."""
    payloads: set[str] = set()
    for payload in session.scalars(
        select(Message.payload)
        .where(Message.conversation_id == conversation_id, Message.direction == "out", Message.payload.is_not(None))
        .order_by(Message.id.desc())
        .limit(recent)
    ):
        for button in (payload or {}).get("buttons") or []:
            if isinstance(button, dict) and isinstance(button.get("payload"), str):
                payloads.add(button["payload"].strip())
    return payloads


def outbound_after(session: Session, conversation_id: int, after_id: int, limit: int = 50) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.direction == "out", Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
    )


# -- the inbox ----------------------------------------------------------------------------


def has_earlier_unanswered(session: Session, message: Message) -> bool:
    """Is an older inbound message of the same conversation still waiting? (Keep the order.)"""
    return session.scalar(
        select(Message.id)
        .where(
            Message.conversation_id == message.conversation_id,
            Message.direction == "in",
            Message.id < message.id,
            Message.status.in_(OPEN_INBOUND),
        )
        .limit(1)
    ) is not None


def due_inbound(session: Session, *, now: datetime | None = None, limit: int = 50) -> list[int]:
    """Inbound messages ready to be (re)processed: the oldest waiting one per conversation,
    whose retry time has come and whose lease (if any) has run out. A message stuck in
    'processing' past its lease (its holder crashed) is due again too."""
    now = now or utcnow()
    ready = or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now)
    unlocked = or_(Message.locked_until.is_(None), Message.locked_until < now)
    oldest_open = (
        select(func.min(Message.id))
        .where(Message.direction == "in", Message.status.in_(OPEN_INBOUND))
        .group_by(Message.conversation_id)
    )
    return list(
        session.scalars(
            select(Message.id)
            .where(Message.id.in_(oldest_open), ready, unlocked)
            .order_by(Message.id)
            .limit(limit)
        )
    )


def waiting_without_acknowledgement(
    session: Session, *, older_than: datetime, now: datetime | None = None
) -> list[Message]:
    """Inbound messages Rasa failed to answer (tried at least once), received before
    `older_than`, whose reporter has heard nothing back yet."""
    now = now or utcnow()
    reply = aliased(Message)
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.direction == "in",
                # waiting for a retry, or in Rasa's hands right now; not one that is due to be
                # tried again this moment (a dead holder's): its answer may be only a second away
                or_(
                    and_(Message.status == MessageStatus.PENDING, Message.next_attempt_at > now),
                    and_(Message.status == MessageStatus.PROCESSING, Message.locked_until > now),
                ),
                Message.attempts > 0,
                Message.created_at < older_than,
                ~select(reply.id).where(reply.in_reply_to_id == Message.id).exists(),
            )
            .order_by(Message.id)
        )
    )


# -- the outbox ---------------------------------------------------------------------------


def due_outbound(session: Session, channels: tuple[str, ...], *, now: datetime | None = None, limit: int = 50) -> list[int]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.direction == "out",
                Message.status == MessageStatus.QUEUED,
                Message.channel.in_(channels),
                or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
            )
            .order_by(Message.priority.desc(), Message.id)  # alerts and emergency replies first
            .limit(limit)
        )
    )


# -- for officers -------------------------------------------------------------------------


def attention_summary(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """What officers should know about the message flow: reporters waiting for an answer,
    and replies that could not be delivered. Counts and ages only, no message text."""
    now = now or utcnow()
    waiting = session.execute(
        select(func.count(Message.id), func.min(Message.created_at)).where(
            Message.direction == "in", Message.status.in_(OPEN_INBOUND)
        )
    ).one()

    def outbound_count(status: MessageStatus) -> int:
        return session.scalar(select(func.count(Message.id)).where(Message.direction == "out", Message.status == status))

    oldest = waiting[1]
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return {
        "waiting_messages": waiting[0],
        "oldest_waiting_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "failed_replies": outbound_count(MessageStatus.FAILED),
        "unknown_replies": outbound_count(MessageStatus.UNKNOWN),
    }


def waiting_too_long(session: Session, *, older_than: datetime) -> list[Message]:
    """Inbound messages still without an answer from before `older_than`, not yet reported to officers."""
    return list(
        session.scalars(
            select(Message).where(
                Message.direction == "in",
                Message.status.in_(OPEN_INBOUND),
                Message.created_at < older_than,
                Message.alerted_at.is_(None),
            )
        )
    )
