import pytest

from bot.gateway.language import language_hint, reply_language


@pytest.mark.parametrize(
    "text",
    [
        "suami sy sering mukul kalo marah",
        "anakku dipoyoki kanca-kancane",
        "salaki abdi sok neunggeul upami ambek",
        "tlg skrg dia bawa pisau",
        "ok",
        "😭😭",
        "12345",
        "",
        "MPKS-2026-00001",
    ],
)
def test_indonesian_javanese_sundanese_and_fragments_are_answered_in_indonesian(text):
    assert reply_language(text) == "id"


@pytest.mark.parametrize(
    "text",
    ["my husband hits me when he is drunk", "I want to report bullying at my son's school", "please help me"],
)
def test_clear_english_is_answered_in_english(text):
    assert reply_language(text) == "en"


def test_detection_is_repeatable():
    text = "aku diejek terus sama temen"
    assert len({reply_language(text) for _ in range(20)}) == 1


@pytest.mark.parametrize("text", ["Kasihan, Bantul", "ok", "ya", "Sleman", "yes please"])
def test_short_replies_do_not_switch_the_conversation_language(text):
    assert language_hint(text) is None


def test_longer_messages_give_a_hint():
    assert language_hint("my son is being bullied at school") == "en"
    assert language_hint("anak saya dibully di sekolah") == "id"


def test_javanese_and_sundanese_are_recognised_for_the_digest():
    from bot.gateway.language import regional_language

    assert regional_language("anakku dipoyoki kanca-kancane ning sekolah") == "jv"
    assert regional_language("abdi bade ngalaporkeun, budak abdi teu acan uih") == "su"
    assert regional_language("anak saya dibully di sekolah") is None
    assert regional_language("aku ora tau") is None  # one marker word is not enough
