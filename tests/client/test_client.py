"""`provgraph.client` against the real server (`provgraph serve` in a subprocess)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from provgraph.catalog.access import FileTokenStore, Role
from provgraph.catalog.model.events import (
    ColumnRef,
    DatasetRegistered,
    FeatureDefined,
    FieldSpec,
)
from provgraph.client import (
    AuthenticationError,
    BadRequestError,
    Client,
    FeatureUseDeniedError,
    GraphQLError,
    NotFoundError,
    PermissionDeniedError,
    RejectedError,
    Retry,
    Submission,
    TransportError,
    UnavailableError,
)
from tests.support.http_peer import http_peer
from tests.support.ports import free_port
from tests.support.server import RunningServer, serving

DEPLOYMENT = "urn:provgraph:deployment:production:fraud-detector"
PICKUP = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
FAST = Retry(attempts=3, backoff=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path]]:
    data = tmp_path_factory.mktemp("client") / "data"
    with serving(data, "--demo", anonymous=None) as running:
        yield running, data


def _token(data: Path, role: Role) -> str:
    return FileTokenStore(data / "tokens.json").create(f"{role.label}-{uuid.uuid4().hex[:8]}", role)


@pytest.fixture(scope="module")
def admin(server: tuple[RunningServer, Path]) -> Iterator[Client]:
    running, data = server
    with Client(running.url, token=_token(data, Role.ADMIN), retry=FAST) as client:
        yield client


def _orders(name: str, *, day: int = 1) -> DatasetRegistered:
    return DatasetRegistered(
        event_time=datetime(2026, 4, day, tzinfo=UTC),
        namespace="postgres://client-test",
        name=name,
        fields=[
            FieldSpec(name="id", type="bigint"),
            FieldSpec(name="email", type="text", classifications=["pii.email"]),
        ],
    )


def test_events_are_submitted_once_and_resends_are_duplicates(admin: Client) -> None:
    event = _orders("public.orders")
    first = admin.submit(event)
    assert (first.accepted, first.duplicates) == (1, 0)
    again = admin.submit([Submission(event)])
    assert (again.accepted, again.duplicates) == (0, 1)
    assert again.receipts[0].idempotency_key == first.receipts[0].idempotency_key
    node = admin.node("urn:provgraph:dataset:postgres%3A//client-test:public.orders")
    assert node.kind == "dataset" and node.props["name"] == "public.orders"
    assert node.created_at.tzinfo is not None and node.created_at.year >= 2026


def test_a_batch_sends_in_chunks_and_the_rest_on_exit(admin: Client) -> None:
    with admin.batch(size=2) as batch:
        for number in range(5):
            batch.add(_orders(f"public.batch_{number}"))
        assert batch.pending == 1 and len(batch.receipts) == 4
    assert batch.pending == 0 and len(batch.receipts) == 5
    assert not any(receipt.duplicate for receipt in batch.receipts)


def test_a_rejected_event_is_a_typed_error_naming_its_position(admin: Client) -> None:
    bad = FeatureDefined(
        event_time=datetime(2026, 4, 2, tzinfo=UTC),
        group="client",
        name="ghost",
        transformation="identity",
        sources=[ColumnRef(namespace="nowhere", name="none", field="x")],
    )
    with pytest.raises(RejectedError) as caught:
        admin.submit([_orders("public.fine"), bad])
    assert caught.value.status == 422 and caught.value.position == 1
    assert caught.value.error and "nowhere" in caught.value.detail
    with pytest.raises(NotFoundError):  # atomic: the good event of the batch was not stored
        admin.node("urn:provgraph:dataset:postgres%3A//client-test:public.fine")


def test_openlineage_events_are_sent_and_resends_change_nothing(admin: Client) -> None:
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-04-03T00:00:00Z",
        "producer": "https://example.com/client-test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "client-test", "name": "copy_orders"},
        "inputs": [{"namespace": "postgres://client-test", "name": "public.orders"}],
        "outputs": [{"namespace": "s3://client-test", "name": "orders_copy"}],
    }
    first = admin.send_openlineage(event)
    assert first.received == 1 and first.catalog_events >= 1 and first.duplicates == 0
    again = admin.send_openlineage([event])
    assert again.duplicates == again.catalog_events
    upstream = admin.lineage("urn:provgraph:dataset:s3%3A//client-test:orders_copy", depth=4)
    assert "urn:provgraph:job:client-test:copy_orders" in {n.urn for n in upstream.nodes}


def test_lineage_impact_and_paths_as_of_a_moment(admin: Client) -> None:
    now = admin.lineage(DEPLOYMENT, depth=3)
    february = admin.lineage(DEPLOYMENT, depth=3, as_of=datetime(2026, 2, 1, tzinfo=UTC))
    assert now.root == DEPLOYMENT and now.edges and now.partial_reasons == ["depth"]
    assert {n.urn for n in now.nodes} != {n.urn for n in february.nodes}
    assert february.as_of == datetime(2026, 2, 1, tzinfo=UTC)
    served = admin.lineage(DEPLOYMENT, depth=1, edge_kinds=["SERVES"], include_edges=False)
    assert served.edges is None and {n.kind for n in served.nodes} <= {
        "deployment",
        "model-version",
    }
    impact = admin.impact(PICKUP)
    assert DEPLOYMENT in {d.urn for d in impact.deployments}
    paths = admin.paths(DEPLOYMENT, PICKUP)
    assert (
        paths
        and paths[0].nodes[0] == DEPLOYMENT
        and paths[0].nodes[-1].startswith("urn:provgraph:feature")
    )
    traces = admin.classifications(DEPLOYMENT)
    assert any(t.tag == "pii.location" and t.inherited for t in traces)
    with pytest.raises(ValueError, match="timezone"):
        admin.lineage(DEPLOYMENT, as_of=datetime(2026, 2, 1))


def test_search_with_filters_and_a_cursor(admin: Client) -> None:
    page = admin.search("fare", kinds=["feature"], first=1)
    assert page.total >= 1 and len(page.hits) == 1 and page.hits[0].kind == "feature"
    assert "kind" in page.facets
    if page.total > 1:
        assert page.next_cursor is not None
        following = admin.search("fare", kinds=["feature"], first=1, after=page.next_cursor)
        assert following.hits[0].urn != page.hits[0].urn


def test_feature_use_is_decided_recorded_and_required(admin: Client) -> None:
    denied = admin.check_feature_use(action="train", purpose="advertising", features=[PICKUP])
    assert denied.allow is False and any("pii" in reason for reason in denied.deny)
    assert denied.explanations[PICKUP][0].tag == "pii.location"
    recorded = admin.node(denied.decision_urn)
    assert recorded.kind == "policy-decision" and recorded.props["allow"] is False
    with pytest.raises(FeatureUseDeniedError) as caught:
        admin.require_feature_use(action="train", purpose="advertising", features=[PICKUP])
    assert caught.value.reasons == denied.deny
    with pytest.raises(RejectedError):
        admin.check_feature_use(action="train", purpose="fraud_detection", features=["nope"])


def test_graphql_data_and_errors(admin: Client) -> None:
    data = admin.graphql("query($urn: ID!) { node(urn: $urn) { urn kind } }", {"urn": DEPLOYMENT})
    assert data["node"] == {"urn": DEPLOYMENT, "kind": "DEPLOYMENT"}
    with pytest.raises(GraphQLError) as caught:
        admin.graphql("{ noSuchField }")
    assert "noSuchField" in str(caught.value)


def test_health_and_readiness(admin: Client) -> None:
    assert admin.health() is True
    ready = admin.ready()
    assert ready.ready and ready.applied_seq == ready.logged_seq and ready.store == "ladybug"


def test_errors_are_typed_by_status(server: tuple[RunningServer, Path], admin: Client) -> None:
    running, data = server
    with pytest.raises(NotFoundError) as missing:
        admin.node("urn:provgraph:dataset:nowhere:nothing")
    assert (
        missing.value.status == 404 and missing.value.urn == "urn:provgraph:dataset:nowhere:nothing"
    )
    with pytest.raises(BadRequestError):
        admin.lineage("urn:provgraph:bogus:x")
    with Client(running.url, retry=FAST) as anonymous, pytest.raises(AuthenticationError):
        anonymous.lineage(DEPLOYMENT)
    with (
        Client(running.url, token="wrong", retry=FAST) as wrong,
        pytest.raises(AuthenticationError),
    ):
        wrong.node(DEPLOYMENT)
    reader = _token(data, Role.READER)
    with Client(running.url, token=reader, retry=FAST) as client:
        assert client.node(DEPLOYMENT).urn == DEPLOYMENT
        with pytest.raises(PermissionDeniedError) as forbidden:
            client.submit(_orders("public.forbidden"))
        assert forbidden.value.status == 403


def test_url_and_token_default_to_the_environment(
    server: tuple[RunningServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    running, data = server
    monkeypatch.setenv("PROVGRAPH_URL", running.url + "/")
    monkeypatch.setenv("PROVGRAPH_TOKEN", _token(data, Role.READER))
    with Client(retry=FAST) as client:
        assert client.url == running.url
        assert client.node(DEPLOYMENT).kind == "deployment"


def test_an_unreachable_server_is_a_transport_error_after_retries() -> None:
    with Client(f"http://127.0.0.1:{free_port()}", retry=FAST) as client:
        with pytest.raises(TransportError):
            client.lineage(DEPLOYMENT)
        with pytest.raises(TransportError):
            client.check_feature_use(action="train", purpose="x", features=[PICKUP])


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first `failures` requests, then 200 — a server coming up."""

    failures = 2
    seen: list[str] = []

    def _answer(self) -> None:
        type(self).seen.append(f"{self.command} {self.path}")
        if len(type(self).seen) <= type(self).failures:
            body, status = b'{"error": "StoreUnavailableError", "detail": "warming up"}', 503
        else:
            body, status = b'{"status": "ok"}', 200
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    _Flaky.seen = []
    with http_peer(_Flaky) as url:
        yield url


def test_idempotent_calls_are_retried_on_503_others_are_not(flaky: str) -> None:
    with Client(flaky, retry=FAST) as client:
        assert client.health() is True
        assert len(_Flaky.seen) == 3
    _Flaky.seen = []
    with Client(flaky, retry=FAST) as client, pytest.raises(UnavailableError) as caught:
        client.check_feature_use(action="train", purpose="x", features=[PICKUP])
    assert len(_Flaky.seen) == 1 and caught.value.detail == "warming up"
    _Flaky.seen = []
    with (
        Client(flaky, retry=Retry(attempts=2, backoff=0.01)) as client,
        pytest.raises(UnavailableError),
    ):
        client.health()
    assert len(_Flaky.seen) == 2
