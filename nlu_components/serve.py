"""Start `rasa run` with the engine token taken from the environment.

`rasa run --auth-token TOKEN` would put the token in the process's command line,
which every local user can read in /proc; here it is added to Rasa's arguments
inside the process instead. With the speed-ups of nlu_components/rasa_cli.py. Usage: python -m nlu_components.serve [rasa run options]
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.get("HELPLINE_ENGINE_TOKEN", "")
    if not token:
        raise SystemExit("HELPLINE_ENGINE_TOKEN is not set; start Rasa with `helpline run`")
    from rasa.__main__ import main as rasa_main

    from nlu_components.channels import hide_personal_data_in_engine_logs
    from nlu_components.rasa_cli import install_speedups

    hide_personal_data_in_engine_logs()
    install_speedups()
    sys.argv = ["rasa", "run", *sys.argv[1:], "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
