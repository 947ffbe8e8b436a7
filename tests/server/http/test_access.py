"""API tokens with roles: anonymous is off by default, writes need the right role, every event
records the token's name as its actor, and a revoked token stops working at once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from provgraph.catalog.access import FileTokenStore, Role, TokenError
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.settings import Settings
from tests.support.server import RunningServer, serving

FEATURE = "urn:provgraph:feature:rider_risk:avg_fare"


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "token", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _bearer(data: Path, name: str, role: str) -> dict[str, str]:
    done = _cli(data, "create", name, "--role", role)
    assert done.returncode == 0, done.stderr
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path]]:
    data = tmp_path_factory.mktemp("auth") / "data"
    with serving(data, "--demo", anonymous=None) as server:
        yield server, data


def _event(name: str) -> dict[str, Any]:
    return {
        "event": {
            "type": "dataset.registered",
            "event_time": "2026-05-01T00:00:00Z",
            "namespace": "auth",
            "name": name,
        }
    }


def test_no_token_no_access_but_operations_stay_open(locked: tuple[RunningServer, Path]) -> None:
    server, _ = locked
    assert httpx.get(f"{server.url}/api/v1/search").status_code == 401
    assert (
        httpx.post(
            f"{server.url}/graphql", json={"query": "{ nodes(kind: MODEL) { total } }"}
        ).status_code
        == 401
    )
    assert httpx.post(f"{server.url}/api/v1/events", json=_event("x")).status_code == 401
    assert (
        httpx.get(
            f"{server.url}/api/v1/search", headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )
    assert (
        httpx.get(f"{server.url}/api/v1/search", headers={"Authorization": "Basic abc"}).status_code
        == 401
    )
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert httpx.get(f"{server.url}/readyz").status_code == 200


def test_roles_gate_writes_and_actors_are_token_names(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    reader, producer, steward = (
        _bearer(data, n, r)
        for n, r in (("rita", "reader"), ("pat", "producer"), ("sam", "steward"))
    )
    assert (
        httpx.get(f"{server.url}/api/v1/search", params={"q": "fare"}, headers=reader).status_code
        == 200
    )
    denied = httpx.post(f"{server.url}/api/v1/events", json=_event("r"), headers=reader)
    assert denied.status_code == 403 and "producer role" in denied.json()["detail"]
    assert (
        httpx.post(f"{server.url}/api/v1/events", json=_event("p"), headers=producer).status_code
        == 200
    )
    ol = {
        "eventType": "COMPLETE",
        "eventTime": "2026-05-01T00:00:00Z",
        "producer": "p",
        "schemaURL": "s",
        "run": {"runId": "0b4b2b8e-6f55-4d4e-a7e9-0a0a0a0a0a0a"},
        "job": {"namespace": "n", "name": "j"},
    }
    assert httpx.post(f"{server.url}/api/v1/lineage", json=ol, headers=reader).status_code == 403
    assert httpx.post(f"{server.url}/api/v1/lineage", json=ol, headers=producer).status_code == 201

    classify = (
        'mutation { classify(urn: "%s", tag: "sensitive") { __typename ... on ForbiddenError { requiredRole } } }'
        % FEATURE
    )
    as_producer = httpx.post(
        f"{server.url}/graphql", json={"query": classify}, headers=producer
    ).json()
    assert as_producer["data"]["classify"] == {
        "__typename": "ForbiddenError",
        "requiredRole": "steward",
    }
    as_steward = httpx.post(
        f"{server.url}/graphql", json={"query": classify}, headers=steward
    ).json()
    assert as_steward["data"]["classify"]["__typename"] == "MutationSuccess"
    report = httpx.post(
        f"{server.url}/graphql",
        json={"query": "mutation { complianceReport { subject } }"},
        headers=producer,
    ).json()
    assert "steward role" in report["errors"][0]["message"]


def test_revoking_a_token_takes_effect_at_once(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    headers = _bearer(data, "temp", "reader")
    assert httpx.get(f"{server.url}/api/v1/search", headers=headers).status_code == 200
    assert _cli(data, "revoke", "temp").returncode == 0
    assert httpx.get(f"{server.url}/api/v1/search", headers=headers).status_code == 401
    assert _cli(data, "revoke", "temp").returncode == 3


def test_every_event_records_its_actor(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data, anonymous=None) as server:
        headers = _bearer(data, "pipeline-7", "producer")
        assert (
            httpx.post(f"{server.url}/api/v1/events", json=_event("a"), headers=headers).status_code
            == 200
        )
    with Catalog(Settings(data=data)) as catalog:
        assert [e.actor for e in catalog.log.read()] == ["token:pipeline-7"]


def test_token_store_rules(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    token = store.create("ci", Role.PRODUCER)
    assert token.startswith("pgt_") and token not in (tmp_path / "tokens.json").read_text()
    found = store.lookup(token)
    assert (
        found is not None
        and found.actor == "token:ci"
        and found.may(Role.READER)
        and not found.may(Role.STEWARD)
    )
    with pytest.raises(TokenError):
        store.create("two words", Role.READER)
    with pytest.raises(TokenError, match="unknown role"):
        Role.named("superuser")
    assert _cli(tmp_path / "not-a-data-dir", "create", "x").returncode == 5
