"""Dependencies point inward: the case domain imports nothing of the channels, the
dialogue or any web or chat framework; the message store imports no channel either."""

import ast
from pathlib import Path

import pytest

from tests.helpers import PROJECT_ROOT

WEB_AND_CHAT = {"starlette", "uvicorn", "httpx", "telegram", "rasa_sdk", "rasa", "sanic", "fastapi", "aiohttp"}
FORBIDDEN = {
    "referral": {"bot", "actions", "messaging", *WEB_AND_CHAT},
    "messaging": {"bot", "actions", *WEB_AND_CHAT},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_inner_packages_import_nothing_from_outer_layers(package):
    offences = {
        str(path.relative_to(PROJECT_ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (PROJECT_ROOT / package).rglob("*.py")
    }
    assert {file: names for file, names in offences.items() if names} == {}


def test_the_check_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from bot.settings import Settings\nimport httpx\n")
    assert imported_packages(module) & FORBIDDEN["referral"] == {"bot", "httpx"}
