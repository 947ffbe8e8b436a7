"""OpenLineage as real producers send it: every event of the shared conformance corpus
(../shared/conformance/openlineage, written by other projects) posted to the real server.

- no answer is a 5xx;
- every event the OpenLineage JSON schema (../shared/conformance/openlineage-spec, 2-0-2, with
  format checks) accepts is accepted;
- for every accepted event, its job and each input/output dataset are queryable in GraphQL,
  and so is every column-lineage edge it carries;
- a full resend changes nothing.

The corpus is read where it lies (CI has a copy of shared/ beside the clone); it is never
copied into the repository. Without it the test skips, saying why.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from provgraph.catalog.model.urn import Urn
from tests.support.server import RunningServer, serving

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("PROVGRAPH_SHARED", ROOT / ".." / "shared"))
"""`../shared` beside the clone (PROVGRAPH_SHARED points elsewhere, e.g. from a worktree)."""
CORPUS = SHARED / "conformance" / "openlineage"
SPEC = SHARED / "conformance" / "openlineage-spec"

pytestmark = pytest.mark.skipif(
    not (CORPUS.is_dir() and (SPEC / "OpenLineage.json").is_file()),
    reason=f"the OpenLineage conformance corpus is not at {CORPUS} "
    "(a clone without ../shared/conformance)",
)


def _validator() -> tuple[dict[str, Any], Registry]:
    registry: Registry = Registry()
    for path in [SPEC / "OpenLineage.json", *sorted((SPEC / "facets").glob("*.json"))]:
        document = json.loads(path.read_text())
        registry = registry.with_resource(document["$id"], Resource.from_contents(document))
    main: dict[str, Any] = json.loads((SPEC / "OpenLineage.json").read_text())
    return main, registry


def _schema_valid(event: Any, main: dict[str, Any], registry: Registry) -> bool:
    if not isinstance(event, dict):
        return False
    kind = "RunEvent" if "run" in event else "DatasetEvent" if "dataset" in event else "JobEvent"
    validator = Draft202012Validator(
        {"$ref": f"{main['$id']}#/$defs/{kind}"}, registry=registry, format_checker=FormatChecker()
    )
    return bool(validator.is_valid(event))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("conformance") / "data") as running:
        yield running


def _corpus() -> list[tuple[str, Any]]:
    files = sorted(CORPUS.rglob("*.json"))
    return [(str(p.relative_to(CORPUS)), json.loads(p.read_text())) for p in files]


def _gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _is_dataset_event(event: dict[str, Any]) -> bool:
    return "run" not in event and "dataset" in event  # the keys decide, as on the server


def _datasets(event: dict[str, Any]) -> list[dict[str, Any]]:
    if _is_dataset_event(event):
        return [event["dataset"]]
    return [*(event.get("inputs") or []), *(event.get("outputs") or [])]


def _column_edges(event: dict[str, Any]) -> set[tuple[str, str, str, str, str, str]]:
    """(out ns, out name, out field, in ns, in name, in field) of every column-lineage edge."""
    found = set()
    outputs = [event["dataset"]] if _is_dataset_event(event) else event.get("outputs") or []
    for output in outputs:
        facet = ((output.get("facets") or {}).get("columnLineage") or {}).get("fields") or {}
        for field, entry in facet.items():
            for source in (entry or {}).get("inputFields") or []:
                found.add(
                    (
                        output["namespace"],
                        output["name"],
                        field,
                        source["namespace"],
                        source["name"],
                        source["field"],
                    )
                )
    return found


def test_the_corpus_is_taken_as_real_producers_send_it(server: RunningServer) -> None:
    main, registry = _validator()
    corpus = _corpus()
    assert len(corpus) > 200
    accepted: list[dict[str, Any]] = []
    wrongly_rejected: list[str] = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for name, event in corpus:
            response = client.post("/api/v1/lineage", json=event)
            assert response.status_code < 500, (name, response.text)
            if response.status_code == 201:
                accepted.append(event)
                assert isinstance(response.json()["warnings"], list)
            elif _schema_valid(event, main, registry):
                wrongly_rejected.append(f"{name}: {response.text}")
            else:
                body = response.json()
                assert response.status_code == 422 and body.get("position") == 0, (name, body)
        assert wrongly_rejected == []

        jobs = {
            (e["job"]["namespace"], e["job"]["name"])
            for e in accepted
            if "job" in e and not _is_dataset_event(e)
        }
        for namespace, job in sorted(jobs):
            found = _gql(
                client,
                "query($n: String!, $m: String!) { job(namespace: $n, name: $m) { urn } }",
                n=namespace,
                m=job,
            )
            assert found["job"] is not None, (namespace, job)
        datasets = {(d["namespace"], d["name"]) for e in accepted for d in _datasets(e)}
        for namespace, dataset in sorted(datasets):
            found = _gql(
                client,
                "query($n: String!, $m: String!) { dataset(namespace: $n, name: $m) { urn } }",
                n=namespace,
                m=dataset,
            )
            assert found["dataset"] is not None, (namespace, dataset)
        edges = set().union(*(_column_edges(e) for e in accepted))
        assert edges, "the corpus carries column lineage"
        _check_column_edges(client, edges)

        logged = client.get("/readyz").json()["logged_seq"]
        for name, event in corpus:
            again = client.post("/api/v1/lineage", json=event)
            assert again.status_code < 500, (name, again.text)
            if again.status_code == 201:
                assert again.json()["duplicates"] == again.json()["catalog_events"], name
        assert client.get("/readyz").json()["logged_seq"] == logged


def _check_column_edges(
    client: httpx.Client, edges: set[tuple[str, str, str, str, str, str]]
) -> None:
    query = """query($n: String!, $m: String!) { dataset(namespace: $n, name: $m) {
        versions { columns { name upstream { urn } } } } }"""
    by_output: dict[tuple[str, str], set[tuple[str, str, str, str]]] = {}
    for out_ns, out_name, field, in_ns, in_name, in_field in edges:
        by_output.setdefault((out_ns, out_name), set()).add((field, in_ns, in_name, in_field))
    missing = []
    for (namespace, name), wanted in sorted(by_output.items()):
        data = _gql(client, query, n=namespace, m=name)
        have = set()
        for version in data["dataset"]["versions"]:
            for column in version["columns"]:
                for upstream in column["upstream"]:
                    source = Urn.parse(upstream["urn"])
                    have.add((column["name"], source.namespace, source.name, source.field))
        missing += [(namespace, name, *edge) for edge in sorted(wanted - have)]
    assert missing == []
