"""The weekly digest's figures about the message flow: channels, languages, how fast the
bot answered, and what went wrong. Counts and durations only, never a message's text."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from messaging.models import Conversation, Message, Reporter
from messaging.statuses import MessageStatus
from referral.digest import Week, median_and_p90
from referral.models import Case

# Messages that wanted an answer from the bot (not a reaction, not one kept for an officer).
WAITED_FOR_AN_ANSWER = (MessageStatus.ANSWERED, MessageStatus.TOO_LONG, MessageStatus.PENDING, MessageStatus.RECEIVED,
                        MessageStatus.PROCESSING)


def message_figures(session: Session, week: Week, ack_after_s: float) -> dict:
    """Cases of the week by channel and reporter language; the time from the message that
    opened a case to the bot's first answer; messages in and out, replies that failed, and
    messages that waited longer than the acknowledgement delay for any answer."""
    cases = session.execute(
        select(Conversation.channel, Reporter.language, Reporter.regional_language)
        .select_from(Case)
        .join(Conversation, Conversation.id == Case.conversation_id)
        .join(Reporter, Reporter.id == Conversation.reporter_id)
        .where(Case.created_at >= week.start, Case.created_at < week.end)
    ).all()
    reply = aliased(Message)
    first_reply = (  # replies to the week's messages (given within a day of its end), not the whole table
        select(reply.in_reply_to_id.label("inbound_id"), func.min(reply.created_at).label("answered_at"))
        .where(reply.in_reply_to_id.is_not(None), reply.created_at >= week.start, reply.created_at < week.end + timedelta(days=1))
        .group_by(reply.in_reply_to_id)
        .subquery()
    )
    inbound = session.execute(
        select(Message.id, Message.status, Message.created_at, first_reply.c.answered_at)
        .outerjoin(first_reply, first_reply.c.inbound_id == Message.id)
        .where(
            Message.direction == "in",
            Message.conversation_id.is_not(None),  # reporters' messages, not officers' commands
            Message.created_at >= week.start,
            Message.created_at < week.end,
        )
    ).all()
    opening = session.execute(
        select(Message.created_at, first_reply.c.answered_at)
        .join(Case, (Case.conversation_id == Message.conversation_id) & (Case.source_message_id == Message.id))
        .join(first_reply, first_reply.c.inbound_id == Message.id)
        .where(Case.created_at >= week.start, Case.created_at < week.end)
    ).all()
    outbound = Counter(
        status
        for (status,) in session.execute(
            select(Message.status).where(
                Message.direction == "out",
                Message.conversation_id.is_not(None),  # replies to reporters, not messages to staff
                Message.created_at >= week.start,
                Message.created_at < week.end,
            )
        )
    )
    waited = sum(
        1 for row in inbound
        if row.status in WAITED_FOR_AN_ANSWER
        and (row.answered_at is None or (row.answered_at - row.created_at).total_seconds() > ack_after_s)
    )
    return {
        "cases_by_channel": dict(Counter(row.channel for row in cases)),
        "cases_by_language": dict(Counter("en" if row.language == "en" else row.regional_language or "id" for row in cases)),
        "seconds_to_first_answer": median_and_p90([(answered - asked).total_seconds() for asked, answered in opening]),
        "messages_in": len(inbound),
        "messages_out": sum(outbound.values()),
        "replies_failed": outbound[MessageStatus.FAILED] + outbound[MessageStatus.UNKNOWN],
        "waited_past_acknowledgement": waited,
        # Rasa's downtime as the inbox saw it: messages that had to be tried again
        "waited_for_rasa": session.scalar(
            select(func.count()).select_from(Message).where(
                Message.direction == "in", Message.attempts > 1, Message.created_at >= week.start, Message.created_at < week.end
            )
        ),
    }
