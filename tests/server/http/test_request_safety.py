"""The request guard, event authorization and GraphQL bounds, driven over HTTP on real servers:
authentication before a body is read, bodies counted while they stream, JSON bodies only,
Host/Origin/X-Forwarded-For, nesting depth, a header read timeout, a corrupt token file,
per-event-type roles, and GraphQL's cost, response cap, body shapes and GET."""

from __future__ import annotations

import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from provgraph.catalog.access import TOKENS_FILE, FileTokenStore, Role
from tests.support.server import RunningServer, serving

MAX_BODY = 65_536
SMALL_LIMITS = {
    "PROVGRAPH_MAX_BODY_BYTES": str(MAX_BODY),
    "PROVGRAPH_HEADER_TIMEOUT_S": "1",
    "PROVGRAPH_BODY_TIMEOUT_S": "1",
    "PROVGRAPH_GRAPHQL_MAX_RESPONSE_BYTES": "20000",
}


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path]]:
    """A token-mode server with small limits, and its data directory."""
    data = tmp_path_factory.mktemp("safety") / "data"
    with serving(data, "--demo", anonymous=None, env=SMALL_LIMITS) as server:
        yield server, data


@pytest.fixture(scope="module")
def anonymous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path]]:
    """An anonymous-mode server (what the README's demo command runs), default limits."""
    data = tmp_path_factory.mktemp("anonymous") / "data"
    with serving(data, "--demo", anonymous="admin") as server:
        yield server, data


