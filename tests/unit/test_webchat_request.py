import json

import pytest

from bot.gateway.webchat import MAX_BODY_BYTES, BadRequest, parse_request
from tests.helpers import web_sender


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_text_message():
    sender, inbound = parse_request(body(sender_id=web_sender("web-1"), text="  anak saya dibully  "))
    assert sender == web_sender("web-1")
    assert (inbound.kind, inbound.text, inbound.provider_message_id) == ("text", "anak saya dibully", None)


def test_message_id_makes_it_idempotent():
    _, inbound = parse_request(body(sender_id=web_sender("web-1"), text="halo", message_id="m1"))
    # unique within the conversation (the store scopes it), so no prefix that could collide
    assert inbound.provider_message_id == "m1"


def test_location_message():
    _, inbound = parse_request(body(sender_id=web_sender("web-1"), location={"latitude": -7.8, "longitude": 110.36}))
    assert inbound.kind == "location"
    assert inbound.payload == {"latitude": -7.8, "longitude": 110.36}


@pytest.mark.parametrize(
    "raw, status, code",
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (body(text="halo"), 422, "invalid_sender_id"),
        (body(sender_id="a b", text="halo"), 422, "invalid_sender_id"),
        (body(sender_id="web-1", text="halo"), 422, "invalid_sender_id"),  # short: guessable
        (body(sender_id="a" * 30, text="halo"), 422, "invalid_sender_id"),  # patterned
        (body(sender_id="00000000-0000-0000-0000-000000000000", text="halo"), 422, "invalid_sender_id"),
        (body(sender_id="abcdefgh" * 3 + "\n", text="halo"), 422, "invalid_sender_id"),  # trailing newline
        (body(sender_id="abc.defghijklmnopqrstuvwxyz", text="halo"), 422, "invalid_sender_id"),  # not URL-safe
        (body(sender_id=web_sender("web-1"), text="halo", message_id="m" * 101), 422, "invalid_message_id"),
        (body(sender_id=web_sender("web-1")), 422, "text_or_location"),
        (body(sender_id=web_sender("web-1"), text="x", location={"latitude": 0, "longitude": 0}), 422, "text_or_location"),
        (body(sender_id=web_sender("web-1"), text=""), 422, "empty_text"),
        (body(sender_id=web_sender("web-1"), text="   \n\t "), 422, "empty_text"),
        (body(sender_id=web_sender("web-1"), text=5), 422, "invalid_text"),
        (body(sender_id=web_sender("web-1"), location={"latitude": 200, "longitude": 110}), 422, "location_out_of_range"),
        (body(sender_id=web_sender("web-1"), location={"latitude": -7.8, "longitude": 181}), 422, "location_out_of_range"),
        (body(sender_id=web_sender("web-1"), location={"latitude": "-7.8", "longitude": 110}), 422, "invalid_location"),
        (body(sender_id=web_sender("web-1"), location={"latitude": True, "longitude": 110}), 422, "invalid_location"),
        (body(sender_id=web_sender("web-1"), location="sleman"), 422, "invalid_location"),
        (b"x" * (MAX_BODY_BYTES + 1), 413, "body_too_large"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(raw, status, code):
    with pytest.raises(BadRequest) as caught:
        parse_request(raw)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.message  # an Indonesian sentence for the reporter


@pytest.mark.parametrize(
    "sender_id",
    [
        "2f1c6a5e-8d1b-4c3e-9a7f-0b5d4e3c2a11",  # what crypto.randomUUID() makes
        "web-2f1c6a5e-8d1b-4c3e-9a7f-0b5d4e3c2a11",  # what the page made before
        "Qm9yaW5nX2J1dF9yYW5kb20",  # 23 URL-safe characters
    ],
)
def test_random_sender_ids_are_accepted(sender_id):
    sender, _ = parse_request(body(sender_id=sender_id, text="halo"))
    assert sender == sender_id


@pytest.mark.parametrize(
    "location",
    [{"latitude": 10**400, "longitude": 110}, {"latitude": -7.8, "longitude": -(10**400)}],
)
def test_numbers_too_large_for_a_float_are_refused(location):
    with pytest.raises(BadRequest) as refused:
        parse_request(body(sender_id=web_sender("web-1"), location=location))
    assert refused.value.status == 422


@pytest.mark.parametrize("field", ["text", "message_id"])
def test_text_that_cannot_be_stored_is_refused(field):
    fields = {"sender_id": web_sender("web-1"), "text": "halo", field: "halo \ud800"}
    with pytest.raises(BadRequest) as refused:
        parse_request(json.dumps(fields).encode())
    assert refused.value.status == 422
