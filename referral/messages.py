"""The message store: every inbound message is written before it is acknowledged.

Inbound messages are unique on (channel, provider message id), so a provider
that redelivers a message finds it already stored and nothing happens twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from referral.identity import engine_sender_id, pseudonym
from referral.models import Conversation, Message, Reporter, utcnow

CHANNELS = ("webchat", "telegram", "whatsapp")


def _insert_for(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def get_or_create_conversation(
    session: Session, *, secret_key: str, channel: str, address: str
) -> Conversation:
    """The conversation for this channel address, created on first contact.

    Safe under concurrency: inserts use ON CONFLICT DO NOTHING, then read back.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    insert = _insert_for(session)
    alias = pseudonym(secret_key, channel, address)
    sender = engine_sender_id(channel, alias)
    existing = session.scalar(select(Conversation).where(Conversation.engine_sender_id == sender))
    if existing is not None:
        return existing
    session.execute(
        insert(Reporter)
        .values(channel=channel, pseudonym=alias, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "pseudonym"])
    )
    reporter_id = session.scalar(
        select(Reporter.id).where(Reporter.channel == channel, Reporter.pseudonym == alias)
    )
    session.execute(
        insert(Conversation)
        .values(
            reporter_id=reporter_id,
            channel=channel,
            engine_sender_id=sender,
            channel_address=address,
            handled_by="bot",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["engine_sender_id"])
    )
    return session.scalars(select(Conversation).where(Conversation.engine_sender_id == sender)).one()


@dataclass(frozen=True)
class Inbound:
    kind: str  # text | location | contact | media | callback
    text: str | None = None
    payload: dict[str, Any] | None = None
    provider_message_id: str | None = None


def record_inbound(session: Session, conversation: Conversation, inbound: Inbound) -> tuple[Message, bool]:
    """Store an inbound message; returns (message, is_new). A redelivery returns the stored one."""
    now = utcnow()
    if inbound.provider_message_id is not None:
        duplicate = find_inbound(session, conversation.id, inbound.provider_message_id)
        if duplicate is not None:
            return duplicate, False
    message = Message(
        conversation_id=conversation.id,
        direction="in",
        channel=conversation.channel,
        provider_message_id=inbound.provider_message_id,
        kind=inbound.kind,
        text=inbound.text,
        payload=inbound.payload,
        status="received",
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():  # a concurrent redelivery may win the insert
            session.add(message)
            session.flush()
    except IntegrityError:
        stored = find_inbound(session, conversation.id, inbound.provider_message_id or "")
        if stored is None:
            raise
        return stored, False
    conversation.last_inbound_at = now
    return message, True


def find_inbound(session: Session, conversation_id: int, provider_message_id: str) -> Message | None:
    """A stored inbound message by its provider id, which is unique within its conversation."""
    return session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.direction == "in",
            Message.provider_message_id == provider_message_id,
        )
    )


def record_outbound(
    session: Session,
    conversation: Conversation,
    *,
    text: str | None,
    payload: dict[str, Any] | None = None,
    status: str = "sent",
    in_reply_to: int | None = None,
) -> Message:
    now = utcnow()
    message = Message(
        conversation_id=conversation.id,
        direction="out",
        channel=conversation.channel,
        kind="text",
        text=text,
        payload=payload,
        status=status,
        in_reply_to_id=in_reply_to,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    return message


def conversation_messages(session: Session, conversation_id: int) -> list[Message]:
    return list(
        session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id))
    )


def find_conversation(session: Session, sender_id: str) -> Conversation | None:
    return session.scalar(select(Conversation).where(Conversation.engine_sender_id == sender_id))


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


def replies_to(session: Session, message_id: int) -> list[Message]:
    """The outbound messages sent in answer to one inbound message, in order."""
    return list(
        session.scalars(select(Message).where(Message.in_reply_to_id == message_id).order_by(Message.id))
    )


# -- the inbox: claiming, retrying and ordering inbound messages ---------------

WAITING = ("received", "pending")


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
            or_(Message.locked_until.is_(None), Message.locked_until < now),
        )
        .values(
            status="processing", locked_until=now + timedelta(seconds=lease_seconds), lease_token=token, updated_at=now
        )
        .execution_options(synchronize_session=False)
    )
    return token if result.rowcount == 1 else None