def _bearer(data: Path, name: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {FileTokenStore(data / TOKENS_FILE).create(name, role)}"}


def _raw(server: RunningServer, *parts: bytes, wait_s: float = 10.0) -> bytes:
    """Send `parts` on one connection, then read until the server closes it (or `wait_s`)."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=wait_s) as sock:
        try:
            for part in parts:
                sock.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        try:
            while chunk := sock.recv(65_536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received


def _head(server: RunningServer, path: str, *headers: str) -> bytes:
    host = urlsplit(server.url).netloc
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _dataset(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "dataset.registered",
        "event_time": "2026-05-01T00:00:00Z",
        "namespace": "safety",
        "name": name,
        **extra,
    }


# --- bodies: authentication first, counted while streaming, JSON only, bounded nesting -------


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/policy/feature-use", "/graphql"])
def test_no_body_is_read_before_the_caller_is_known(
    locked: tuple[RunningServer, Path], path: str
) -> None:
    # a chunked body that never ends: the answer must come without waiting for it
    head = _head(locked[0], path, "Content-Type: application/json", "Transfer-Encoding: chunked")
    answer = _raw(locked[0], head, _chunk(b"[" * 1000))
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_a_chunked_body_stops_at_the_limit_with_413(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    token = _bearer(data, "chunky", Role.PRODUCER)["Authorization"]
    head = _head(
        server,
        "/api/v1/lineage",
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
        f"Authorization: {token}",
    )
    # just over the limit, and the body never ends: the server must stop counting and answer
    chunks = [_chunk(b" " * 1024) for _ in range(MAX_BODY // 1024 + 1)]
    answer = _raw(server, head, *chunks)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"PayloadTooLarge" in answer


def test_json_endpoints_need_a_json_content_type(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    headers = _bearer(data, "typed", Role.PRODUCER)
    event = b'{"eventType": "COMPLETE"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        answer = httpx.post(
            f"{server.url}/api/v1/lineage",
            content=event,
            headers={**headers, "content-type": content_type},
        )
        assert answer.status_code == 415, (content_type, answer.text)


def test_cross_origin_writes_are_refused(anonymous: tuple[RunningServer, Path]) -> None:
    server, _ = anonymous
    answer = httpx.post(
        f"{server.url}/api/v1/events",
        json={"event": _dataset("csrf")},
        headers={"origin": "https://evil.example"},
    )
    assert answer.status_code == 403 and answer.json()["error"] == "CrossOrigin"
    same = httpx.post(
        f"{server.url}/api/v1/events",
        json={"event": _dataset("same-origin")},
        headers={"origin": server.url},
    )
    assert same.status_code == 200, same.text


def test_nesting_depth_is_bounded_with_400(anonymous: tuple[RunningServer, Path]) -> None:
    server, _ = anonymous
    deep_array = "[" * 1000 + "]" * 1000
    answer = httpx.post(
        f"{server.url}/api/v1/lineage",
        content=deep_array,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["error"] == "TooDeeplyNested"
    facet: Any = {}
    for _ in range(5000):
        facet = {"x": facet}
    run_event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-05-01T00:00:00Z",
        "producer": "https://example.com/p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4()), "facets": {}},
        "job": {"namespace": "n", "name": "j", "facets": {}},
    }
    deep_facet = "{" + '"x":{' * 5000 + "}" * 5000 + "}"
    body = httpx.Request("POST", "/", json=run_event).content.decode()
    body = body.replace('"facets": {}', f'"facets": {{"deep": {deep_facet}}}', 1).replace(
        '"facets":{}', f'"facets":{{"deep":{deep_facet}}}', 1
    )
    answer = httpx.post(
        f"{server.url}/api/v1/lineage", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    variables = '{"v":' + "[" * 100_000 + "]" * 100_000 + "}"
    answer = httpx.post(
        f"{server.url}/graphql",
        content='{"query": "{ __typename }", "variables": ' + variables + "}",
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    fine = httpx.post(f"{server.url}/graphql", json={"query": "{ __typename }"})
    assert fine.json() == {"data": {"__typename": "Query"}}


def test_escaped_quotes_cannot_freeze_the_depth_check(
    anonymous: tuple[RunningServer, Path],
) -> None:
    """Issue 16.1: the depth check was a regular expression that backtracked quadratically on
    runs of `\\"` in an unterminated string (32 KB froze the server for 12 s; this 2 MiB body
    would have taken hours); it is one linear pass, off the event loop for large bodies."""
    server, _ = anonymous
    body = b'{"query": "' + b'\\"' * (1024 * 1024)
    answer = httpx.post(
        f"{server.url}/graphql",
        content=body,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 400, answer.text
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


# --- Host, X-Forwarded-For, slow clients, the token file ---------------------------------------


def test_anonymous_mode_answers_loopback_hosts_only(anonymous: tuple[RunningServer, Path]) -> None:
    server, _ = anonymous
    port = urlsplit(server.url).port
    rebound = httpx.get(f"{server.url}/api/v1/search", headers={"host": f"evil.example:{port}"})
    assert rebound.status_code == 400 and rebound.json()["error"] == "UnknownHost"
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert httpx.get(f"{server.url}/api/v1/search", headers={"host": host}).status_code == 200
    probe = httpx.get(f"{server.url}/healthz", headers={"host": "10.1.2.3:8000"})
    assert probe.status_code == 200


def test_x_forwarded_for_is_not_believed_by_default(anonymous: tuple[RunningServer, Path]) -> None:
    server, data = anonymous
    answer = httpx.post(
        f"{server.url}/api/v1/events",
        json={"event": _dataset("forwarded")},
        headers={"x-forwarded-for": "203.0.113.9"},
    )
    assert answer.status_code == 200, answer.text
    seq = answer.json()["receipts"][0]["seq"]
    with sqlite3.connect(f"file:{data / 'events.sqlite'}?mode=ro", uri=True) as log:
        (actor,) = log.execute("SELECT actor FROM events WHERE seq = ?", (seq,)).fetchone()
    assert actor == "anonymous@127.0.0.1"


def test_slow_headers_are_cut_off(locked: tuple[RunningServer, Path]) -> None:
    server, _ = locked
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=2) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        received = b""
        for number in range(40):  # a header line every 0.25 s: would hold the connection forever
            try:
                sock.sendall(f"X-Slow-{number}: 1\r\n".encode())
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.25)
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    assert received.startswith(b"HTTP/1.1 408"), received[:200]


def test_slow_bodies_are_cut_off(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    token = _bearer(data, "slow-body", Role.PRODUCER)["Authorization"]
    head = _head(
        server,
        "/api/v1/events",
        "Content-Type: application/json",
        "Content-Length: 1000",
        f"Authorization: {token}",
    )
    answer = _raw(server, head, b'{"event": ')  # ... and the other 990 bytes never come
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_a_corrupt_token_file_fails_closed_without_paths(
    locked: tuple[RunningServer, Path],
) -> None:
    server, data = locked
    headers = _bearer(data, "before-corruption", Role.ADMIN)
    tokens = data / TOKENS_FILE
    kept = tokens.read_text()
    try:
        tokens.write_text("{ this is not json")
        for method, path, body in (
            ("GET", "/api/v1/search", None),
            ("POST", "/api/v1/events", {"event": _dataset("while-corrupt")}),
            ("POST", "/graphql", {"query": "{ __typename }"}),
        ):
            answer = httpx.request(method, f"{server.url}{path}", json=body, headers=headers)
            assert answer.status_code == 503, (path, answer.text)
            assert str(data) not in answer.text and "/" not in answer.json()["detail"]
            assert answer.json()["error"] == "TokenStoreUnavailableError"
    finally:
        tokens.write_text(kept)
    assert httpx.get(f"{server.url}/api/v1/search", headers=headers).status_code == 200


# --- authorization per event type ---------------------------------------------------------------


def test_each_event_type_needs_its_role(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    producer = _bearer(data, "etl", Role.PRODUCER)
    steward = _bearer(data, "curator", Role.STEWARD)
    admin = _bearer(data, "root", Role.ADMIN)
    feature = "urn:provgraph:feature:rider_risk:avg_fare"
    curation: list[dict[str, Any]] = [
        {"type": "classification.changed", "urn": feature, "tag": "pii", "present": False},
        {"type": "feature.status_changed", "urn": feature, "status": "certified"},
        {"type": "asset.described", "urn": feature, "description": "forged"},
        {"type": "asset.owners_assigned", "urn": feature, "owners": ["mallory"]},
        _dataset("owned", owners=["mallory"]),
        _dataset("tagged", fields=[{"name": "c", "classifications": ["consent:marketing"]}]),
    ]
    for event in curation:
        event = {"event_time": "2026-05-01T00:00:00Z", **event}
        batch = [{"event": _dataset("fine")}, {"event": event}]
        answer = httpx.post(f"{server.url}/api/v1/events", json=batch, headers=producer)
        assert answer.status_code == 403, (event["type"], answer.text)
        assert answer.json()["position"] == 1
    plain = httpx.post(
        f"{server.url}/api/v1/events", json={"event": _dataset("plain")}, headers=producer
    )
    assert plain.status_code == 200, plain.text
    certify = {
        "event": {
            "type": "feature.status_changed",
            "event_time": "2026-05-01T00:00:00Z",
            "urn": feature,
            "status": "certified",
        }
    }
    assert (
        httpx.post(f"{server.url}/api/v1/events", json=certify, headers=steward).status_code == 200
    )
    forged = {
        "event": {
            "type": "policy.decided",
            "event_time": "2026-05-01T00:00:00Z",
            "decision_id": str(uuid.uuid4()),
            "action": "train",
            "purpose": "advertising",
            "principal": "mallory",
            "allow": True,
            "bundle_revision": "sha256:forged",
            "input_digest": "sha256:forged",
            "engine": "forged",
        }
    }
    for headers in (producer, steward, admin):
        answer = httpx.post(f"{server.url}/api/v1/events", json=forged, headers=headers)
        assert answer.status_code == 403 and "policy gate only" in answer.json()["detail"]


def test_openlineage_curation_facets_need_the_steward_role(
    locked: tuple[RunningServer, Path],
) -> None:
    server, data = locked
    producer = _bearer(data, "ol-producer", Role.PRODUCER)
    steward = _bearer(data, "ol-steward", Role.STEWARD)

    def dataset_event(facets: dict[str, Any]) -> dict[str, Any]:
        return {
            "eventTime": "2026-05-01T00:00:00Z",
            "producer": "https://example.com/p",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
            "dataset": {"namespace": "ol", "name": "t", "facets": facets},
        }

    def post(event: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{server.url}/api/v1/lineage", json=event, headers=headers)

    tags = {"tags": {"tags": [{"key": "pii", "value": "true"}]}}
    ownership = {"ownership": {"owners": [{"name": "mallory"}]}}
    for facets in (tags, ownership):
        assert post(dataset_event(facets), producer).status_code == 403
        assert post(dataset_event(facets), steward).status_code == 201
    assert post(dataset_event({}), producer).status_code == 201


def test_strict_moments_and_flags(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    reader = _bearer(data, "strict-reader", Role.READER)
    steward = _bearer(data, "strict-steward", Role.STEWARD)
    for value in ("0.5", "1700000000", "-3"):
        answer = httpx.get(
            f"{server.url}/api/v1/search", params={"updated_after": value}, headers=reader
        )
        assert answer.status_code == 422, (value, answer.text)
    ok = httpx.get(
        f"{server.url}/api/v1/search",
        params={"updated_after": "2026-01-01T00:00:00+00:00"},
        headers=reader,
    )
    assert ok.status_code == 200
    flag = {
        "event": {
            "type": "classification.changed",
            "event_time": "2026-05-01T00:00:00Z",
            "urn": "urn:provgraph:feature:rider_risk:avg_fare",
            "tag": "pii",
            "present": 0,
        }
    }
    assert httpx.post(f"{server.url}/api/v1/events", json=flag, headers=steward).status_code == 422
    numeric_time = {"event": {**_dataset("numeric-time"), "event_time": 0.5}}
    answer = httpx.post(f"{server.url}/api/v1/events", json=numeric_time, headers=steward)
    assert answer.status_code == 422


# --- GraphQL: body shapes, GET, cost, response cap ----------------------------------------------


def test_graphql_bodies_that_are_not_objects_get_400(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    headers = {**_bearer(data, "shapes", Role.READER), "content-type": "application/json"}
    for body in ("null", "42", '"x"', "[]", "true"):
        answer = httpx.post(f"{server.url}/graphql", content=body, headers=headers)
        assert answer.status_code == 400, (body, answer.text)


def test_get_never_writes(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    headers = _bearer(data, "getter", Role.ADMIN)

    def decisions() -> int:
        body = httpx.post(
            f"{server.url}/graphql",
            json={"query": "{ nodes(kind: POLICY_DECISION) { total } }"},
            headers=headers,
        ).json()
        return int(body["data"]["nodes"]["total"])

    before = decisions()
    attempts = [
        "{ complianceReport { subject } }",
        "mutation { complianceReport { subject } }",
        '{ featureUse(input: {action: "train", purpose: "fraud", features: []}) { __typename } }',
        'mutation { featureUse(input: {action: "train", purpose: "fraud", features: []}) '
        "{ __typename } }",
    ]
    for query in attempts:
        answer = httpx.get(f"{server.url}/graphql", params={"query": query}, headers=headers)
        assert answer.status_code != 200 or answer.json().get("errors"), (query, answer.text)
    assert decisions() == before
    posted = httpx.post(
        f"{server.url}/graphql",
        json={"query": "mutation { complianceReport { subject decisionUrn } }"},
        headers=headers,
    ).json()
    assert posted["data"]["complianceReport"] and decisions() > before


def test_costly_queries_are_refused_before_running(locked: tuple[RunningServer, Path]) -> None:
    server, data = locked
    headers = _bearer(data, "costly", Role.READER)
    inner = "datasetVersion { columns { " * 4 + "name" + " } }" * 4
    selection = f"items {{ ... on Column {{ name {inner} }} }}"
    query = (
        "{ "
        + " ".join(f"a{i}: nodes(kind: COLUMN, first: 500) {{ {selection} }}" for i in range(30))
        + " }"
    )
    answer = httpx.post(f"{server.url}/graphql", json={"query": query}, headers=headers)
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert error["extensions"]["estimatedCost"] > 1_000_000


def test_responses_over_the_cap_are_replaced_by_an_error(
    locked: tuple[RunningServer, Path],
) -> None:
    server, data = locked
    headers = _bearer(data, "big", Role.READER)
    page = "nodes(kind: COLUMN, first: 500) { items { urn createdAt ... on Column { name type } } }"
    query = "{ " + " ".join(f"a{i}: {page}" for i in range(8)) + " }"
    answer = httpx.post(f"{server.url}/graphql", json={"query": query}, headers=headers)
    assert answer.status_code == 200 and len(answer.content) < 20_000
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "RESPONSE_TOO_LARGE"
    small = httpx.post(
        f"{server.url}/graphql",
        json={"query": "{ nodes(kind: COLUMN, first: 2) { total } }"},
        headers=headers,
    )
    assert small.json()["data"]["nodes"]["total"] > 0


def test_a_query_past_its_deadline_is_stopped(tmp_path: Path) -> None:
    env = {"PROVGRAPH_GRAPHQL_DEADLINE_S": "0.000001"}
    with serving(tmp_path / "data", "--demo", env=env) as server:
        query = "{ nodes(kind: DATASET) { items { urn } } }"  # awaits its loader: stops there
        body = httpx.post(f"{server.url}/graphql", json={"query": query}).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "DEADLINE_EXCEEDED"
        assert httpx.get(f"{server.url}/healthz").status_code == 200
