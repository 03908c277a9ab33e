"""Reporters, conversations and messages (SQLAlchemy 2.0 declarative), on the app's one Base.

Schema changes go through Alembic (referral/migrations); keep the two in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.models import Base, utcnow


class StorableText(TypeDecorator):
    """Text without NUL characters: a messenger may carry one, PostgreSQL refuses any text
    that holds one, and the whole message would be lost with it. Stripped on every write."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return value.replace("\x00", "") if isinstance(value, str) else value


class Reporter(Base):
    """Someone who wrote to the helpline, known only by a keyed pseudonym per channel."""

    __tablename__ = "reporters"
    __table_args__ = (UniqueConstraint("channel", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    pseudonym: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))  # the last language they wrote in (id, en)
    # Javanese (jv) or Sundanese (su) when they wrote in it (answered in Indonesian; counted in the digest)
    regional_language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id"))
    channel: Mapped[str] = mapped_column(String(16))
    # The sender id Rasa sees: a pseudonym, never a phone number or chat id.
    engine_sender_id: Mapped[str] = mapped_column(String(80), unique=True)
    # Where replies go on the channel (chat id, phone number). Personal data:
    # kept only because the channel needs it to answer.
    channel_address: Mapped[str | None] = mapped_column(String(120))
    # bot | officer: who answers the reporter now. While an officer has taken over, the
    # bot stays silent and the reporter's messages are kept for the officer (for_officer).
    handled_by: Mapped[str] = mapped_column(String(16), default="bot")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))  # who has taken it over
    # Whether Rasa holds this conversation paused (ConversationPaused): set after a takeover,
    # cleared once Rasa has the ConversationResumed; a resume that failed is retried before
    # the bot answers again.
    engine_paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None]

    reporter: Mapped[Reporter] = relationship()


class Message(Base):
    """Every inbound and outbound message, stored before it is acknowledged.

    A message to staff (an officer alert, the notice to a Telegram group) belongs to no
    conversation: it has its own `address` and goes through the same outbox.
    """

    __tablename__ = "messages"
    __table_args__ = (
        # Provider ids are only unique within one conversation (a web chat's message_id, say).
        UniqueConstraint("conversation_id", "direction", "provider_message_id", name="uq_message_provider_id"),
        Index("ix_messages_provider_id", "channel", "provider_message_id"),
        Index("ix_messages_conversation", "conversation_id", "id"),
        Index("ix_messages_inbox", "direction", "status", "next_attempt_at"),
        Index("ix_messages_created_at", "created_at"),  # the weekly digest reads a week of them
        Index("ix_messages_address", "address"),  # a Telegram group's one notice
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    # Where a message to staff goes (a chat id); a reply to a reporter uses its conversation's.
    address: Mapped[str | None] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    channel: Mapped[str] = mapped_column(String(16))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | location | media | ...
    text: Mapped[str | None] = mapped_column(StorableText)
    payload: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16))
    # The outbox sends higher first: staff alerts and emergency replies (URGENT) before the rest.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    # Inbox bookkeeping: when to try a pending message again, and who holds it now.
    next_attempt_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    # Who holds the lease: a holder only finishes a message while the token is still its own.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    # When officers were told this message is waiting too long (once per message).
    alerted_at: Mapped[datetime | None]

    conversation: Mapped["Conversation | None"] = relationship()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HandoffRequest(Base):
    """A reporter asked for a person: what the officers act on.

    One open request per conversation at a time; asking again while one is open
    changes nothing.
    """

    __tablename__ = "handoff_requests"
    __table_args__ = (Index("ix_handoff_requests_open", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # the case being reported, if any
    reason: Mapped[str] = mapped_column(String(32))  # asked: the reporter asked for a person
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | taken | closed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
