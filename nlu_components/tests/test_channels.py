"""The REST channel: the token, and no reporter's text in Rasa's error lines."""

import asyncio
import types

import pytest
import rasa.core.channels.rest as rest_channel
from sanic.exceptions import Unauthorized

from nlu_components.channels import TokenRestInput, WithoutMessageText


class Recorder:
    def __init__(self):
        self.calls = []

    def error(self, event, **fields):
        self.calls.append((event, fields))


def test_failure_lines_keep_the_event_and_lose_the_text():
    recorder = Recorder()
    quiet = WithoutMessageText(recorder)
    quiet.error("rest.message.received.failure", text="suami saya memukul saya", sender="wc-1")
    assert recorder.calls == [("rest.message.received.failure", {"sender": "wc-1"})]


def test_the_channel_wraps_rasas_rest_logger_once():
    TokenRestInput()
    TokenRestInput()
    assert isinstance(rest_channel.structlogger, WithoutMessageText)
    assert not isinstance(rest_channel.structlogger._logger, WithoutMessageText)


@pytest.mark.parametrize("given, expected", [(None, None), ("wrong", None), ("s3cret-token-value", "wc-1")])
def test_messages_need_the_engine_token(monkeypatch, given, expected):
    monkeypatch.setenv("HELPLINE_ENGINE_TOKEN", "s3cret-token-value")
    request = types.SimpleNamespace(args={"token": given} if given else {}, json={"sender": "wc-1"})
    channel = TokenRestInput()
    if expected is None:
        with pytest.raises(Unauthorized):
            asyncio.run(channel._extract_sender(request))
    else:
        assert asyncio.run(channel._extract_sender(request)) == expected


def test_engine_tracebacks_show_no_local_variables_and_tracker_errors_no_parameters():
    import rasa.core.tracker_store as tracker_store
    import structlog

    from nlu_components.channels import hide_personal_data_in_engine_logs

    hide_personal_data_in_engine_logs()
    hide_personal_data_in_engine_logs()  # twice is once

    def failing_turn():
        text = "suami saya memukul saya sekarang"  # a local, as in Rasa's REST handler
        raise RuntimeError("the turn failed")

    try:
        failing_turn()
    except RuntimeError:
        import sys

        rendered = structlog.processors.dict_tracebacks(None, "error", {"event": "x", "exc_info": sys.exc_info()})
    assert "suami saya" not in str(rendered) and "the turn failed" in str(rendered)
    assert tracker_store.create_engine_kwargs("postgresql://u@127.0.0.1/tracker")["hide_parameters"] is True
    assert tracker_store.create_engine_kwargs("sqlite:///tracker.db") == {"hide_parameters": True}
