"""The public Python API is what the README's "Python API" table lists: every name there imports,
and `provgraph.client` exports exactly what the table lists for it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import provgraph.client

README = Path(__file__).resolve().parents[1] / "README.md"
_ROW = re.compile(r"^\| `from (provgraph[\w.]*) import ([\w, ]+)` \|", re.MULTILINE)


def _table() -> list[tuple[str, list[str]]]:
    text = README.read_text()
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    rows = [
        (module, [name.strip() for name in names.split(",")])
        for module, names in _ROW.findall(section)
    ]
    assert rows, "the README's Python API table is missing"
    return rows


@pytest.mark.parametrize(("module", "names"), _table(), ids=lambda value: str(value)[:60])
def test_every_listed_name_imports(module: str, names: list[str]) -> None:
    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as exc:  # an integration whose install extra is absent
        if exc.name and not exc.name.startswith("provgraph"):
            pytest.skip(f"{module} needs {exc.name} (an install extra)")
        raise
    missing = [name for name in names if not hasattr(imported, name)]
    assert not missing, f"{module} lacks {missing}"


def test_the_client_exports_exactly_what_the_readme_lists() -> None:
    listed = {name for module, names in _table() if module == "provgraph.client" for name in names}
    assert set(provgraph.client.__all__) == listed
    assert all(hasattr(provgraph.client, name) for name in provgraph.client.__all__)
