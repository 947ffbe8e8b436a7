"""schemathesis against the real server: every status any generated request gets is one the
OpenAPI document declares for that route (an admin token, so every route is reached)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import status_code_conformance

from provgraph.catalog.access import FileTokenStore, Role
from tests.support.server import serving

EXAMPLES = 20


def test_no_route_answers_an_undocumented_status(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data, "--demo", anonymous=None) as server:
        token = FileTokenStore(data / "tokens.json").create("schemathesis", Role.ADMIN)
        headers = {"authorization": f"Bearer {token}"}
        document = httpx.get(f"{server.url}/openapi.json").json()
        schema = schemathesis.openapi.from_dict(document)
        undocumented: dict[str, set[tuple[int, str]]] = {}
        seen: dict[str, set[int]] = {}
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        for operation in operations:
            _probe(operation, server.url, headers, seen, undocumented)
    assert len(operations) >= 15 and len(seen) == len(operations)
    assert any(200 in statuses for statuses in seen.values())
    assert not undocumented, undocumented


def _probe(
    operation: Any,
    url: str,
    headers: dict[str, str],
    seen: dict[str, set[int]],
    undocumented: dict[str, set[tuple[int, str]]],
) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def probe(case: Any) -> None:
        response = case.call(base_url=url, headers=headers)
        seen.setdefault(label, set()).add(response.status_code)
        try:
            case.validate_response(response, checks=[status_code_conformance])
        except Exception as exc:  # a failed check: record it, keep probing
            first = str(exc).splitlines()[0][:200]
            undocumented.setdefault(label, set()).add((response.status_code, first))

    probe()
