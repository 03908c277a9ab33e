import hashlib
import hmac

import pytest

from bot.channels.whatsapp import (
    WebhookError,
    message_body,
    parse_webhook,
    verification_challenge,
    verify_signature,
)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(messages=None, statuses=None) -> dict:
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550000000", "phone_number_id": "123"}}
    if messages is not None:
        value["contacts"] = [{"profile": {"name": "X"}, "wa_id": "6281234567890"}]
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}


def test_signature():
    body = b'{"object": "whatsapp_business_account"}'
    assert verify_signature("s3cret", body, sign("s3cret", body))
    assert not verify_signature("s3cret", body, sign("other", body))
    assert not verify_signature("s3cret", body + b" ", sign("s3cret", body))
    assert not verify_signature("s3cret", body, None)
    assert not verify_signature("s3cret", body, "sha1=abc")


def test_handshake():
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "12345"}
    assert verification_challenge(params, "tok") == "12345"
    assert verification_challenge({**params, "hub.verify_token": "wrong"}, "tok") is None
    assert verification_challenge({**params, "hub.mode": "unsubscribe"}, "tok") is None
    assert verification_challenge(params, None) is None


def base(kind: str, **content) -> dict:
    return {"from": "6281234567890", "id": f"wamid.{kind}", "timestamp": "1749416383", "type": kind, **content}


def test_message_types():
    messages, statuses = parse_webhook(envelope([
        base("text", text={"body": "anak saya dibully"}),
        base("location", location={"latitude": -7.78, "longitude": 110.36, "name": "Tugu"}),
        base("interactive", interactive={"type": "button_reply", "button_reply": {"id": "/affirm", "title": "Ya"}}),
        base("interactive", interactive={"type": "list_reply", "list_reply": {"id": "/deny", "title": "Tidak"}}) | {"id": "wamid.list"},
        base("button", button={"payload": "lanjut", "text": "Lanjut"}),
        base("image", image={"id": "media-1", "mime_type": "image/jpeg", "caption": "lihat ini"}),
        base("audio", audio={"id": "media-2", "mime_type": "audio/ogg"}),
        base("reaction", reaction={"message_id": "wamid.x", "emoji": "🙏"}),
        base("unsupported", errors=[{"code": 131051}]),
    ]))
    assert statuses == []
    kinds = [(m.kind, m.text, m.payload) for m in messages]
    assert kinds[0] == ("text", "anak saya dibully", None)
    assert kinds[1] == ("location", None, {"latitude": -7.78, "longitude": 110.36})
    assert kinds[2][:2] == ("text", "/affirm") and kinds[3][:2] == ("text", "/deny")
    assert kinds[4][:2] == ("text", "lanjut")
    assert kinds[5] == ("media", "lihat ini", {"type": "image", "media_id": "media-1", "mime_type": "image/jpeg"})
    assert kinds[6][0] == "media" and kinds[6][2]["media_id"] == "media-2"
    assert kinds[7][0] == "reaction"
    assert kinds[8][0] == "unsupported"
    assert all(m.sender == "6281234567890" for m in messages)


def test_statuses():
    _, statuses = parse_webhook(envelope(statuses=[
        {"id": "wamid.out1", "status": "delivered", "timestamp": "1", "recipient_id": "6281234567890"},
        {"id": "wamid.out2", "status": "failed", "errors": [{"code": 131047, "title": "Re-engagement message"}]},
    ]))
    assert [(s.provider_id, s.status) for s in statuses] == [("wamid.out1", "delivered"), ("wamid.out2", "failed")]
    assert statuses[1].errors[0]["code"] == 131047


@pytest.mark.parametrize("payload", [[], {"object": "page"}, "x"])
def test_foreign_payloads_are_refused(payload):
    with pytest.raises(WebhookError):
        parse_webhook(payload)


def test_reply_buttons_when_they_fit_and_a_list_when_they_do_not():
    short = message_body("628", "Yang mana?", [{"title": "Depok, Sleman", "payload": "/provide_location"}])
    assert short["type"] == "interactive"
    assert short["interactive"]["action"]["buttons"][0]["reply"] == {"id": "/provide_location", "title": "Depok, Sleman"}
    long = message_body("628", "Yang mana?", [{"title": "Depok, Kabupaten Sleman, Daerah Istimewa Yogyakarta", "payload": "/x"}])
    assert long["type"] == "text" and "• Depok, Kabupaten Sleman" in long["text"]["body"]
    plain = message_body("628", "Halo", [])
    assert plain == {"messaging_product": "whatsapp", "to": "628", "type": "text", "text": {"body": "Halo"}}
