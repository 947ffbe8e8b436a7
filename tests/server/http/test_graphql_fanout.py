"""Issue 16 item 2, over HTTP on a real server: the fan-out probe (30 aliases of `columns
{ upstream downstream }` over a 10,000-column dataset) is priced by the real column count and
refused before it runs; the largest one the budget admits (14 aliases, minutes of work) is
stopped at the deadline; and while two of those run, a cheap query and /healthz answer before
either of them has (a share of the GraphQL threads is kept for cheap queries)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.events import wide_dataset_json
from tests.support.server import RunningServer, serving

COLUMNS = 10_000
LIMITS = {"PROVGRAPH_GRAPHQL_DEADLINE_S": "10"}
ADMITTED = 14
"""Aliases of the largest probe the default budget admits: 14 x 70,002 estimated values."""
ALIAS = "latestVersion { columns { upstream { urn } downstream { urn } } }"


def probe(aliases: int) -> str:
    selected = " ".join(f"a{i}: {ALIAS}" for i in range(aliases))
    return f'{{ dataset(namespace: "probe", name: "wide") {{ {selected} }} }}'


def _post(server: RunningServer, query: str) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=120)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server holding one dataset of 10,000 columns, two of them with column lineage."""
    data = tmp_path_factory.mktemp("fanout") / "data"
    with serving(data, env=LIMITS) as server:
        event = wide_dataset_json("probe", "wide", COLUMNS)
        posted = httpx.post(f"{server.url}/api/v1/events", json=event, timeout=120)
        assert posted.status_code == 200, posted.text
        columns = [
            _post(server, f'{{ node(urn: "urn:provgraph:column:probe:wide#c{i}") {{ urn }} }}')[
                "data"
            ]["node"]["urn"]
            for i in range(3)
        ]
        declared = [
            {
                "type": "lineage.declared",
                "event_time": "2026-05-01T00:00:01Z",
                "downstream": columns[i + 1],
                "upstream": columns[i],
            }
            for i in range(2)
        ]
        posted = httpx.post(f"{server.url}/api/v1/events", json=declared, timeout=60)
        assert posted.status_code == 200, posted.text
        yield server


def test_the_probe_is_priced_by_the_real_column_count_and_refused(wide: RunningServer) -> None:
    body = _post(wide, probe(30))
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "COST_LIMIT"
    # each of the 30 aliases is priced at the version's 10,000 columns, not a typical 50
    assert error["extensions"]["estimatedCost"] >= 30 * COLUMNS * 3


def test_an_admitted_fan_out_stops_at_the_deadline(wide: RunningServer) -> None:
    body = _post(wide, probe(ADMITTED))
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["DEADLINE_EXCEEDED"]


def test_cheap_queries_and_health_answer_while_two_fan_outs_run(wide: RunningServer) -> None:
    answers: list[dict[str, Any]] = []
    started = threading.Barrier(3)

    def fan_out() -> None:
        started.wait()
        answers.append(_post(wide, probe(ADMITTED)))

    costly = [threading.Thread(target=fan_out) for _ in range(2)]
    for thread in costly:
        thread.start()
    try:
        started.wait()
        cheap = _post(wide, '{ dataset(namespace: "probe", name: "wide") { name } }')
        healthy = httpx.get(f"{wide.url}/healthz", timeout=60).status_code
        # answered while both fan-outs were still running: neither had answered yet
        assert answers == []
        assert cheap == {"data": {"dataset": {"name": "wide"}}}
        assert healthy == 200
    finally:
        for thread in costly:
            thread.join()
    assert len(answers) == 2
    for answer in answers:
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["DEADLINE_EXCEEDED"]
