"""Rasa's REST channel, closed to anyone without the engine token, and quiet about what
reporters wrote.

Rasa's own --auth-token guards its HTTP API (trackers, /model/parse) but not the
input channels, so any local process could speak as any reporter through
/webhooks/rest/webhook. This channel asks for the same token, as Rasa's API does:
`?token=…`. The token comes from HELPLINE_ENGINE_TOKEN, which `helpline run` sets;
without it every message is refused.

Rasa's REST channel also logs the reporter's message text at error level whenever a
request fails or is cut off (`rest.message.received.failure`/`.timeout`); its logger is
wrapped so those lines keep the event and lose the text. The tracebacks of such failures
and the tracker store's database errors are kept free of message data too
(`hide_personal_data_in_engine_logs`, which `serve.py` calls before Rasa starts).
"""

from __future__ import annotations

import hmac
import os
from typing import Optional, Text

import rasa.core.channels.rest as rest_channel
from rasa.core.channels.rest import RestInput
from sanic.exceptions import Unauthorized
from sanic.request import Request


PERSONAL_FIELDS = ("text",)


class WithoutMessageText:
    """A structlog logger that drops the message text from every event it logs."""

    def __init__(self, logger) -> None:
        self._logger = logger

    def __getattr__(self, name: str):
        method = getattr(self._logger, name)
        if not callable(method):
            return method

        def log_without_text(*args, **kwargs):
            for field in PERSONAL_FIELDS:
                kwargs.pop(field, None)
            return method(*args, **kwargs)

        return log_without_text


def hide_personal_data_in_engine_logs() -> None:
    """Before Rasa configures its logging: structured tracebacks without each frame's local
    variables (structlog's default shows them, and a failed turn's locals hold the message
    text and the sender), and the tracker store's database errors without the values of
    their parameters (the events, with what the reporter wrote)."""
    import rasa.core.tracker_store as tracker_store
    import structlog
    from structlog.tracebacks import ExceptionDictTransformer

    structlog.processors.dict_tracebacks = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
    original = tracker_store.create_engine_kwargs
    if getattr(original, "hides_parameters", False):
        return

    def create_engine_kwargs(url):
        return {**original(url), "hide_parameters": True}

    create_engine_kwargs.hides_parameters = True
    tracker_store.create_engine_kwargs = create_engine_kwargs


def quiet_rest_channel_logs() -> None:
    """Wrap the REST channel's module logger (once); it is looked up at each log call."""
    if not isinstance(rest_channel.structlogger, WithoutMessageText):
        rest_channel.structlogger = WithoutMessageText(rest_channel.structlogger)


class TokenRestInput(RestInput):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        quiet_rest_channel_logs()

    @classmethod
    def name(cls) -> Text:
        return "rest"  # the same URL as Rasa's own REST channel: /webhooks/rest/webhook

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        expected = os.environ.get("HELPLINE_ENGINE_TOKEN", "")
        given = req.args.get("token") or ""
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("missing or wrong token")
        return await super()._extract_sender(req)
