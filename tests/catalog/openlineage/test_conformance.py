"""OpenLineage as real producers send it: every event of the shared conformance corpus
(../shared/conformance/openlineage, written by other projects) posted to the real server.

- no answer is a 5xx;
- every event the OpenLineage JSON schema (../shared/conformance/openlineage-spec, 2-0-2, with
  format checks) accepts is accepted, and so is every other event that names its run, job and
  datasets (a run id that is not a UUID, say): only events without one of these are refused;
- for every accepted event, its job and each input/output dataset are queryable in GraphQL,
  and so is every column-lineage edge it carries;
- every run is found by the id its producer sent and its job, is a run of that job (a run id
  two jobs used is two runs), and a child's parent is the run its parent facet names;
- every symlink of a dataset names that same dataset, unless the answer said why not;
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
    warned: list[str] = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for name, event in corpus:
            response = client.post("/api/v1/lineage", json=event)
            assert response.status_code < 500, (name, response.text)
            if response.status_code == 201:
                accepted.append(event)
                warned += [w["warning"] for w in response.json()["warnings"]]
            elif _schema_valid(event, main, registry) or not _lacks_identity(event):
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
        _check_runs(client, [e for e in accepted if "run" in e])
        _check_symlinks(client, accepted, warned)

        logged = client.get("/readyz").json()["logged_seq"]
        for name, event in corpus:
            again = client.post("/api/v1/lineage", json=event)
            assert again.status_code < 500, (name, again.text)
            if again.status_code == 201:
                assert again.json()["duplicates"] == again.json()["catalog_events"], name
        assert client.get("/readyz").json()["logged_seq"] == logged


def _lacks_identity(event: Any) -> bool:
    """An event that does not name its run (a string id), its job or one of its datasets."""
    if not isinstance(event, dict):
        return True
    run, job = event.get("run"), event.get("job")
    if "run" in event and not (isinstance(run, dict) and isinstance(run.get("runId"), str)):
        return True
    named_job = isinstance(job, dict) and bool(job.get("namespace")) and bool(job.get("name"))
    if ("run" in event or "dataset" not in event) and not named_job:
        return True
    return any(
        not (isinstance(d, dict) and d.get("namespace") and d.get("name")) for d in _datasets(event)
    )


_RUN = """query($id: String!, $n: String, $j: String) { run(runId: $id, namespace: $n, job: $j) {
    urn job { namespace name } parent { urn } } }"""


def _run(client: httpx.Client, run_id: str, namespace: str, job: str) -> dict[str, Any]:
    found: dict[str, Any] | None = _gql(client, _RUN, id=run_id, n=namespace, j=job)["run"]
    assert found is not None, (run_id, namespace, job)
    return found


def _check_runs(client: httpx.Client, events: list[dict[str, Any]]) -> None:
    """Each run is its job's; a child's parent is the run its parent facet names."""
    for event in events:
        job = event["job"]
        found = _run(client, event["run"]["runId"], job["namespace"], job["name"])
        assert found["job"] == {"namespace": job["namespace"], "name": job["name"]}, event
        parent = ((event["run"].get("facets") or {}).get("parent") or {}) or {}
        parent_run, parent_job = parent.get("run") or {}, parent.get("job") or {}
        if isinstance(parent_run.get("runId"), str) and parent_job.get("name"):
            named = _run(client, parent_run["runId"], parent_job["namespace"], parent_job["name"])
            assert found["parent"] == {"urn": named["urn"]}, event


def _check_symlinks(client: httpx.Client, events: list[dict[str, Any]], warned: list[str]) -> None:
    """A symlink names its dataset, unless a warning said why it could not."""
    query = "query($n: String!, $m: String!) { dataset(namespace: $n, name: $m) { urn } }"
    seen = 0
    for event in events:
        for item in _datasets(event):
            symlinks = (item.get("facets") or {}).get("symlinks") or {}
            for other in symlinks.get("identifiers") or []:
                label = f"symlink {other['namespace']}/{other['name']} of "
                if any(w.startswith(label) for w in warned):
                    continue
                own = _gql(client, query, n=item["namespace"], m=item["name"])["dataset"]
                alias = _gql(client, query, n=other["namespace"], m=other["name"])["dataset"]
                assert alias == own, (item["namespace"], item["name"], other)
                seen += 1
    assert seen, "the corpus carries symlinks"


def _check_column_edges(
    client: httpx.Client, edges: set[tuple[str, str, str, str, str, str]]
) -> None:
    query = """query($n: String!, $m: String!) { dataset(namespace: $n, name: $m) {
        versions { columns { name upstream(includeIndirect: true) { urn } } } } }"""
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
