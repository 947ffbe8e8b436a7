"""Issue 17.17: `provgraph policy check` asks the gate the central question — may this model
version use these features for this purpose — and exits 0 allowed, 1 denied, 4 for a bad question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from provgraph.client import Client
from tests.integrations import model_side
from tests.support.server import serving

SAFE = f"{model_side.GROUP}:trips_30d"
PII = f"{model_side.GROUP}:email_domain_risk"


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "policy", "check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_allowed_denied_and_bad_questions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data) as served:
        client = Client(served.url)
        client.submit(model_side.catalog_events())
        url = ("--url", served.url)
        allowed = _check("--feature", SAFE, "--purpose", "fraud_detection", *url)
        denied = _check("--feature", SAFE, "--feature", PII, "--purpose", "advertising", *url)
        as_json = _check("--feature", PII, "--purpose", "advertising", "--json", *url)
        no_purpose = _check("--feature", SAFE, *url)
        unknown = _check("--feature", "riders:nope", "--purpose", "fraud_detection", *url)
        recorded = client.node(json.loads(as_json.stdout)["decision_urn"])
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.startswith("ALLOWED: serve these features for fraud_detection")
    assert denied.returncode == 1, denied.stderr
    assert denied.stdout.startswith("DENIED: serve these features for advertising")
    assert "carries personal data (pii) and cannot be used for advertising" in denied.stdout
    assert "is pii.email (from " in denied.stdout, "why: where the classification came from"
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["allow"] is False
    assert recorded.kind.value == "policy-decision", "the gate's own decision, recorded"
    assert no_purpose.returncode == 4 and "needs --purpose" in no_purpose.stderr
    assert unknown.returncode == 4 and "is not in the catalog" in unknown.stderr, unknown.stderr
    embedded = _check("--feature", PII, "--purpose", "advertising", "--data", str(data))
    assert embedded.returncode == 1, embedded.stderr
    assert embedded.stdout.splitlines()[:-1] == denied.stdout.splitlines()[:-1], (
        "the same answer (but the decision's URN) from the data directory opened in the CLI"
    )
