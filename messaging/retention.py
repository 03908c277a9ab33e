"""Retention for the message store: after the retention period a message keeps its
direction, channel, status and times, but not what it said (text, media ids, shared
coordinates); a conversation silent that long forgets where to reach the reporter."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import null, update
from sqlalchemy.orm import Session

from messaging.models import Conversation, Message
from referral.models import utcnow


def erase_old_messages(session: Session, *, days: int, now: datetime | None = None) -> tuple[int, int]:
    """Returns (messages emptied, conversations that forgot their address)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    said_something = Message.text.is_not(None) | (
        (Message.direction == "in") & (Message.kind != "text") & Message.payload.is_not(None)  # a place, a photo's id
    )
    messages = session.execute(
        update(Message)
        .where(Message.created_at < cutoff, said_something)
        .values(text=None, payload=null())  # SQL NULL, not JSON null: erased once
        .execution_options(synchronize_session=False)
    ).rowcount
    conversations = session.execute(
        update(Conversation)
        .where(Conversation.channel_address.is_not(None), Conversation.last_inbound_at < cutoff)
        .values(channel_address=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    return messages, conversations
