"""Which app may import which (DESIGN.md, "Parts"): a lower app never reaches up.

Every `apps.<x>` import in an app's Python files (templatetags, sitemaps and management commands
included) must be to the app itself or to one it may use. Templates load tag libraries by name,
so a template-level dependency shows up here through the library's module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2] / "apps"

MAY_USE = {
    "core": set(),
    "catalog": {"core"},
    "pages": {"core", "layout"},
}


def imported_apps(app: str) -> dict[str, set[str]]:
    """{imported app: {files importing it}} for every apps.<x> import in `app`."""
    found: dict[str, set[str]] = {}
    for path in (APPS / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "apps" and len(parts) > 1 and parts[1] != app:
                    found.setdefault(parts[1], set()).add(str(path.relative_to(APPS)))
    return found


@pytest.mark.parametrize("app", sorted(MAY_USE))
def test_app_imports_only_what_it_may_use(app):
    reached = imported_apps(app)
    forbidden = {other: files for other, files in reached.items() if other not in MAY_USE[app]}
    assert forbidden == {}, f"{app} may use only {sorted(MAY_USE[app])}"
