"""Dependencies point one way: server -> {graphql, integrations} -> policies -> catalog.

Inside catalog, the model is the bottom: service, store, log and search adapters may use it,
it uses none of them. A lower package importing a higher one fails here, lazy imports included.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# what each package may import from provgraph (itself always allowed)
# (`provgraph.client`, the HTTP client, lives in the catalog source root and sits just above it)
ALLOWED: dict[str, set[str]] = {
    "catalog": set(),
    "client": {"catalog"},
    "policies": {"catalog"},
    "graphql": {"catalog", "policies"},
    "integrations": {"catalog", "policies", "client"},
    "server": {"catalog", "client", "policies", "graphql", "integrations"},
}


def _provgraph_imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _packages() -> dict[str, Path]:
    """Each `provgraph.<name>` package (or module) and where it lives, over all source roots."""
    found: dict[str, Path] = {}
    for namespace in ROOT.glob("*/provgraph"):
        for entry in namespace.iterdir():
            if entry.name.startswith((".", "__")):
                continue
            found[entry.name.removesuffix(".py")] = entry
    return found


def _modules(package: str) -> list[Path]:
    location = _packages().get(package)
    if location is None:
        return []
    return [location] if location.is_file() else sorted(location.rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_lower_ones(package: str) -> None:
    wrong = []
    for path in _modules(package):
        for line, module in _provgraph_imports(path):
            parts = module.split(".")
            if parts[0] != "provgraph" or len(parts) < 2:
                continue
            target = parts[1]
            if target != package and target not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_model_imports_nothing_above_it() -> None:
    wrong = []
    for path in sorted((ROOT / "catalog" / "provgraph" / "catalog" / "model").rglob("*.py")):
        for line, module in _provgraph_imports(path):
            if module.startswith("provgraph.") and not module.startswith("provgraph.catalog.model"):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_every_package_is_checked() -> None:
    assert set(_packages()) <= set(ALLOWED), "add the new package to ALLOWED"
