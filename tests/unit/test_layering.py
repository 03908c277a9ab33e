"""Dependencies point inward: the case domain imports nothing of the channels, the
dialogue or any web or chat framework; the message store imports no channel either;
the shared wiring imports neither process's code, and the action server none of the
gateway's, so each process loads only what it runs."""

import ast
from pathlib import Path

import pytest

from tests.helpers import PROJECT_ROOT

WEB_AND_CHAT = {"starlette", "uvicorn", "httpx", "telegram", "rasa_sdk", "rasa", "sanic", "fastapi", "aiohttp"}
FORBIDDEN = {
    "referral": {"bot", "actions", "messaging", "wiring", *WEB_AND_CHAT},
    "messaging": {"bot", "actions", "wiring", *WEB_AND_CHAT},
    "wiring": {"bot", "actions", *WEB_AND_CHAT},
    "actions": {"bot"},
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
    module.write_text("from bot.gateway.app import create_app\nimport httpx\n")
    assert imported_packages(module) & FORBIDDEN["referral"] == {"bot", "httpx"}


def wiring_imports(path: Path) -> set[str]:
    """The wiring modules that `path` imports, TYPE_CHECKING imports included: a circle
    of type hints is still a circle a reader has to untangle."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found.update(name.split(".")[1] for name in names if name.startswith("wiring."))
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return visiting[visiting.index(node):] + [node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def test_the_shared_wiring_has_no_import_circle():
    graph = {path.stem: wiring_imports(path) for path in (PROJECT_ROOT / "wiring").glob("*.py")}
    assert "settings" in graph and graph["settings"]  # the check reads real modules
    assert find_cycle(graph) is None


def test_the_circle_check_sees_a_circle():
    assert find_cycle({"settings": {"engine_settings"}, "engine_settings": {"settings"}}) == ["engine_settings", "settings", "engine_settings"]
    assert find_cycle({"settings": {"environment"}, "environment": set()}) is None
