"""The three services `make run` starts, built from the settings."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.supervision.endpoints import write_endpoints
from bot.supervision.supervisor import Service
from wiring.settings import PROJECT_ROOT, Settings


class NoModel(RuntimeError):
    pass


def newest_model(models_dir: Path) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    if not models:
        raise NoModel(f"no trained model in {models_dir}; run `make train` first")
    return models[-1]


def build_services(settings: Settings, environ: dict[str, str] | None = None) -> list[Service]:
    """Rasa (engine env), the action server and the gateway (app env).

    `environ` is passed on to every child so they read the same settings.
    """
    # Rasa's API, its REST channel and the action server all require this token.
    base_env = {**(environ or {}), "HELPLINE_ENGINE_TOKEN": settings.resolved_engine_token()}
    endpoints = write_endpoints(settings, settings.data_dir / "run" / "endpoints.yml")
    engine_python = PROJECT_ROOT / ".venv-engine" / "bin" / "python"
    if not engine_python.exists():
        raise NoModel(f"{engine_python} is missing; run `make setup` first")
    rasa = Service(
        name="rasa",
        argv=[
            # `rasa run`, with the engine token added inside the process (not on its command line)
            str(engine_python), "-m", "nlu_components.serve", "--enable-api",
            "--interface", "127.0.0.1", "--port", str(settings.engine.rasa_port),
            "--model", str(newest_model(settings.models_dir)),
            "--endpoints", str(endpoints),
            "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        ],
        # /status needs the token and answers only once the model is loaded
        ready_url=f"{settings.engine.rasa_url}/status?token={settings.resolved_engine_token()}",
        env={
            **base_env,
            "PYTHONPATH": str(PROJECT_ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        },
        cwd=PROJECT_ROOT,
    )
    actions = Service(
        name="actions",
        argv=[sys.executable, "-m", "actions.server", "--port", str(settings.engine.action_port)],
        ready_url=f"{settings.engine.action_server_url}/health",
        env=base_env,
        cwd=PROJECT_ROOT,
    )
    gateway = Service(
        name="gateway",
        argv=[sys.executable, "-m", "bot.gateway.app"],
        ready_url=f"http://127.0.0.1:{settings.port}/livez",
        env={**base_env, "HELPLINE_SCHEDULER": base_env.get("HELPLINE_SCHEDULER", "on")},  # the gateway runs the jobs
        cwd=PROJECT_ROOT,
    )
    return [rasa, actions, gateway]
