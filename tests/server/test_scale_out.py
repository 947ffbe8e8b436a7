"""Two `provgraph serve` processes over one PostgreSQL log and one Bolt graph store (ArcadeDB).

Real parts only: the servers are subprocesses, PostgreSQL and ArcadeDB run on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from provgraph.catalog.log.postgresql import PostgresEventLog
from provgraph.catalog.model.events import ColumnRef, FeatureDefined
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.writer import EventWriter
from provgraph.catalog.store.ladybug.adapter import LadybugStore
from provgraph.catalog.store.neo4j.adapter import Neo4jStore
from provgraph.client import Client
from tests.catalog.openlineage.support import dataset, run_event
from tests.support.arcadedb import BoltServer
from tests.support.dump import dump
from tests.support.events import at
from tests.support.events import dataset as dataset_event
from tests.support.server import RunningServer, start, stop

NAMESPACE = "warehouse"


def _bolt(server: BoltServer) -> Neo4jStore:
    return Neo4jStore(
        server.uri, user=server.user, password=server.password, database=server.database
    )


@pytest.fixture
def shared_env(postgres_url: str, arcadedb: BoltServer) -> Iterator[dict[str, str]]:
    """One fresh PostgreSQL database and the (emptied) ArcadeDB database, for every server."""
    store = _bolt(arcadedb)
    store.initialize()
    store.clear()
    store.close()
    yield {
        "PROVGRAPH_LOG": postgres_url,
        "PROVGRAPH_STORE": arcadedb.uri,
        "PROVGRAPH_NEO4J_USER": arcadedb.user,
        "PROVGRAPH_NEO4J_PASSWORD": arcadedb.password,
        "PROVGRAPH_NEO4J_DATABASE": arcadedb.database,
        "PROVGRAPH_APPLIER_LEASE_S": "2",
        "PROVGRAPH_READ_WAIT_S": "5",
    }


def _ready(server: RunningServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{server.url}/readyz", timeout=10).json()
    return body


def _applier_first(servers: list[RunningServer], timeout: float = 20.0) -> list[RunningServer]:
    """The servers, the one holding the applier lease first (waits until one holds it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holding = [s for s in servers if _ready(s).get("applier")]
        if len(holding) == 1:
            return holding + [s for s in servers if s is not holding[0]]
        time.sleep(0.2)
    raise AssertionError("no single server took the applier lease")


def _write(server: RunningServer, number: int) -> int:
    event = run_event(
        ("etl", f"clean-{number}"),
        inputs=[dataset(NAMESPACE, f"raw_{number}")],
        outputs=[dataset(NAMESPACE, f"clean_{number}")],
    )
    response = httpx.post(f"{server.url}/api/v1/lineage", json=event, timeout=30)
    assert response.status_code == 201, response.text
    seq: int = response.json()["seq"]
    return seq


def _upstream(server: RunningServer, number: int, **params: Any) -> httpx.Response:
    return _upstream_of(server, f"clean_{number}", **params)


def _upstream_of(server: RunningServer, name: str, **params: Any) -> httpx.Response:
    urn = f"urn:provgraph:dataset:{NAMESPACE}:{name}"
    return httpx.get(f"{server.url}/api/v1/lineage", params={"urn": urn, **params}, timeout=30)


@pytest.fixture
def two_servers(tmp_path: Path, shared_env: dict[str, str]) -> Iterator[list[RunningServer]]:
    servers = [start(tmp_path / name, env=shared_env) for name in ("a", "b")]
    try:
        yield _applier_first(servers)
    finally:
        for server in servers:
            if server.process.poll() is None:
                stop(server)


def test_a_write_through_one_server_is_read_through_the_other_with_min_seq(
    two_servers: list[RunningServer],
) -> None:
    applier, follower = two_servers
    for number, (writer, reader) in enumerate([(follower, applier), (applier, follower)]):
        seq = _write(writer, number)
        answer = _upstream(reader, number, min_seq=seq)
        assert answer.status_code == 200, answer.text
        assert answer.json()["seq"] >= seq
        assert int(answer.headers["x-provgraph-seq"]) >= seq
        upstream = {node["urn"] for node in answer.json()["nodes"]}
        assert f"urn:provgraph:dataset:{NAMESPACE}:raw_{number}" in upstream
        found = httpx.get(
            f"{reader.url}/api/v1/search", params={"q": f"clean_{number}", "min_seq": seq}
        )
        assert found.status_code == 200, found.text
        assert any(f"clean_{number}" in hit["urn"] for hit in found.json()["hits"])
    ready = _ready(follower)
    assert ready["applier"] is False and ready["index_seq"] == ready["logged_seq"] == 2
    assert ready["lag_events"] == 0
    metrics = httpx.get(f"{follower.url}/metrics").text
    assert "provgraph_index_lag_events 0.0" in metrics
    assert "provgraph_applier 0.0" in metrics


def test_the_client_reads_its_own_write_on_another_server_and_graphql_says_its_seq(
    two_servers: list[RunningServer],
) -> None:
    applier, follower = two_servers
    event = run_event(
        ("etl", "client"),
        inputs=[dataset(NAMESPACE, "raw_c")],
        outputs=[dataset(NAMESPACE, "clean_c")],
    )
    with Client(follower.url) as writer:
        written = writer.send_openlineage(event)
        assert written.seq >= 1 and writer.min_seq == written.seq
    with Client(applier.url) as reader:
        reader.min_seq = written.seq  # the writer's seq, handed over
        upstream = reader.lineage(f"urn:provgraph:dataset:{NAMESPACE}:clean_c")
        assert upstream.seq >= written.seq
        assert f"urn:provgraph:dataset:{NAMESPACE}:raw_c" in {n.urn for n in upstream.nodes}
        data = reader.graphql(
            "query($urn: ID!) { lineage(urn: $urn) { ... on LineageGraph { seq nodes { urn } } } }",
            {"urn": f"urn:provgraph:dataset:{NAMESPACE}:clean_c"},
        )
        assert data["lineage"]["seq"] >= written.seq
    ahead = httpx.post(
        f"{applier.url}/graphql",
        params={"min_seq": written.seq + 1000},
        json={"query": "{ __typename }"},
        timeout=30,
    )
    assert ahead.status_code == 503 and ahead.json()["seq"] >= written.seq


def _events(server: RunningServer, *events: Any) -> httpx.Response:
    body = [{"event": event.model_dump(mode="json")} for event in events]
    return httpx.post(f"{server.url}/api/v1/events", json=body, timeout=30)


def test_a_write_naming_what_was_just_written_through_the_other_server_is_accepted(
    two_servers: list[RunningServer],
) -> None:
    applier, follower = two_servers
    for number in range(5):  # the follower has not applied the dataset yet when it is asked
        table = f"orders_{number}"
        assert _events(applier, dataset_event(table, "id", "amount")).status_code == 200
        feature = FeatureDefined(
            event_time=at(3),
            group="g",
            name=f"amount_{number}",
            transformation="sum(amount)",
            sources=[ColumnRef(namespace="db", name=table, field="amount")],
        )
        answer = _events(follower, feature)
        assert answer.status_code == 200, answer.text


def test_a_min_seq_not_reached_in_time_answers_503_with_the_current_seq(
    tmp_path: Path, shared_env: dict[str, str]
) -> None:
    server = start(tmp_path / "a", env={**shared_env, "PROVGRAPH_READ_WAIT_S": "0.5"})
    try:
        seq = _write(server, 1)
        answer = _upstream(server, 1, min_seq=seq + 1000)
        assert answer.status_code == 503
        assert answer.json()["error"] == "NotCaughtUpError"
        assert answer.json()["seq"] == seq
    finally:
        stop(server)


def _stream(servers: list[RunningServer], stop_at: threading.Event, acked: dict[int, int]) -> None:
    """Write one event at a time, alternating servers; remember every acknowledged one."""
    number = 0
    while not stop_at.is_set():
        server = servers[number % len(servers)]
        if server.process.poll() is None:
            with contextlib.suppress(httpx.TransportError, AssertionError):
                acked[number] = _write(server, number)  # the killed one's: not acknowledged
        number += 1


def test_killing_the_applier_hands_over_and_every_acknowledged_event_is_applied_once(
    tmp_path: Path, two_servers: list[RunningServer], postgres_url: str, arcadedb: BoltServer
) -> None:
    applier, follower = two_servers
    acked: dict[int, int] = {}
    stop_at = threading.Event()
    writer = threading.Thread(target=_stream, args=(two_servers, stop_at, acked))
    writer.start()
    try:
        time.sleep(2)
        applier.process.send_signal(signal.SIGKILL)
        applier.process.wait()
        killed_at = time.monotonic()
        deadline = killed_at + 30
        while not _ready(follower).get("applier"):
            assert time.monotonic() < deadline, "the follower did not take the lease over"
            time.sleep(0.1)
        took_over_s = time.monotonic() - killed_at
        time.sleep(2)  # writes keep streaming through the new applier
    finally:
        stop_at.set()
        writer.join()
    assert took_over_s < 10
    assert len(acked) > 10
    last = max(acked.values())
    caught_up = _upstream(follower, max(acked), min_seq=last)
    assert caught_up.status_code == 200, caught_up.text
    for number, seq in acked.items():  # every acknowledged write, exactly once in the log
        with psycopg.connect(postgres_url) as conn:
            rows = conn.execute(
                "SELECT seq FROM provgraph_events WHERE payload LIKE %s",
                (f'%"clean-{number}"%',),
            ).fetchall()
        assert [row[0] for row in rows] == [seq], number
    deadline = time.monotonic() + 30
    while (ready := _ready(follower))["applied_seq"] < ready["logged_seq"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    shared = _bolt(arcadedb)
    rebuilt = LadybugStore(tmp_path / "rebuilt.lbug")
    rebuilt.initialize()
    log = PostgresEventLog(postgres_url)
    replay = EventWriter(log, rebuilt, LineageIndex())
    try:
        replay.recover()
        assert dump(shared) == dump(rebuilt)  # the graph holds every event exactly once
    finally:
        replay.close()
        log.close()
        rebuilt.close()
        shared.close()


def test_a_killed_follower_restarted_catches_up_from_the_store_and_the_feed(
    tmp_path: Path, two_servers: list[RunningServer], shared_env: dict[str, str]
) -> None:
    applier, follower = two_servers
    _write(follower, 0)
    follower.process.send_signal(signal.SIGKILL)
    follower.process.wait()
    last = max(_write(applier, number) for number in range(1, 6))  # while it is down
    port = int(follower.url.rsplit(":", 1)[1])
    restarted = start(tmp_path / "b", env=shared_env, port=port)
    two_servers[1] = restarted  # stopped by the fixture
    for number in range(6):
        answer = _upstream(restarted, number, min_seq=last)
        assert answer.status_code == 200, answer.text
        assert f"urn:provgraph:dataset:{NAMESPACE}:raw_{number}" in {
            node["urn"] for node in answer.json()["nodes"]
        }
    found = httpx.get(f"{restarted.url}/api/v1/search", params={"q": "clean_5", "min_seq": last})
    assert any("clean_5" in hit["urn"] for hit in found.json()["hits"])
    assert _ready(restarted)["applier"] is False


def test_the_same_events_sent_through_both_servers_at_once_are_logged_once(
    two_servers: list[RunningServer], postgres_url: str
) -> None:
    events = [
        run_event(
            ("etl", f"same-{number}"),
            run_id=f"00000000-0000-4000-8000-{number:012d}",
            inputs=[dataset(NAMESPACE, f"in_{number}")],
            outputs=[dataset(NAMESPACE, f"out_{number}")],
        )
        for number in range(20)
    ]
    answers: dict[str, list[int]] = {}

    def send(server: RunningServer) -> None:
        answers[server.url] = [
            httpx.post(f"{server.url}/api/v1/lineage", json=event, timeout=30).status_code
            for event in events
        ]

    senders = [threading.Thread(target=send, args=(server,)) for server in two_servers]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert all(code == 201 for codes in answers.values() for code in codes), answers
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, count(*) FROM provgraph_events GROUP BY idempotency_key"
        ).fetchall()
        total = conn.execute("SELECT count(*), max(seq) FROM provgraph_events").fetchone()
    assert all(count == 1 for _, count in rows)
    assert total is not None and total[0] == total[1]  # one order: seqs 1..n, no gaps
    last = int(total[1])
    for server in two_servers:  # both servers reflect the one order
        answer = _upstream_of(server, "out_19", min_seq=last)
        assert answer.status_code == 200 and answer.json()["seq"] >= last


def _token(data: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "token", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_a_revoked_token_is_refused_by_every_server(
    tmp_path: Path, shared_env: dict[str, str]
) -> None:
    servers = [start(tmp_path / name, env=shared_env, anonymous=None) for name in ("a", "b")]
    try:
        created = _token(tmp_path / "a", shared_env, "create", "ci", "--role", "reader")
        assert created.returncode == 0, created.stderr
        headers = {"Authorization": f"Bearer {created.stdout.strip()}"}
        for server in servers:
            answer = httpx.get(f"{server.url}/api/v1/search?q=x", headers=headers)
            assert answer.status_code == 200, answer.text
        assert _token(tmp_path / "a", shared_env, "revoke", "ci").returncode == 0
        for server in servers:
            assert httpx.get(f"{server.url}/api/v1/search?q=x", headers=headers).status_code == 401
    finally:
        for server in servers:
            stop(server)
