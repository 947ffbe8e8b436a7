"""GraphiQL and the API docs work with no internet and with authentication on: every script and
stylesheet they load is served by provgraph itself, and a browser opening /graphql gets GraphiQL,
not a 401 JSON wall (GraphiQL then sends the signed-in token)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.portal.built import require_built_portal
from tests.support.server import RunningServer, serving

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    require_built_portal()
    with serving(tmp_path_factory.mktemp("portal") / "data", anonymous=None) as server:
        yield server


def _local_assets(url: str, page: str) -> list[str]:
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    sources += re.findall(r"""(?:url)\s*:\s*["']([^"']+)["']""", page)
    for source in sources:
        assert not source.startswith(("http:", "https:", "//")), f"{source} is not local"
    return [s for s in sources if s.startswith("/")]


@pytest.mark.parametrize("path", ["/graphql", "/docs", "/", "/feature/anything"])
def test_pages_open_with_auth_on_and_load_only_local_assets(
    locked: RunningServer, path: str
) -> None:
    page = httpx.get(f"{locked.url}{path}", headers=BROWSER)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = _local_assets(locked.url, page.text)
    assert assets, path
    for asset in assets:
        assert httpx.get(f"{locked.url}{asset}").status_code == 200, asset


def test_the_api_itself_still_needs_a_token(locked: RunningServer) -> None:
    answer = httpx.post(f"{locked.url}/graphql", json={"query": "{__typename}"})
    assert answer.status_code == 401
    assert httpx.get(f"{locked.url}/graphql", params={"query": "{__typename}"}).status_code == 401
    assert httpx.get(f"{locked.url}/openapi.json").status_code == 200
