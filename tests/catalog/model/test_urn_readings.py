"""Readings of a URN whose escapes a URL decoded."""

from __future__ import annotations

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.model.urn_readings import readings

RIDERS = Urn.dataset("postgres://rides-db:5432", "public.riders")


def test_a_well_formed_urn_reads_as_itself() -> None:
    assert readings(str(RIDERS)) == [RIDERS]


def test_a_decoded_urn_reads_as_every_split_of_its_colons() -> None:
    decoded = "urn:provgraph:dataset:postgres://rides-db:5432:public.riders"
    found = readings(decoded)
    assert RIDERS in found and len(found) == 3
    assert all(urn.name.endswith("riders") for urn in found)


def test_versions_fields_and_kinds_without_namespace() -> None:
    column = Urn(NodeKind.COLUMN, "public.riders", "pg://h:1", "v1", "email")
    assert column in readings("urn:provgraph:column:pg://h:1:public.riders@v1#email")
    owner = Urn(NodeKind.OWNER, "team:trust-and-safety")
    assert readings("urn:provgraph:owner:team:trust-and-safety") == [owner]


def test_what_cannot_be_a_urn_has_no_reading() -> None:
    for text in (
        "",
        "garbage",
        "urn:provgraph:nope:x",
        "urn:provgraph:dataset",
        "urn:provgraph:column:a:b",
    ):
        assert readings(text) == []
