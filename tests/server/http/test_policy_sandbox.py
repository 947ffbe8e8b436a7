"""Candidate bundles over the real what-if and backtest endpoints are untrusted code: the
network and the DNS stay out of reach (refused before anything runs), and a bundle that eats
memory or time is stopped at its bound with a clear 422, leaving the server as it was."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from tests.support.http_peer import http_peer
from tests.support.server import RunningServer, serving

ENDPOINTS = ["what-if", "backtest"]
PII_FEATURE = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
HEAD = "package provgraph.feature_use\n\nimport rego.v1\n\n"
MEMORY_MB = 256
DEADLINE_S = 8


class Recorder(BaseHTTPRequestHandler):
    calls: list[str] = []

    def do_GET(self) -> None:
        Recorder.calls.append(self.path)
        body = b"a secret only this machine knows"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    with http_peer(Recorder) as url:
        yield f"{url}/fetched"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "PROVGRAPH_POLICY_MEMORY_MB": str(MEMORY_MB),
        "PROVGRAPH_CANDIDATE_DEADLINE_S": str(DEADLINE_S),
    }
    with serving(tmp_path_factory.mktemp("sandbox") / "data", "--demo", env=env) as running:
        yield running


def ask(server: RunningServer, endpoint: str, source: str) -> httpx.Response:
    files = {"candidate.rego": HEAD + source}
    body = {"bundle": {"files": files}} if endpoint == "what-if" else {"files": files}
    return httpx.post(f"{server.url}/api/v1/policy/{endpoint}", json=body, timeout=120)


def rss_kib(server: RunningServer) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1])


def refused(answer: httpx.Response, builtin: str) -> None:
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "PolicyBundleError", body
    assert f"candidate.rego:5: {builtin} may not be used" in body["detail"], body


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_http_send_is_refused_and_never_called(
    server: RunningServer, recorder: str, endpoint: str
) -> None:
    source = (
        f'fetched := http.send({{"method": "GET", "url": "{recorder}"}}).raw_body\n\n'
        'decision := {"allow": false, "deny": [fetched], "obligations": []}\n'
    )
    refused(ask(server, endpoint, source), "http.send")
    assert Recorder.calls == []


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_dns_lookups_are_refused(server: RunningServer, endpoint: str) -> None:
    source = (
        'found := net.lookup_ip_addr("localhost")\n\n'
        'decision := {"allow": false, "deny": [sprintf("%v", [found])], "obligations": []}\n'
    )
    refused(ask(server, endpoint, source), "net.lookup_ip_addr")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_environment_and_the_clock_are_refused(server: RunningServer, endpoint: str) -> None:
    source = (
        'decision := {"allow": false, "deny": [sprintf("%v %v", [opa.runtime().env, '
        'time.now_ns()])], "obligations": []}\n'
    )
    answer = ask(server, endpoint, source)
    refused(answer, "opa.runtime")
    assert "time.now_ns may not be used" in answer.json()["detail"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_bundle_that_eats_memory_is_stopped_and_the_server_keeps_none_of_it(
    server: RunningServer, endpoint: str
) -> None:
    ask(server, endpoint, 'decision := {"allow": true, "deny": [], "obligations": []}\n')
    before = rss_kib(server)
    source = (
        "big := count([n | some n in numbers.range(1, 4000000)])\n\n"
        'decision := {"allow": big == 0, "deny": [], "obligations": []}\n'
    )
    answer = ask(server, endpoint, source)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "CandidateStoppedError", body
    assert f"memory bound of {MEMORY_MB} MiB" in body["detail"] or "deadline" in body["detail"]
    grown_mib = (rss_kib(server) - before) / 1024
    print(f"server RSS grew {grown_mib:.1f} MiB over a 4-million-element candidate")
    assert grown_mib < 64
    healthy(server)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_bundle_that_never_ends_is_stopped_at_its_deadline(
    server: RunningServer, endpoint: str
) -> None:
    source = (
        "spin if {\n    some i in numbers.range(1, 100000)\n"
        "    some j in numbers.range(1, 100000)\n    i * j == -1\n}\n\n"
        'decision := {"allow": count({1 | spin}) == 0, "deny": [], "obligations": []}\n'
    )
    answer = ask(server, endpoint, source)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "CandidateStoppedError"
    assert f"did not finish within its deadline of {DEADLINE_S} s" in answer.json()["detail"]
    healthy(server)


def healthy(server: RunningServer) -> None:
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    body = {"action": "train", "purpose": "advertising", "features": [PII_FEATURE]}
    decision = httpx.post(f"{server.url}/api/v1/policy/feature-use", json=body).json()
    assert decision["allow"] is False and decision["engine"] == "embedded"
    assert any("pii" in reason for reason in decision["deny"]), decision
