"""The namespace layout: source roots are not packages, and graphql-core is not shadowed."""

from __future__ import annotations

from pathlib import Path

import graphql

ROOT = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = ("catalog", "graphql", "policies", "integrations", "server")


def test_graphql_resolves_to_graphql_core() -> None:
    assert "site-packages" in str(graphql.__file__)
    assert hasattr(graphql, "build_schema")


def test_no_init_at_source_roots_or_namespace_level() -> None:
    for root in SOURCE_ROOTS:
        assert not (ROOT / root / "__init__.py").exists()
        assert not (ROOT / root / "provgraph" / "__init__.py").exists()


def test_provgraph_is_one_namespace_over_the_roots() -> None:
    import provgraph

    paths = {Path(p).resolve() for p in provgraph.__path__}
    assert ROOT / "catalog" / "provgraph" in paths
