"""Long dataset and job names (spec-valid; Marquez keeps them), over HTTP against the real
server: a name at the bound is stored, looked up, searched and joined by lineage; one over
it gets a 422 that names the bound; so does a name whose URN would be over the stores' bound."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from provgraph.catalog.model.events import MAX_NAME
from provgraph.catalog.model.urn import MAX_URN_BYTES, Urn
from tests.catalog.openlineage.support import dataset, gql, post, run_event
from tests.support.server import RunningServer, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("long-names") / "data") as running:
        yield running


def _name(marker: str, length: int = MAX_NAME) -> str:
    """A path-like name of exactly `length` characters with a searchable word in it."""
    head = f"warehouse/{marker}/"
    return head + "p" * (length - len(head))


def test_names_at_the_bound_are_taken_whole(server: RunningServer) -> None:
    assert MAX_NAME >= 4096
    source, target = _name("sourceneedle"), _name("targetneedle")
    job = ("spark", _name("jobneedle"))
    lineage = {
        "fields": {"id": {"inputFields": [{"namespace": "s3", "name": source, "field": "id"}]}}
    }
    event = run_event(
        job,
        inputs=[dataset("s3", source, schema={"fields": [{"name": "id", "type": "int"}]})],
        outputs=[
            dataset(
                "s3",
                target,
                schema={"fields": [{"name": "id", "type": "int"}]},
                columnLineage=lineage,
            )
        ],
    )
    response = post(server, event)
    assert response.status_code == 201, response.text

    query = """query($n: String!) { dataset(namespace: "s3", name: $n) {
        urn name latestVersion { columns { name upstream { urn } } } } }"""
    found = gql(server, query, n=target)["dataset"]
    assert found["name"] == target
    upstream = found["latestVersion"]["columns"][0]["upstream"][0]["urn"]
    assert Urn.parse(upstream).name == source and Urn.parse(upstream).field == "id"
    jobs = gql(
        server, 'query($n: String!) { job(namespace: "spark", name: $n) { name } }', n=job[1]
    )
    assert jobs["job"] == {"name": job[1]}

    node = httpx.get(f"{server.url}/api/v1/nodes", params={"urn": found["urn"]}, timeout=30)
    assert node.status_code == 200 and node.json()["props"]["name"] == target
    hits = httpx.get(f"{server.url}/api/v1/search", params={"q": "targetneedle"}, timeout=30)
    assert [h["urn"] for h in hits.json()["hits"]] == [found["urn"]]
    upstream_of = httpx.get(
        f"{server.url}/api/v1/lineage", params={"urn": found["urn"], "depth": 3}, timeout=30
    )
    assert str(Urn.dataset("s3", source)) in {n["urn"] for n in upstream_of.json()["nodes"]}


@pytest.mark.parametrize("where", ["outputs", "inputs", "job"])
def test_a_name_over_the_bound_gets_a_422_naming_it(server: RunningServer, where: str) -> None:
    long = _name("over", MAX_NAME + 1)
    event = run_event(("spark", long if where == "job" else "j"))
    if where != "job":
        event[where] = [dataset("s3", long)]
    response = post(server, event)
    assert response.status_code == 422, response.text
    assert f"at most {MAX_NAME} characters" in response.json()["detail"]


def test_a_name_whose_urn_is_over_the_stores_bound_gets_a_422(server: RunningServer) -> None:
    # within MAX_NAME characters, but 'é' takes two bytes and ':' is escaped to three
    for name in ("é" * MAX_NAME, "t" + ":" * (MAX_NAME - 1)):
        assert len(str(Urn.dataset("s3", name)).encode()) > MAX_URN_BYTES
        response = post(server, run_event(("spark", "j"), outputs=[dataset("s3", name)]))
        assert response.status_code == 422, response.text
        assert f"at most {MAX_URN_BYTES} bytes" in response.json()["detail"]
