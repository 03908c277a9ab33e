from messaging.identity import engine_sender_id, pseudonym


def test_pseudonym_is_stable_and_hides_the_address():
    first = pseudonym("key", "whatsapp", "6281234567890")
    assert first == pseudonym("key", "whatsapp", "6281234567890")
    assert "6281234567890" not in first
    assert len(first) == 24


def test_pseudonym_depends_on_key_and_channel():
    base = pseudonym("key", "telegram", "42")
    assert base != pseudonym("other-key", "telegram", "42")
    assert base != pseudonym("key", "whatsapp", "42")


def test_engine_sender_id_prefix():
    assert engine_sender_id("webchat", "abc") == "wc-abc"
    assert engine_sender_id("telegram", "abc") == "tg-abc"