def renew_lease(session: Session, message_id: int, token: str, *, lease_seconds: float) -> bool:
    """Extend a lease we still hold (a slow Rasa answer); False when it is no longer ours."""
    now = utcnow()
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == "processing", Message.lease_token == token)
        .values(locked_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def holds_lease(session: Session, message: Message, token: str) -> bool:
    return message.status == "processing" and message.lease_token == token


def has_earlier_unanswered(session: Session, message: Message) -> bool:
    """Is an older inbound message of the same conversation still waiting? (Keep the order.)"""
    return session.scalar(
        select(Message.id)
        .where(
            Message.conversation_id == message.conversation_id,
            Message.direction == "in",
            Message.id < message.id,
            Message.status.in_((*WAITING, "processing")),
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
        .where(Message.direction == "in", Message.status.in_((*WAITING, "processing")))
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


def release_stale(session: Session, *, now: datetime | None = None) -> int:
    """Put messages whose holder died mid-processing back in the queue."""
    now = now or utcnow()
    result = session.execute(
        update(Message)
        .where(Message.direction == "in", Message.status == "processing", Message.locked_until < now)
        .values(status="pending", locked_until=None, lease_token=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def retry_delay_seconds(attempts: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff: 2, 4, 8 … seconds, at most five minutes."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def outbound_after(session: Session, conversation_id: int, after_id: int, limit: int = 50) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.direction == "out", Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
    )


def find_conversation_by_address(session: Session, *, secret_key: str, channel: str, address: str) -> Conversation | None:
    return find_conversation(session, engine_sender_id(channel, pseudonym(secret_key, channel, address)))


# -- the outbox: replies waiting to be sent on a chat channel ----------------------------------

MAX_SEND_ATTEMPTS = 5


def due_outbound(session: Session, channels: tuple[str, ...], *, now: datetime | None = None, limit: int = 50) -> list[int]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.direction == "out",
                Message.status == "queued",
                Message.channel.in_(channels),
                or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
            )
            .order_by(Message.id)
            .limit(limit)
        )
    )


def claim_outbound(session: Session, message_id: int, *, lease_seconds: float, now: datetime | None = None) -> bool:
    now = now or utcnow()
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.direction == "out", Message.status == "queued")
        .values(status="sending", locked_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def fail_interrupted_sends(session: Session, *, now: datetime | None = None) -> int:
    """A send cut off by a crash may or may not have reached the person. Rather than risk
    saying it twice, mark it unknown so an officer can see and follow up."""
    now = now or utcnow()
    result = session.execute(
        update(Message)
        .where(Message.direction == "out", Message.status == "sending", Message.locked_until < now)
        .values(status="unknown", locked_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def record_delivery_status(session: Session, channel: str, provider_message_id: str, status: str) -> bool:
    """A provider's sent/delivered/read/failed callback, recorded on our outbound message."""
    message = session.scalar(
        select(Message).where(
            Message.channel == channel, Message.direction == "out", Message.provider_message_id == provider_message_id
        )
    )
    if message is None:
        return False
    order = ["queued", "sending", "sent", "delivered", "read"]
    if status == "failed" or message.status not in order or status not in order or order.index(status) > order.index(message.status):
        message.status = status
    return True


def attention_summary(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """What officers should know about the message flow: reporters waiting for an answer,
    and replies that could not be delivered. Counts and ages only, no message text."""
    now = now or utcnow()
    waiting = session.execute(
        select(func.count(Message.id), func.min(Message.created_at)).where(
            Message.direction == "in", Message.status.in_((*WAITING, "processing"))
        )
    ).one()
    failed = session.scalar(select(func.count(Message.id)).where(Message.direction == "out", Message.status == "failed"))
    unknown = session.scalar(
        select(func.count(Message.id)).where(Message.direction == "out", Message.status == "unknown")
    )
    oldest = waiting[1]
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return {
        "waiting_messages": waiting[0],
        "oldest_waiting_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "failed_replies": failed,
        "unknown_replies": unknown,
    }


def waiting_too_long(session: Session, *, older_than: datetime) -> list[Message]:
    """Inbound messages still without an answer from before `older_than`, not yet reported to officers."""
    return list(
        session.scalars(
            select(Message).where(
                Message.direction == "in",
                Message.status.in_((*WAITING, "processing")),
                Message.created_at < older_than,
                Message.alerted_at.is_(None),
            )
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
                    and_(Message.status == "pending", Message.next_attempt_at > now),
                    and_(Message.status == "processing", Message.locked_until > now),
                ),
                Message.attempts > 0,
                Message.created_at < older_than,
                ~select(reply.id).where(reply.in_reply_to_id == Message.id).exists(),
            )
            .order_by(Message.id)
        )
    )
