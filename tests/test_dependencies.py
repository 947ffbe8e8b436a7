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
ALLOWED: dict[str, set[str]] = {
    "catalog": set(),
    "policies": {"catalog"},
    "graphql": {"catalog", "policies"},
    "integrations": {"catalog", "policies"},
    "server": {"catalog", "policies", "graphql", "integrations"},
}


def _provgraph_imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package / "provgraph" / package).rglob("*.py"))


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


def test_every_source_root_is_checked() -> None:
    roots = {p.parent.name for p in ROOT.glob("*/provgraph") if p.is_dir()}
    assert roots == set(ALLOWED)
