"""A URN copied from an answer into a URL works however the client encodes it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.support.server import RunningServer, serving

RIDERS = "urn:provgraph:dataset:postgres%3A//rides-db%3A5432:public.riders"
PROD = "urn:provgraph:deployment:production:fraud-detector"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("urns") / "data", "--demo") as running:
        yield running


@pytest.mark.parametrize(
    "written",
    [
        RIDERS,  # pasted as is: the server's decoding turns %3A into ':'
        quote(RIDERS, safe=""),  # encoded once, as a careful client does
        RIDERS.replace("%3A", ":"),  # pasted already decoded
    ],
    ids=["as-is", "encoded", "decoded"],
)
def test_nodes_lineage_and_paths_find_the_urn(server: RunningServer, written: str) -> None:
    node = httpx.get(f"{server.url}/api/v1/nodes?urn={written}")
    assert node.status_code == 200, node.text
    assert node.json()["urn"] == RIDERS
    lineage = httpx.get(f"{server.url}/api/v1/lineage?urn={written}&direction=downstream")
    assert lineage.status_code == 200 and lineage.json()["root"] == RIDERS
    paths = httpx.get(f"{server.url}/api/v1/paths?from={PROD}&to={written}")
    assert paths.status_code == 200 and paths.json()[0]["nodes"][-1].startswith(RIDERS)


def test_an_unknown_decoded_urn_is_still_an_error(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/api/v1/nodes?urn=urn:provgraph:dataset:pg://nowhere:1:x")
    assert answer.status_code in (400, 404) and "error" in answer.json()
