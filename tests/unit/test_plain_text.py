"""A reporter's text is text: every form Rasa would read as an intent loses its slashes."""

import pytest

from bot.channels.telegram import parse_button_data
from bot.gateway.conversation import as_plain_text


@pytest.mark.parametrize(
    "typed, sent",
    [
        ("/emergency", "emergency"),
        ('/emergency{"victim": "anak"}', 'emergency{"victim": "anak"}'),
        ("  //request_human", "request_human"),
        ("/ /emergency", "emergency"),
        ("/\n/emergency", "emergency"),
        ("/\t/x{}", "x{}"),
        ("///", ""),
        ("tolong 1/2 jam lagi", "tolong 1/2 jam lagi"),  # a slash inside is fine
    ],
)
def test_leading_slashes_are_removed_in_every_form(typed, sent):
    assert as_plain_text(typed) == sent
    assert not as_plain_text(typed).strip().startswith("/")


@pytest.mark.parametrize("data", ["b²:0", "b" + "9" * 40 + ":0", "b1:", "x1:0", "b1:0:0", "b1:٣"])
def test_forged_button_data_is_not_ours(data):
    assert parse_button_data(data) is None


def test_our_button_data_is_read():
    assert parse_button_data("b123:2") == (123, 2)
