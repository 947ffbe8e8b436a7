"""The client reads what the server says it sends: for every route the client calls, the model
it reads the answer into has the same fields, of the same JSON types, as the route's answer in
the real server's OpenAPI document (`/openapi.json`), nested models included. A field the server
adds, drops, renames or retypes, and a client model that drifts, fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter

import provgraph.client.client as client_module
from provgraph.client import (
    Backtest,
    ClassificationTrace,
    ComplianceEntry,
    EventsAccepted,
    FeatureUseDecision,
    ImpactResult,
    LineagePath,
    LineageResult,
    Node,
    OpenLineageAccepted,
    Readiness,
    Recipe,
    SearchPage,
)
from tests.support.server import RunningServer, serving

READS: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/events"): EventsAccepted,
    ("post", "/api/v1/lineage"): OpenLineageAccepted,
    ("get", "/api/v1/lineage"): LineageResult,
    ("get", "/api/v1/impact"): ImpactResult,
    ("get", "/api/v1/paths"): list[LineagePath],
    ("get", "/api/v1/nodes"): Node,
    ("get", "/api/v1/recipe"): Recipe,
    ("get", "/api/v1/classifications"): list[ClassificationTrace],
    ("get", "/api/v1/search"): SearchPage,
    ("post", "/api/v1/policy/feature-use"): FeatureUseDecision,
    ("post", "/api/v1/policy/recheck"): list[ComplianceEntry],
    ("post", "/api/v1/policy/backtest"): Backtest,
    ("get", "/readyz"): Readiness,
}
"""Each route the client calls and the model it reads the answer into."""
UNTYPED = {"/graphql", "/healthz"}
"""Routes whose answer the client does not read into a model (GraphQL's is its own schema)."""


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    server: RunningServer
    with serving(tmp_path_factory.mktemp("openapi") / "data") as server:
        answer = httpx.get(f"{server.url}/openapi.json")
        assert answer.status_code == 200
        yield answer.json()


def test_every_route_the_client_calls_is_compared() -> None:
    source = Path(client_module.__file__).read_text()
    called = set(re.findall(r'"(/(?:api/v1/[\w/-]+|readyz|healthz|graphql))"', source))
    assert called == {path for _, path in READS} | UNTYPED


@pytest.mark.parametrize(("route", "model"), READS.items(), ids=lambda v: str(v))
def test_the_client_model_matches_the_openapi_answer(
    openapi: dict[str, Any], route: tuple[str, str], model: Any
) -> None:
    method, path = route
    operation = openapi["paths"][path][method]
    answers = [
        response["content"]["application/json"]["schema"]
        for status, response in operation["responses"].items()
        if status.startswith("2") and "application/json" in response.get("content", {})
    ]
    assert answers, f"{method.upper()} {path} declares no JSON answer"
    components = openapi["components"]["schemas"]
    served = _shape(answers[0], lambda ref: components[ref.rsplit("/", 1)[1]])
    schema = TypeAdapter(model).json_schema(mode="serialization")
    definitions = schema.get("$defs", {})
    read = _shape(schema, lambda ref: definitions[ref.rsplit("/", 1)[1]])
    differences = list(_differences(served, read, path))
    assert not differences, "\n".join(differences)


def _shape(schema: dict[str, Any], resolve: Any, seen: tuple[str, ...] = ()) -> Any:
    """What a JSON schema says of a value's form: objects by their property names, arrays by
    their items, scalars by JSON type (strings by format), enums by their values; titles,
    descriptions, defaults and requiredness left aside."""
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return {"recursive": ref.rsplit("/", 1)[1]}
        return _shape(resolve(ref), resolve, (*seen, ref))
    for union in ("anyOf", "oneOf"):
        if union in schema:
            members = [_shape(member, resolve, seen) for member in schema[union]]
            return {"one of": sorted(members, key=repr)}
    if "enum" in schema or "const" in schema:
        return {"enum": sorted(map(str, schema.get("enum", [schema.get("const")])))}
    kind = schema.get("type")
    if isinstance(kind, list):
        return {"one of": sorted(({"type": k} for k in kind), key=repr)}
    if kind == "object" and "properties" in schema:
        return {
            "properties": {
                name: _shape(sub, resolve, seen) for name, sub in schema["properties"].items()
            }
        }
    if kind == "object":
        extra = schema.get("additionalProperties", True)
        return {"map of": _shape(extra, resolve, seen) if isinstance(extra, dict) else "any"}
    if kind == "array":
        return {"array of": _shape(schema.get("items", {}), resolve, seen)}
    if kind is None:
        return "any"
    if kind == "string" and "format" in schema:
        return {"type": kind, "format": schema["format"]}
    return {"type": kind}


def _differences(served: Any, read: Any, where: str) -> Iterator[str]:
    if isinstance(served, dict) and isinstance(read, dict) and "properties" in served:
        if "properties" not in read:
            yield f"{where}: the server sends an object, the client reads {read}"
            return
        ours, theirs = served["properties"], read["properties"]
        for name in sorted(ours.keys() - theirs.keys()):
            yield f"{where}.{name}: sent by the server, not read by the client"
        for name in sorted(theirs.keys() - ours.keys()):
            yield f"{where}.{name}: read by the client, not sent by the server"
        for name in sorted(ours.keys() & theirs.keys()):
            yield from _differences(ours[name], theirs[name], f"{where}.{name}")
    elif isinstance(served, dict) and isinstance(read, dict) and served.keys() == read.keys():
        for key in served:
            if isinstance(served[key], list) and isinstance(read[key], list):
                if len(served[key]) != len(read[key]):
                    yield f"{where}: the server sends {served}, the client reads {read}"
                    return
                for index, (a, b) in enumerate(zip(served[key], read[key], strict=True)):
                    yield from _differences(a, b, f"{where}[{index}]")
            else:
                yield from _differences(served[key], read[key], where)
    elif served != read:
        yield f"{where}: the server sends {served}, the client reads {read}"
