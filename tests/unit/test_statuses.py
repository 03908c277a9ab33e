"""Message status changes, on plain Message objects (no database)."""

import pytest

import referral.models  # noqa: F401  (the Base the message models live on)
from messaging.models import Message
from messaging.statuses import MessageStatus, apply_delivery_status, first_outbound_status, mark_send_failed


def reply(status: MessageStatus) -> Message:
    return Message(direction="out", status=status, attempts=0)


@pytest.mark.parametrize(
    "current, callback, expected",
    [
        (MessageStatus.SENT, "delivered", MessageStatus.DELIVERED),
        (MessageStatus.READ, "delivered", MessageStatus.READ),  # a late callback never goes back
        (MessageStatus.DELIVERED, "failed", MessageStatus.FAILED),
        (MessageStatus.UNKNOWN, "delivered", MessageStatus.DELIVERED),  # an unknown send turns out to have arrived
    ],
)
def test_delivery_callbacks_only_move_forward(current, callback, expected):
    message = reply(current)
    assert apply_delivery_status(message, callback) is True
    assert message.status == expected


def test_a_status_we_do_not_know_is_ignored():
    message = reply(MessageStatus.SENT)
    assert apply_delivery_status(message, "deleted") is False
    assert message.status == MessageStatus.SENT


def test_failed_sends():
    busy, refused, maybe = reply(MessageStatus.SENDING), reply(MessageStatus.SENDING), reply(MessageStatus.SENDING)
    assert mark_send_failed(busy, retryable=True, ambiguous=False) == MessageStatus.QUEUED
    assert busy.next_attempt_at is not None and busy.attempts == 1
    assert mark_send_failed(refused, retryable=False, ambiguous=False) == MessageStatus.FAILED
    assert mark_send_failed(maybe, retryable=True, ambiguous=True) == MessageStatus.UNKNOWN


def test_replies_start_queued_except_in_the_web_chat():
    assert first_outbound_status("webchat") == MessageStatus.SENT
    assert first_outbound_status("telegram") == first_outbound_status("whatsapp") == MessageStatus.QUEUED
