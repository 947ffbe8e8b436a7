"""URNs: one string form, parsed and formatted in one place."""

from __future__ import annotations

import pytest

from provgraph.catalog.model.errors import InvalidUrnError
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn


@pytest.mark.parametrize(
    "urn",
    [
        Urn.dataset("postgres://db:5432", "public.rides"),
        Urn(NodeKind.COLUMN, "a@b#c:d", "s3://x", "v1", "col:with#odd@chars%"),
        Urn(NodeKind.RUN, "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        Urn(NodeKind.MODEL_VERSION, "fraud", version="abc"),
        Urn(NodeKind.CLASSIFICATION, "pii.email"),
    ],
)
def test_round_trip(urn: Urn) -> None:
    assert Urn.parse(str(urn)) == urn


def test_readable_form() -> None:
    urn = Urn.dataset("postgres://db:5432", "public.rides")
    assert str(urn) == "urn:provgraph:dataset:postgres%3A//db%3A5432:public.rides"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dataset:x:y", "must start with"),
        ("urn:provgraph:table:x:y", "unknown node kind 'table'"),
        ("urn:provgraph:dataset:noname", "needs '<namespace>:<name>'"),
        ("urn:provgraph:dataset-version:ns:name", "needs '@<version>'"),
        ("urn:provgraph:dataset:ns:", "non-empty name"),
        ("urn:provgraph:model:a:b", "unescaped"),
        ("urn:provgraph:dataset", "no part after its kind"),
    ],
)
def test_malformed(text: str, message: str) -> None:
    with pytest.raises(InvalidUrnError, match=message):
        Urn.parse(text)


def test_versions_and_containers() -> None:
    dataset = Urn.dataset("ns", "t")
    version = dataset.with_version("v1")
    assert version.kind is NodeKind.DATASET_VERSION
    assert version.container() == dataset
    assert version.column("c").dataset_version() == version
    with pytest.raises(InvalidUrnError):
        Urn(NodeKind.RUN, "r").with_version("x")
