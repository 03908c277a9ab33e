"""The action server's entry point: rasa-sdk's app, closed to anyone without the token.

Rasa sends the engine token with every action call (`action_endpoint.token` in the
endpoints file `helpline run` writes, sent as `?token=…`); a request without it could
otherwise post a forged tracker to `action_open_case` and rewrite someone's case.
Run with `python -m actions.server --port 5055`; HELPLINE_ENGINE_TOKEN must be set.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.worker.loader import AppLoader

from wiring.logs import adopt_framework_loggers, configure_logging, settings_secrets
from wiring.settings import Settings

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})  # the supervisor's readiness check; it carries no data


def token_is_valid(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def create_app() -> Sanic:
    """Module level, so Sanic's loader can build the app in its worker process."""
    expected = os.environ.get("HELPLINE_ENGINE_TOKEN", "")
    if not expected:
        raise SystemExit("HELPLINE_ENGINE_TOKEN is not set; start the action server with `helpline run`")
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app_for_serve(executor, cors_origins="")  # no browser ever calls it
    configure_action_server_logging(expected)  # here: Sanic builds the app in its worker process

    @app.on_request
    async def require_token(request: Request):
        if request.path in OPEN_PATHS:
            return None
        if not token_is_valid(request.args.get("token") or "", expected):
            return response.json({"error": "missing or wrong token"}, status=401)
        return None

    return app


def configure_action_server_logging(token: str) -> None:
    """Our format (text or JSON lines) for everything the action server logs, Sanic's
    own loggers included, with the engine token redacted; libraries at warnings."""
    settings = Settings.from_env()
    configure_logging([token, *settings_secrets(settings, derive=False)], settings.logs, root_level=logging.WARNING)
    adopt_framework_loggers("sanic")


def main() -> None:
    parser = argparse.ArgumentParser(description="The helpline's Rasa action server (requires HELPLINE_ENGINE_TOKEN).")
    parser.add_argument("--port", type=int, default=5055, help="port on 127.0.0.1 (default 5055)")
    args = parser.parse_args()
    configure_action_server_logging(os.environ.get("HELPLINE_ENGINE_TOKEN", ""))
    loader = AppLoader(factory=create_app)
    app = loader.load()
    app.prepare(host="127.0.0.1", port=args.port, workers=1, access_log=False)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
