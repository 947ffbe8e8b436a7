"""Serving the portal, GraphiQL and the API docs from the package's built assets: deep links fall
back to the portal's page, API paths stay JSON 404s, nothing outside the build is ever served,
and GraphiQL opens in a browser before any authentication."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from provgraph.server.http.portal import install_portal

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    built = tmp_path / "portal_dist"
    (built / "assets").mkdir(parents=True)
    (built / "vendor").mkdir()
    (built / "index.html").write_text("<html>portal index</html>")
    (built / "graphiql.html").write_text("<html>graphiql page</html>")
    (built / "assets" / "app-123.js").write_text("console.log('app')")
    (built / "vendor" / "swagger-ui-bundle.js").write_text("/* swagger */")
    (built / ".build-stamp").write_text("abc")
    (tmp_path / "secret.txt").write_text("do not serve")
    return built


def _client(dist: Path) -> TestClient:
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.get("/api/v1/thing")
    def thing() -> dict[str, str]:
        return {"thing": "yes"}

    @app.get("/graphql")
    def graphql_get() -> dict[str, str]:
        return {"data": "graphql GET"}

    install_portal(app, dist)
    return TestClient(app)


def test_deep_links_get_the_portal_page(dist: Path) -> None:
    client = _client(dist)
    for path in ("/", "/feature/urn%3Aprovgraph%3Afeature%3Ar%3Ax", "/steward", "/a/b/c"):
        answer = client.get(path, headers=BROWSER)
        assert answer.status_code == 200, path
        assert answer.text == "<html>portal index</html>"
        assert answer.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_served_and_cached(dist: Path) -> None:
    answer = _client(dist).get("/assets/app-123.js")
    assert answer.status_code == 200 and answer.text == "console.log('app')"
    assert "immutable" in answer.headers["cache-control"]


def test_nothing_outside_the_build_nor_hidden_files(dist: Path) -> None:
    client = _client(dist)
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2F..%2Fsecret.txt"):
        assert "do not serve" not in client.get(path).text, path
    assert client.get("/.build-stamp").text == "<html>portal index</html>"


def test_api_paths_stay_json(dist: Path) -> None:
    client = _client(dist)
    assert client.get("/api/v1/thing").json() == {"thing": "yes"}
    missing = client.get("/api/v1/nothing-here", headers=BROWSER)
    assert missing.status_code == 404 and missing.json()["error"] == "NotFound"


def test_graphiql_for_browsers_graphql_get_for_clients(dist: Path) -> None:
    client = _client(dist)
    assert client.get("/graphql", headers=BROWSER).text == "<html>graphiql page</html>"
    assert client.get("/graphql").json() == {"data": "graphql GET"}
    query = client.get("/graphql", params={"query": "{__typename}"}, headers=BROWSER)
    assert query.json() == {"data": "graphql GET"}


def test_docs_use_local_assets(dist: Path) -> None:
    page = _client(dist).get("/docs").text
    assert "/vendor/swagger-ui-bundle.js" in page and "/vendor/swagger-ui.css" in page
    assert "cdn" not in page.lower() and "http" not in page.replace("http-equiv", "")


def test_an_unbuilt_portal_says_how_to_build_it(tmp_path: Path) -> None:
    client = _client(tmp_path / "missing")
    for path in ("/", "/docs", "/feature/x"):
        answer = client.get(path, headers=BROWSER)
        assert answer.status_code == 503 and "./dev setup" in answer.text, path
    assert client.get("/graphql", headers=BROWSER).status_code == 503
