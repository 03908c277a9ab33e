"""Reading a retried turn: the replies before the retry marker, and which run of a message
in Rasa's tracker counts (an undone run is sent again; Rasa's own fallback rewind is not an undo)."""

from __future__ import annotations

from bot.gateway.engine_client import last_turn
from messaging.turns import HOTLINES, TURN_DONE, done_before, retry_marker, split_at_retry, with_done

MARKER = {"custom": retry_marker({HOTLINES})}


def user(message_id: int) -> dict:
    return {"event": "user", "text": "tolong", "metadata": {"message_id": message_id}}


def bot(text: str | None = None, custom: dict | None = None) -> dict:
    return {"event": "bot", "text": text, "data": {"custom": custom} if custom else {}}


def test_the_replies_before_the_marker_are_kept_and_the_rest_dropped():
    raw = [{"text": "hubungi 112"}, {"text": "mohon tunggu"}, MARKER, {"text": "di mana Anda?"}]
    assert split_at_retry(raw) == ([{"text": "hubungi 112"}, {"text": "mohon tunggu"}], [HOTLINES])
    assert split_at_retry([{"text": "halo"}]) is None


def test_what_a_turn_did_is_noted_once_beside_what_the_payload_holds():
    location = {"latitude": -7.8, "longitude": 110.4}
    noted = with_done(with_done(location, [HOTLINES]), [HOTLINES])
    assert noted == {**location, TURN_DONE: [HOTLINES]} and done_before(noted) == [HOTLINES]
    assert with_done(None, []) is None and done_before(None) == []


def test_an_undone_run_is_sent_again_and_the_latest_run_is_the_one_that_counts():
    undone = [user(5), bot("hubungi 112"), bot(custom=MARKER["custom"]), {"event": "rewind"}, {"event": "action"}]
    assert last_turn(undone, 5).undone
    again = [*undone, user(5), bot("tercatat dengan nomor MPKS-2026-00001")]
    turn = last_turn(again, 5)
    assert not turn.undone and [r["text"] for r in turn.replies] == ["tercatat dengan nomor MPKS-2026-00001"]
    assert last_turn(again, 6) is None


def test_rasas_fallback_rewind_is_not_our_undo():
    fallback = [user(9), bot("Maaf, bisa diulang?"), {"event": "rewind"}, {"event": "action"}]
    turn = last_turn(fallback, 9)
    assert not turn.undone and [r["text"] for r in turn.replies] == ["Maaf, bisa diulang?"]
