"""Rasa's REST channel, closed to anyone without the engine token.

Rasa's own --auth-token guards its HTTP API (trackers, /model/parse) but not the
input channels, so any local process could speak as any reporter through
/webhooks/rest/webhook. This channel asks for the same token, as Rasa's API does:
`?token=…`. The token comes from HELPLINE_ENGINE_TOKEN, which `helpline run` sets;
without it every message is refused.
"""

from __future__ import annotations

import hmac
import os
from typing import Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import Unauthorized
from sanic.request import Request


class TokenRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"  # the same URL as Rasa's own REST channel: /webhooks/rest/webhook

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        expected = os.environ.get("HELPLINE_ENGINE_TOKEN", "")
        given = req.args.get("token") or ""
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("missing or wrong token")
        return await super()._extract_sender(req)
