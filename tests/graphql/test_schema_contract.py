"""The committed SDL is the API contract: drift fails, breaking changes are reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

from graphql import build_schema, find_breaking_changes

from provgraph.graphql.sdl import SDL_PATH, current_sdl

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_sdl_matches_the_schema() -> None:
    assert SDL_PATH.read_text() == current_sdl(), (
        "graphql/schema.graphql is stale: run `python -m provgraph.graphql.sdl --write` "
        "and review the diff"
    )


def _last_committed_sdl() -> str | None:
    done = subprocess.run(
        ["git", "show", "HEAD:graphql/schema.graphql"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout if done.returncode == 0 else None


def test_no_breaking_changes_against_the_last_committed_contract() -> None:
    committed = _last_committed_sdl() or SDL_PATH.read_text()
    breaking = find_breaking_changes(build_schema(committed), build_schema(current_sdl()))
    assert not breaking, "breaking changes to the GraphQL contract:\n" + "\n".join(
        f"- {change.type.name}: {change.description}" for change in breaking
    )


def test_find_breaking_changes_catches_a_removed_field() -> None:
    schema = current_sdl()
    without = schema.replace("  artifactDigest: String!\n", "", 1)
    assert without != schema
    changes = find_breaking_changes(build_schema(schema), build_schema(without))
    assert any("artifactDigest" in c.description for c in changes)


def test_the_graphql_layer_never_touches_a_store() -> None:
    for path in (ROOT / "graphql").rglob("*.py"):
        text = path.read_text()
        assert "provgraph.catalog.store" not in text, f"{path} imports a store adapter"
