"""Node properties are read through the typed views in catalog/model/views, never by string key.

A module outside the model that reads `x.props[...]` or `x.props.get(...)` fails here, so a
renamed property fails type checking in every reader instead of silently reading None.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "catalog" / "provgraph" / "catalog" / "model"
ALLOWED: set[Path] = set()
"""Modules that may still read properties by key (none: the projection reads views too)."""


def _reads_by_key(path: Path) -> list[int]:
    """Lines of `path` that read `<something>.props[...]` or `<something>.props.get(...)`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        target: ast.expr | None = None
        if isinstance(node, ast.Subscript):
            target = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "setdefault", "pop", "__getitem__")
        ):
            target = node.func.value
        if isinstance(target, ast.Attribute) and target.attr == "props":
            found.append(target.lineno)
    return found


def _sources() -> list[Path]:
    return [
        path
        for root in ROOT.glob("*/provgraph")
        for path in root.rglob("*.py")
        if MODEL not in path.parents and path not in ALLOWED
    ]


def test_no_module_outside_the_model_reads_node_properties_by_key() -> None:
    assert _sources(), "no sources found"
    offenders = [
        f"{path.relative_to(ROOT)}:{line}" for path in _sources() for line in _reads_by_key(path)
    ]
    assert offenders == [], "read node properties through model/views instead: " + ", ".join(
        offenders
    )


def test_the_scan_finds_reads_by_key(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('x = node.props["a"]\ny = node.props.get("b")\nz = dict(node.props)\n')
    assert _reads_by_key(sample) == [1, 2]
