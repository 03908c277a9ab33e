"""Retention for the message store: after the retention period a message keeps its
direction, channel, status and times, but not what it said (text, media ids, shared
coordinates) nor its provider's id (Telegram's "chat:message" holds the chat id, and
WhatsApp's message ids encode the phone number); a conversation silent that long forgets
where to reach the reporter, and its pseudonym is replaced by one that links to nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, null, select, update
from sqlalchemy.orm import Session, aliased

from messaging.models import Conversation, Message, Reporter
from referral.models import utcnow

# A provider may deliver a message again for this long (WhatsApp retries a webhook for up
# to 7 days, Telegram keeps an update for 24 hours); until then its id must stay, or the
# redelivery would be stored and answered as a new message.
REDELIVERY_WINDOW = timedelta(days=7)
ERASED = "erased-"  # the start of a pseudonym (and sender id) that replaced a forgotten one


def erase_old_messages(session: Session, *, days: int, now: datetime | None = None) -> tuple[int, int]:
    """Returns (messages emptied, conversations that forgot their address)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    # what only tells a redelivery apart from a new message stays until none can come
    unlink_before = min(cutoff, now - REDELIVERY_WINDOW)
    said_something = Message.text.is_not(None) | (
        (Message.direction == "in") & (Message.kind != "text") & Message.payload.is_not(None)  # a place, a photo's id
    )
    messages = session.execute(
        update(Message)
        .where(Message.created_at < cutoff, said_something)
        .values(text=None, payload=null())  # SQL NULL, not JSON null: erased once
        .execution_options(synchronize_session=False)
    ).rowcount
    session.execute(
        update(Message)
        .where(Message.created_at < unlink_before, Message.provider_message_id.is_not(None))
        .values(provider_message_id=None)
        .execution_options(synchronize_session=False)
    )
    conversations = session.execute(
        update(Conversation)
        .where(Conversation.channel_address.is_not(None), Conversation.last_inbound_at < cutoff)
        .values(channel_address=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    retire_pseudonyms(session, unlink_before)
    return messages, conversations


def retire_pseudonyms(session: Session, silent_since: datetime) -> None:
    """A pseudonym is a keyed hash of the chat id or phone number: whoever holds the key and
    a number can find the conversation. Once the conversation has forgotten the number and
    no redelivery can come, its sender id and its reporter's pseudonym become
    `erased-<row id>`, which link to nothing; a reporter who writes again starts anew."""
    session.execute(
        update(Conversation)
        .where(Conversation.channel_address.is_(None), Conversation.last_inbound_at < silent_since,
               Conversation.engine_sender_id.not_like(f"{ERASED}%"))
        .values(engine_sender_id=ERASED + cast(Conversation.id, String))
        .execution_options(synchronize_session=False)
    )
    alive = aliased(Conversation)
    session.execute(
        update(Reporter)
        .where(Reporter.pseudonym.not_like(f"{ERASED}%"),
               ~exists(select(alive.id).where(alive.reporter_id == Reporter.id, alive.engine_sender_id.not_like(f"{ERASED}%"))))
        .values(pseudonym=ERASED + cast(Reporter.id, String))
        .execution_options(synchronize_session=False)
    )
