"""The message store: every inbound message is written before it is acknowledged.

Inbound messages are unique on (conversation, provider message id), so a provider
that redelivers a message finds it already stored and nothing happens twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from messaging.identity import engine_sender_id, pseudonym
from messaging.models import Conversation, Message, Reporter
from messaging.statuses import MessageStatus, apply_delivery_status
from referral.models import utcnow
from referral.storage import insert_for

CHANNELS = ("webchat", "telegram", "whatsapp")
# The outbox's order (higher first): staff alerts and replies to a reporter in danger do not
# wait behind ordinary messages for the bot's rate limit.
ORDINARY, URGENT = 0, 10


@dataclass(frozen=True)
class Inbound:
    """One message as a channel adapter hands it over, whatever the provider's shape."""

    kind: str  # text | location | contact | media | reaction | start | unsupported
    text: str | None = None
    payload: dict[str, Any] | None = None
    provider_message_id: str | None = None  # unique within the conversation


def get_or_create_conversation(
    session: Session, *, secret_key: str, channel: str, address: str
) -> Conversation:
    """The conversation for this channel address, created on first contact.

    Safe under concurrency: inserts use ON CONFLICT DO NOTHING, then read back.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    insert = insert_for(session)
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
        status=MessageStatus.RECEIVED,
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


def record_outbound(
    session: Session,
    conversation: Conversation,
    *,
    text: str | None,
    payload: dict[str, Any] | None = None,
    status: MessageStatus = MessageStatus.SENT,
    in_reply_to: int | None = None,
    kind: str = "text",
    priority: int = ORDINARY,
) -> Message:
    now = utcnow()
    message = Message(
        conversation_id=conversation.id,
        direction="out",
        channel=conversation.channel,
        kind=kind,
        text=text,
        payload=payload,
        status=status,
        priority=priority,
        in_reply_to_id=in_reply_to,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    return message


def queue_staff_message(
    session: Session, *, channel: str, address: str, text: str, payload: dict[str, Any] | None = None,
    priority: int = ORDINARY, kind: str = "text",
) -> Message:
    """A message to staff (an officer's chat, a group), queued for the outbox like a reply:
    it belongs to no reporter's conversation, so it carries its own address."""
    now = utcnow()
    message = Message(
        conversation_id=None,
        address=address,
        direction="out",
        channel=channel,
        kind=kind,
        text=text,
        payload=payload,
        status=MessageStatus.QUEUED,
        priority=priority,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    return message


def find_inbound(session: Session, conversation_id: int, provider_message_id: str) -> Message | None:
    """A stored inbound message by its provider id, which is unique within its conversation."""
    return session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.direction == "in",
            Message.provider_message_id == provider_message_id,
        )
    )


def find_conversation(session: Session, sender_id: str) -> Conversation | None:
    """A conversation by the sender id Rasa knows it by."""
    return session.scalar(select(Conversation).where(Conversation.engine_sender_id == sender_id))


def find_conversation_by_address(session: Session, *, secret_key: str, channel: str, address: str) -> Conversation | None:
    return find_conversation(session, engine_sender_id(channel, pseudonym(secret_key, channel, address)))


def record_delivery_status(session: Session, channel: str, provider_message_id: str, status: str) -> bool:
    """A provider's delivery callback, recorded on our outbound message (if it is ours)."""
    message = session.scalar(
        select(Message).where(
            Message.channel == channel, Message.direction == "out", Message.provider_message_id == provider_message_id
        )
    )
    if message is None:
        return False
    return apply_delivery_status(message, status)
