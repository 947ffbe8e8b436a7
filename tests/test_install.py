"""`pip install provgraph` alone gives a working server, policy engine included: a fresh
virtualenv per declared Python version that this machine has, a plain `pip install` of the
worktree (pip's resolver, the registries and pip's cache; no other step), then `provgraph serve
--demo` from it answers a real policy decision over HTTP. Slow-ish (about a minute and a half a
version, most of it pip resolving and unpacking): it reuses pip's cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.specifiers import SpecifierSet

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
DECLARED = SpecifierSet(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
)
VERSIONS = [f"3.{minor}" for minor in range(8, 20) if DECLARED.contains(f"3.{minor}.0")]
PII_FEATURE = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
BUNDLE_CHECK = """
import json
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
engine = EmbeddedEngine(PolicyBundle.builtin())
failed = [t.name for t in engine.run_tests() if not t.passed]
cases = engine.evaluate_raw("data.provgraph.feature_use_test.cases")
wrong = [c["name"] for c in cases if engine.evaluate(c["input"]).allow is not c["allow"]]
print(json.dumps({"cases": len(cases), "failed": failed, "wrong": wrong}))
"""
"""The bundle's own Rego tests and cases, on the installed engine."""


def interpreter(version: str) -> str | None:
    """This machine's Python `version`: this one, one on PATH, or one pyenv installed."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-V"], capture_output=True).returncode == 0:
        return found
    pyenv = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"))
    return str(pyenv[-1]) if pyenv else None


def clean_environment() -> dict[str, str]:
    """The caller's environment without what would point Python or provgraph elsewhere (pip's
    own settings, PIP_*, stay: they name the registries and the cache)."""
    dropped = ("PYTHON", "VIRTUAL_ENV", "PROVGRAPH_", "OPA_")
    return {name: value for name, value in os.environ.items() if not name.startswith(dropped)}


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("version", VERSIONS)
def test_a_plain_pip_install_serves_real_policy_decisions(version: str, tmp_path: Path) -> None:
    python = interpreter(version)
    if python is None:
        pytest.skip(f"this machine has no Python {version}")
    environment = clean_environment()
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, env=environment)
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(ROOT)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    checked = subprocess.run(
        [str(venv / "bin" / "python"), "-c", BUNDLE_CHECK],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    bundle = json.loads(checked.stdout)
    assert bundle["cases"] > 10 and bundle["failed"] == bundle["wrong"] == [], bundle
    port = free_port()
    server = subprocess.Popen(
        [
            str(venv / "bin" / "provgraph"),
            "serve",
            "--demo",
            "--data",
            str(tmp_path / "data"),
            "--port",
            str(port),
            "--allow-anonymous",
            "producer",
        ],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        ready(url, server)
        question = {"action": "train", "purpose": "advertising", "features": [PII_FEATURE]}
        decision = httpx.post(f"{url}/api/v1/policy/feature-use", json=question, timeout=30)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert decision.status_code == 200, decision.text
    answer = decision.json()
    assert answer["allow"] is False and answer["engine"] == "embedded" and not answer["error"]
    assert answer["deny"] == [
        f"{PII_FEATURE} carries personal data (pii) and cannot be used for advertising"
    ], errors.decode(errors="replace")[-2000:]


def ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.kill()
    _, errors = server.communicate()
    raise AssertionError(f"provgraph serve did not become ready: {errors.decode()[-2000:]}")
