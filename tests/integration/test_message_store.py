import pytest

from messaging.queries import conversation_messages, replies_to
from messaging.store import Inbound, get_or_create_conversation, record_inbound, record_outbound
from messaging.models import Conversation, Reporter
from referral.storage import unit_of_work


def conversation(session, address="6281234567890", channel="whatsapp"):
    return get_or_create_conversation(session, secret_key="k", channel=channel, address=address)


def test_same_address_same_conversation_and_pseudonymous_sender(sessions):
    with unit_of_work(sessions) as session:
        first = conversation(session)
        again = conversation(session)
        other = conversation(session, address="6289999999999")
        assert first.id == again.id != other.id
        assert first.engine_sender_id.startswith("wa-")
        assert "6281234567890" not in first.engine_sender_id
        assert session.query(Reporter).count() == 2


def test_inbound_is_stored_and_a_redelivery_is_a_no_op(sessions):
    with unit_of_work(sessions) as session:
        conv = conversation(session)
        message, is_new = record_inbound(session, conv, Inbound(kind="text", text="halo", provider_message_id="wamid.1"))
        assert is_new and message.status == "received"
    with unit_of_work(sessions) as session:
        conv = conversation(session)
        again, is_new = record_inbound(session, conv, Inbound(kind="text", text="halo", provider_message_id="wamid.1"))
        assert not is_new and again.id == message.id
        assert len(conversation_messages(session, conv.id)) == 1


def test_messages_without_provider_id_are_all_kept(sessions):
    with unit_of_work(sessions) as session:
        conv = conversation(session, channel="webchat", address="web-1")
        record_inbound(session, conv, Inbound(kind="text", text="satu"))
        record_inbound(session, conv, Inbound(kind="text", text="satu"))
        assert [m.text for m in conversation_messages(session, conv.id)] == ["satu", "satu"]


def test_outbound_replies_are_linked_to_their_message(sessions):
    with unit_of_work(sessions) as session:
        conv = conversation(session, channel="webchat", address="web-2")
        inbound, _ = record_inbound(session, conv, Inbound(kind="text", text="halo"))
        record_outbound(session, conv, text="Halo, selamat datang", in_reply_to=inbound.id)
        record_outbound(session, conv, text="Ada yang bisa dibantu?", in_reply_to=inbound.id)
        assert [m.text for m in replies_to(session, inbound.id)] == ["Halo, selamat datang", "Ada yang bisa dibantu?"]


def test_a_failed_unit_of_work_writes_nothing(sessions):
    with pytest.raises(RuntimeError, match="crash between store and commit"):
        with unit_of_work(sessions) as session:
            conv = conversation(session, channel="webchat", address="web-3")
            record_inbound(session, conv, Inbound(kind="text", text="akan hilang"))
            raise RuntimeError("crash between store and commit")
    with unit_of_work(sessions) as session:
        assert session.query(Conversation).count() == 0
