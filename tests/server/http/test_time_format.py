"""One time format in every answer, REST and GraphQL: RFC 3339 in UTC with `Z`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, serving

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")
PROD = "urn:provgraph:deployment:production:fraud-detector"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("times") / "data", "--demo") as running:
        yield running


def _times(value: Any, keys: tuple[str, ...]) -> list[str]:
    """Every string under a key in `keys`, anywhere in a JSON document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                found.append(item)
            else:
                found += _times(item, keys)
    elif isinstance(value, list):
        for item in value:
            found += _times(item, keys)
    return found


def test_rest_answers_use_rfc3339_utc(server: RunningServer) -> None:
    lineage = httpx.get(
        f"{server.url}/api/v1/lineage",
        params={"urn": PROD, "depth": 3, "as_of": "2026-04-01T02:00:00+02:00"},
    ).json()
    assert lineage["as_of"] == "2026-04-01T00:00:00Z"
    stamps = _times(lineage, ("valid_from", "valid_to"))
    run = next(n["urn"] for n in lineage["nodes"] if n["kind"] == "run")
    node = httpx.get(f"{server.url}/api/v1/nodes", params={"urn": run}).json()
    stamps += _times(node, ("created_at", "started_at", "ended_at"))
    assert len(stamps) > 5
    assert all(RFC3339_UTC.match(s) for s in stamps), stamps


def test_graphql_answers_use_the_same_format(server: RunningServer) -> None:
    query = """query($urn: ID!) {
      node(urn: $urn) { createdAt ... on Deployment { history { validFrom validTo } } }
      lineage(urn: $urn, depth: 2, asOf: "2026-04-01T02:00:00+02:00") {
        ... on LineageGraph { edges { validFrom } } } }"""
    answer = httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": {"urn": PROD}}
    ).json()
    assert "errors" not in answer, answer
    stamps = _times(answer["data"], ("createdAt", "validFrom", "validTo"))
    assert len(stamps) > 3
    assert all(RFC3339_UTC.match(s) for s in stamps), stamps
