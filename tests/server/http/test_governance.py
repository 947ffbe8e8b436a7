"""Who may change what a governance catalog says about personal data, over HTTP.

A producer reports what happened; it cannot end a steward's classification (by registering a
schema without the field, now or backdated), cannot declare a transformation declassifying,
and cannot overwrite a steward's description. Declassification comes from evidence — masking
column lineage — or from a steward; INDIRECT column lineage is kept and shown but carries no
classification.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.demo import LAKE, RIDES_DB, model_version_urn
from tests.server.http.test_access import _bearer
from tests.support.server import RunningServer, serving

TRIPS = str(Urn.dataset(RIDES_DB, "public.trips"))
ENRICHED = str(Urn.dataset(LAKE, "curated.trips_enriched"))
PICKUP_LAT = f"urn:provgraph:column:{TRIPS.split(':', 3)[3]}#pickup_lat"
ENTROPY = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
DOMAIN_RISK = "urn:provgraph:feature:rider_risk:email_domain_risk"
PRODUCTION = "urn:provgraph:deployment:production:fraud-detector"
OL = "https://example.com/producer"


@dataclass
class Catalog:
    url: str
    producer: dict[str, str]
    steward: dict[str, str]

    def events(self, who: dict[str, str], *events: dict[str, Any]) -> httpx.Response:
        return httpx.post(f"{self.url}/api/v1/events", json=list(events), headers=who, timeout=30)

    def lineage(self, who: dict[str, str], *events: dict[str, Any]) -> httpx.Response:
        return httpx.post(f"{self.url}/api/v1/lineage", json=list(events), headers=who, timeout=30)

    def tags(self, urn: str, **params: str) -> list[str]:
        answer = httpx.get(
            f"{self.url}/api/v1/classifications",
            params={"urn": urn, **params},
            headers=self.producer,
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return sorted({t["tag"] for t in answer.json()})

    def allowed(self, purpose: str, feature: str) -> bool:
        body = {"action": "train", "purpose": purpose, "features": [feature]}
        answer = httpx.post(
            f"{self.url}/api/v1/policy/feature-use", json=body, headers=self.producer, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return bool(answer.json()["allow"])

    def search(self, classification: str) -> set[str]:
        answer = httpx.get(
            f"{self.url}/api/v1/search",
            params={"classification": classification, "first": "100"},
            headers=self.producer,
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return {hit["urn"] for hit in answer.json()["hits"]}


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    data = tmp_path / "data"
    with serving(data, "--demo", anonymous=None) as server:
        yield _with_tokens(server, data)


def _with_tokens(server: RunningServer, data: Path) -> Catalog:
    return Catalog(server.url, _bearer(data, "etl", "producer"), _bearer(data, "dpo", "steward"))


def _trips_without_location(day: str) -> dict[str, Any]:
    return {
        "type": "dataset.registered",
        "event_time": f"{day}T00:00:00Z",
        "namespace": RIDES_DB,
        "name": "public.trips",
        "fields": [
            {"name": n, "type": "bigint"} for n in ("trip_id", "rider_id", "driver_id", "trip_ts")
        ],
    }


def _dataset_event(day: str, facets: dict[str, Any], name: str = "public.trips") -> dict[str, Any]:
    return {
        "eventTime": f"{day}T00:00:00Z",
        "producer": OL,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {"namespace": RIDES_DB, "name": name, "facets": facets},
    }


def test_a_schema_without_the_fields_keeps_the_stewards_tags(catalog: Catalog) -> None:
    model = model_version_urn("v2")
    assert "pii.location" in catalog.tags(model)
    assert not catalog.allowed("advertising", ENTROPY)
    done = catalog.events(catalog.producer, _trips_without_location("2026-06-01"))
    assert done.status_code == 200, done.text
    schema = {"schema": {"fields": [{"name": "trip_id", "type": "bigint"}]}}
    sent = catalog.lineage(catalog.producer, _dataset_event("2026-06-02", schema))
    assert sent.status_code == 201, sent.text
    # the field keeps its tag, so does the dataset's history, the model trained on it and the
    # feature computed from it
    assert catalog.tags(PICKUP_LAT, as_of="2026-02-01T00:00:00Z") == ["pii.location"]
    assert "pii.location" in catalog.tags(model)
    assert "pii.location" in catalog.tags(PRODUCTION)
    assert catalog.tags(ENTROPY) == ["pii.location"]
    assert not catalog.allowed("advertising", ENTROPY)
    assert ENTROPY in catalog.search("pii.location")


def test_a_backdated_schema_is_refused_and_the_past_is_unchanged(catalog: Catalog) -> None:
    before = catalog.tags(TRIPS, as_of="2026-02-01T00:00:00Z")
    assert "pii.location" in before
    backdated = catalog.events(catalog.producer, _trips_without_location("2026-01-04"))
    assert backdated.status_code == 422, backdated.text
    assert "would rewrite its history" in backdated.text
    schema = {"schema": {"fields": [{"name": "trip_id", "type": "bigint"}]}}
    late = catalog.lineage(catalog.producer, _dataset_event("2026-01-04", schema))
    assert late.status_code == 422, late.text
    assert catalog.tags(TRIPS, as_of="2026-02-01T00:00:00Z") == before
    # the same schema as the one recorded is no change, whenever it is dated
    same = catalog.events(catalog.steward, _trips_without_location("2026-06-01"))
    assert same.status_code == 200
    assert catalog.events(catalog.steward, _trips_without_location("2026-05-01")).status_code == 200


def _hashed_feature(*, declassifying: bool) -> dict[str, Any]:
    return {
        "type": "feature.defined",
        "event_time": "2026-06-01T00:00:00Z",
        "group": "rider_risk",
        "name": "pickup_hash",
        "transformation": "sha2(pickup_city)",
        "sources": [{"namespace": LAKE, "name": "curated.trips_enriched", "field": "pickup_city"}],
        "declassifying": declassifying,
    }


def test_only_a_steward_declares_a_transformation_declassifying(catalog: Catalog) -> None:
    feature = "urn:provgraph:feature:rider_risk:pickup_hash"
    refused = catalog.events(catalog.producer, _hashed_feature(declassifying=True))
    assert refused.status_code == 403, refused.text
    assert "steward" in refused.json()["detail"]
    assert catalog.events(catalog.producer, _hashed_feature(declassifying=False)).status_code == 200
    assert catalog.tags(feature) == ["pii.location"]
    assert feature in catalog.search("pii")
    # the steward's decision: a new definition, declared declassifying, clean everywhere
    assert catalog.events(catalog.steward, _hashed_feature(declassifying=True)).status_code == 200
    assert catalog.tags(feature) == []
    assert feature not in catalog.search("pii")
    assert catalog.allowed("advertising", feature)


def test_a_hash_is_evidence_on_the_lineage_and_every_surface_reads_it(catalog: Catalog) -> None:
    assert catalog.tags(DOMAIN_RISK) == []
    assert DOMAIN_RISK not in catalog.search("pii")
    assert catalog.allowed("advertising", DOMAIN_RISK)
    versions = httpx.get(
        f"{catalog.url}/api/v1/lineage",
        params={"urn": DOMAIN_RISK, "depth": "4", "edge_kinds": "HAS_VERSION,COMPUTED_FROM"},
        headers=catalog.producer,
        timeout=30,
    ).json()
    version = next(n["urn"] for n in versions["nodes"] if n["kind"] == "feature-version")
    assert catalog.tags(version) == []
    assert catalog.allowed("advertising", version)


def test_a_producer_documentation_never_replaces_a_stewards_description(catalog: Catalog) -> None:
    documented = {"documentation": {"description": "from the producer"}}
    assert (
        catalog.lineage(catalog.producer, _dataset_event("2026-06-01", documented)).status_code
        == 201
    )

    def description() -> str:
        node = httpx.get(
            f"{catalog.url}/api/v1/nodes", params={"urn": TRIPS}, headers=catalog.producer
        )
        return str(node.json()["props"]["description"])

    assert description() == "from the producer"
    curated = {
        "type": "asset.described",
        "event_time": "2026-06-02T00:00:00Z",
        "urn": TRIPS,
        "description": "Completed trips; location is personal data.",
    }
    assert catalog.events(catalog.steward, curated).status_code == 200
    again = {"documentation": {"description": "overwritten?"}}
    assert catalog.lineage(catalog.producer, _dataset_event("2026-06-03", again)).status_code == 201
    assert description() == "Completed trips; location is personal data."


def test_a_tag_on_a_field_the_schema_lacks_is_warned_about(catalog: Catalog) -> None:
    facets = {
        "schema": {"fields": [{"name": "id", "type": "int"}, {"name": "email", "type": "string"}]},
        "tags": {
            "tags": [
                {"key": "pii", "value": "email", "field": "email"},
                {"key": "pii", "value": "phone", "field": "phone"},
            ]
        },
    }
    answer = catalog.lineage(catalog.steward, _dataset_event("2026-06-01", facets, "crm.contacts"))
    assert answer.status_code == 201, answer.text
    warnings = [w["warning"] for w in answer.json()["warnings"]]
    assert any("'phone' is not in the dataset's schema" in w and "pii.phone" in w for w in warnings)
    contacts = str(Urn.dataset(RIDES_DB, "crm.contacts"))
    assert catalog.tags(contacts) == ["pii.email"]


def _column_lineage_run() -> dict[str, Any]:
    """riders (email pii.email) -> contacts: a DIRECT copy, a hash, a filter-only column, and
    a dataset-wide JOIN key."""
    riders = {"namespace": RIDES_DB, "name": "public.riders"}

    def source(field: str, kind: str, subtype: str, *, masking: bool = False) -> dict[str, Any]:
        how = {"type": kind, "subtype": subtype, "masking": masking}
        return {**riders, "field": field, "transformations": [how]}

    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-06-01T00:00:00Z",
        "producer": OL,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "spark", "name": "contacts"},
        "inputs": [riders],
        "outputs": [
            {
                "namespace": LAKE,
                "name": "marketing.contacts",
                "facets": {
                    "schema": {
                        "fields": [
                            {"name": n, "type": "string"}
                            for n in ("email", "email_sha", "is_recent")
                        ]
                    },
                    "columnLineage": {
                        "fields": {
                            "email": {"inputFields": [source("email", "DIRECT", "IDENTITY")]},
                            "email_sha": {
                                "inputFields": [
                                    source("email", "DIRECT", "TRANSFORMATION", masking=True)
                                ]
                            },
                            "is_recent": {"inputFields": [source("email", "INDIRECT", "FILTER")]},
                        },
                        "dataset": [source("rider_id", "INDIRECT", "JOIN")],
                    },
                },
            }
        ],
    }


def test_column_lineage_keeps_how_and_only_direct_unmasked_edges_carry_tags(
    catalog: Catalog,
) -> None:
    sent = catalog.lineage(catalog.producer, _column_lineage_run())
    assert sent.status_code == 201, sent.text
    contacts = str(Urn.dataset(LAKE, "marketing.contacts"))
    field = f"urn:provgraph:column:{contacts.split(':', 3)[3]}"
    assert catalog.tags(f"{field}#email") == ["pii.email"]
    assert catalog.tags(f"{field}#email_sha") == []
    assert catalog.tags(f"{field}#is_recent") == []
    # the dataset carries what its columns carry, and search finds it by that
    assert catalog.tags(contacts) == ["pii.email"]
    assert contacts in catalog.search("pii.email")
    assert ENRICHED in catalog.search("pii")
    assert TRIPS in catalog.search("pii.location")
    graph = httpx.get(
        f"{catalog.url}/api/v1/lineage",
        params={"urn": f"{field}#is_recent", "depth": "1", "edge_kinds": "DERIVED_FROM"},
        headers=catalog.producer,
    ).json()
    how = {
        (e["target"].rsplit("#", 1)[1], t["type"], t.get("subtype"), t["masking"])
        for e in graph["edges"]
        for t in e["transformations"]
    }
    assert how == {("email", "INDIRECT", "FILTER", False), ("rider_id", "INDIRECT", "JOIN", False)}
    sha = httpx.get(
        f"{catalog.url}/api/v1/lineage",
        params={"urn": f"{field}#email_sha", "depth": "1", "edge_kinds": "DERIVED_FROM"},
        headers=catalog.producer,
    ).json()
    assert {
        (e["target"].rsplit("#", 1)[1], t["type"], t["masking"])
        for e in sha["edges"]
        for t in e["transformations"]
    } == {("email", "DIRECT", True), ("rider_id", "INDIRECT", False)}


def test_graphql_tells_direct_from_indirect_column_lineage(catalog: Catalog) -> None:
    assert catalog.lineage(catalog.producer, _column_lineage_run()).status_code == 201
    contacts = str(Urn.dataset(LAKE, "marketing.contacts"))
    query = """query($urn: ID!) {
      node(urn: $urn) { ... on Column {
        direct: upstream { name } all: upstream(includeIndirect: true) { name } } }
      lineage(urn: $urn, depth: 1, edgeKinds: [DERIVED_FROM], limit: 50) {
        ... on LineageGraph { edges { target transformations { type subtype masking } } } } }"""
    column = f"urn:provgraph:column:{contacts.split(':', 3)[3]}#email_sha"
    answer = httpx.post(
        f"{catalog.url}/graphql",
        json={"query": query, "variables": {"urn": column}},
        headers=catalog.producer,
    ).json()
    assert "errors" not in answer, answer
    node = answer["data"]["node"]
    assert [c["name"] for c in node["direct"]] == ["email"]
    assert sorted(c["name"] for c in node["all"]) == ["email", "rider_id"]
    masked = [
        t
        for e in answer["data"]["lineage"]["edges"]
        if e["target"].endswith("#email")
        for t in e["transformations"]
    ]
    assert masked == [{"type": "DIRECT", "subtype": "TRANSFORMATION", "masking": True}]
