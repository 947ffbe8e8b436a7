"""OpenLineage's `symlinks` facet, over HTTP against the real server: a table seen by its path
and by its name is one dataset. Lookups by either (namespace, name) find it (GraphQL's
OpenLineage-name lookup, REST, search), and lineage written under either name joins on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provgraph.catalog.model.urn import Urn
from tests.catalog.openlineage.support import dataset, gql, post, run_event, warnings
from tests.support.server import RunningServer, serving

PATH = ("hdfs://namenode", "/warehouse/fin.db/le_2026")
TABLE = ("hive://metastore:9083", "finance.ledger_entries")
SCHEMA = {"fields": [{"name": "id", "type": "int"}, {"name": "amount", "type": "double"}]}


def _symlinks(*names: tuple[str, str]) -> dict[str, Any]:
    return {"identifiers": [{"namespace": ns, "name": n, "type": "TABLE"} for ns, n in names]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("symlinks") / "data") as running:
        writer = run_event(
            ("spark", "load_ledger"),
            outputs=[dataset(*PATH, schema=SCHEMA, symlinks=_symlinks(TABLE))],
        )
        lineage = {
            "fields": {
                "total": {
                    "inputFields": [{"namespace": TABLE[0], "name": TABLE[1], "field": "amount"}]
                }
            }
        }
        reader = run_event(  # another producer names the table, not the path
            ("airflow", "report_ledger"),
            time="2026-05-01T11:00:00Z",
            inputs=[dataset(*TABLE, schema=SCHEMA)],
            outputs=[dataset("pg", "ledger_report", columnLineage=lineage)],
        )
        for event in (writer, reader):
            response = post(running, event)
            assert warnings(response) == [], response.text
        yield running


def _dataset(server: RunningServer, name: tuple[str, str]) -> Any:
    query = """query($n: String!, $m: String!) { dataset(namespace: $n, name: $m) {
        urn namespace name aliases { namespace name type }
        consumers { name } versions { urn } } }"""
    return gql(server, query, n=name[0], m=name[1])["dataset"]


def test_either_name_finds_the_one_dataset(server: RunningServer) -> None:
    canonical = str(Urn.dataset(*PATH))
    by_path, by_table = _dataset(server, PATH), _dataset(server, TABLE)
    assert by_path == by_table
    assert by_path["urn"] == canonical and (by_path["namespace"], by_path["name"]) == PATH
    assert by_path["aliases"] == [{"namespace": TABLE[0], "name": TABLE[1], "type": "TABLE"}]
    assert len(by_path["versions"]) == 1  # the reader saw the version the writer wrote

    alias_urn = str(Urn.dataset(*TABLE))
    node = httpx.get(f"{server.url}/api/v1/nodes", params={"urn": alias_urn}, timeout=30)
    assert node.status_code == 200 and node.json()["urn"] == canonical
    found = gql(server, "query($u: ID!) { node(urn: $u) { urn } }", u=alias_urn)
    assert found["node"] == {"urn": canonical}
    hits = httpx.get(f"{server.url}/api/v1/search", params={"q": "ledger entries"}, timeout=30)
    assert [h["urn"] for h in hits.json()["hits"]] == [canonical]
    listed = gql(server, "{ nodes(kind: DATASET, first: 50) { items { urn } } }")
    assert {i["urn"] for i in listed["nodes"]["items"]} == {
        canonical,
        str(Urn.dataset("pg", "ledger_report")),
    }


def test_lineage_under_either_name_joins(server: RunningServer) -> None:
    canonical = str(Urn.dataset(*PATH))
    assert _dataset(server, PATH)["consumers"] == [{"name": "report_ledger"}]
    downstream = httpx.get(
        f"{server.url}/api/v1/lineage",
        params={"urn": str(Urn.dataset(*TABLE)), "direction": "downstream", "depth": 6},
        timeout=30,
    ).json()
    assert downstream["root"] == canonical
    assert str(Urn.dataset("pg", "ledger_report")) in {n["urn"] for n in downstream["nodes"]}
    query = """{ dataset(namespace: "pg", name: "ledger_report") {
        latestVersion { columns { name upstream { urn } } } } }"""
    columns = gql(server, query)["dataset"]["latestVersion"]["columns"]
    source = Urn.parse(columns[0]["upstream"][0]["urn"])
    assert (source.namespace, source.name, source.field) == (*PATH, "amount")


def test_an_event_naming_a_dataset_by_an_alias_adds_its_symlinks_there(
    server: RunningServer,
) -> None:
    other = ("s3://lake", "finance/ledger_entries")
    event = run_event(("dbt", "audit"), inputs=[dataset(*TABLE, symlinks=_symlinks(other))])
    assert warnings(post(server, event)) == []
    assert _dataset(server, other)["urn"] == str(Urn.dataset(*PATH))


def test_an_alias_declared_after_both_datasets_exist_is_said_and_not_merged(
    server: RunningServer,
) -> None:
    first = run_event(("spark", "a"), outputs=[dataset("pg", "orders_by_path", schema=SCHEMA)])
    second = run_event(("spark", "b"), outputs=[dataset("pg", "orders_by_name", schema=SCHEMA)])
    late = run_event(
        ("spark", "c"),
        inputs=[dataset("pg", "orders_by_path", symlinks=_symlinks(("pg", "orders_by_name")))],
    )
    for event in (first, second):
        assert warnings(post(server, event)) == []
    noted = warnings(post(server, late))
    assert any("pg/orders_by_name" in w and "not merged" in w for w in noted), noted
    assert _dataset(server, ("pg", "orders_by_name"))["urn"] == str(
        Urn.dataset("pg", "orders_by_name")
    )
    assert _dataset(server, ("pg", "orders_by_path"))["aliases"] == []


def test_a_dataset_event_and_the_native_path_declare_aliases_too(server: RunningServer) -> None:
    dataset_event = {
        "eventTime": "2026-05-01T09:00:00Z",
        "producer": "https://example.com/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": dataset("gcs://b", "events/2026", symlinks=_symlinks(("bq", "p.d.events"))),
    }
    assert warnings(post(server, dataset_event)) == []
    assert _dataset(server, ("bq", "p.d.events"))["urn"] == str(
        Urn.dataset("gcs://b", "events/2026")
    )
    native = {
        "type": "dataset.registered",
        "event_time": "2026-05-01T09:00:00Z",
        "namespace": "gcs://b",
        "name": "clicks/2026",
        "aliases": [{"namespace": "bq", "name": "p.d.clicks", "type": "TABLE"}],
    }
    assert post(server, native, "/api/v1/events").status_code == 200
    assert _dataset(server, ("bq", "p.d.clicks"))["urn"] == str(
        Urn.dataset("gcs://b", "clicks/2026")
    )
