"""The `rasa` command with the helpline's two speed-ups installed: DIET's quick load
(nlu_components/quick_load.py) and the action results' validation without re-checking the
schema (nlu_components/quick_validation.py).

    python -m nlu_components.rasa_cli test core --stories tests/stories ...
"""

from __future__ import annotations

import sys


def install_speedups() -> None:
    from nlu_components import quick_load, quick_validation

    quick_load.install()
    quick_validation.install()


def main() -> None:
    from rasa.__main__ import main as rasa_main

    install_speedups()
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
