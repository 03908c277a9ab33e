"""Channel-agnostic handling of one inbound message.

Store it (all-or-nothing), ask Rasa, store the replies, return them. A
redelivered message (same provider id) returns the replies already given and
never reaches Rasa twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import replies
from bot.engine_client import EngineClient, EngineUnavailable
from bot.language import language_hint
from referral.messages import (
    Inbound,
    get_or_create_conversation,
    record_inbound,
    record_outbound,
    replies_to,
)
from referral.models import Conversation, Message
from referral.storage import unit_of_work

log = logging.getLogger(__name__)

# What Rasa receives for a shared location; the coordinates travel in metadata.
LOCATION_TRIGGER = "/provide_location"


@dataclass(frozen=True)
class Reply:
    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons}


def reply_from_engine(raw: dict[str, Any]) -> Reply | None:
    text = raw.get("text")
    buttons = [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in raw.get("buttons") or []
        if isinstance(button, dict)
    ]
    if not text and not buttons:
        return None
    return Reply(text=text, buttons=buttons)


class ConversationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        engine: EngineClient,
        secret_key: str,
        max_message_chars: int = 4000,
    ) -> None:
        self.sessions = sessions
        self.engine = engine
        self.secret_key = secret_key
        self.max_message_chars = max_message_chars

    async def handle(self, channel: str, address: str, inbound: Inbound) -> list[Reply]:
        with unit_of_work(self.sessions) as session:
            conversation = get_or_create_conversation(
                session, secret_key=self.secret_key, channel=channel, address=address
            )
            message, is_new = record_inbound(session, conversation, inbound)
            conversation_id, message_id = conversation.id, message.id
            sender_id = conversation.engine_sender_id
            # A repeat of an answered message gets the same answer; a repeat of one that
            # is still waiting for Rasa (it was down) is tried again.
            if not is_new and message.status != "pending":
                return self._replies_already_given(session, message_id)

        is_words = inbound.kind == "text" and not (inbound.text or "").startswith("/")
        language = language_hint(inbound.text[:500]) if is_words and inbound.text else None
        if inbound.kind == "text" and len(inbound.text or "") > self.max_message_chars:
            reply = Reply(replies.too_long(self.max_message_chars, language or "id"))
            return self._finish(conversation_id, message_id, "too_long", [reply])

        text = inbound.text if inbound.kind == "text" else LOCATION_TRIGGER
        metadata: dict[str, Any] = {"channel": channel, "message_id": message_id}
        if language:
            metadata["language"] = language
        if inbound.kind == "location" and inbound.payload:
            metadata["location"] = inbound.payload
        try:
            raw_replies = await self.engine.send(sender_id, text or "", metadata)
        except EngineUnavailable as error:
            log.warning("message %s kept pending: %s", message_id, error)
            return self._finish(conversation_id, message_id, "pending", [Reply(replies.engine_down(language or "id"))])
        answer = [reply for raw in raw_replies if (reply := reply_from_engine(raw))]
        return self._finish(conversation_id, message_id, "answered", answer)

    def _finish(self, conversation_id: int, message_id: int, status: str, answer: list[Reply]) -> list[Reply]:
        """Store the replies and the inbound message's new status together."""
        with unit_of_work(self.sessions) as session:
            conversation = session.get(Conversation, conversation_id)
            for reply in answer:
                record_outbound(
                    session,
                    conversation,
                    text=reply.text,
                    payload={"buttons": reply.buttons} if reply.buttons else None,
                    in_reply_to=message_id,
                )
            inbound = session.get(Message, message_id)
            inbound.status = status
            inbound.attempts += 1
        return answer

    def _replies_already_given(self, session: Session, message_id: int) -> list[Reply]:
        return [
            Reply(text=message.text, buttons=(message.payload or {}).get("buttons", []))
            for message in replies_to(session, message_id)
        ]
