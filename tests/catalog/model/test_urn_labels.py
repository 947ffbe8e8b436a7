"""A URN's short label, what answers name a node by: the same from the text as from the parsed
URN, escaped parts read back."""

from __future__ import annotations

import pytest

from provgraph.catalog.model.errors import InvalidUrnError
from provgraph.catalog.model.urn import Urn, label_of


@pytest.mark.parametrize(
    ("urn", "label"),
    [
        ("urn:provgraph:dataset:postgres%3A//db%3A5432:public.trips", "public.trips"),
        ("urn:provgraph:dataset-version:s3%3A//lake:trips@3f2a1c9d0e", "trips @3f2a1c9d"),
        ("urn:provgraph:column:s3%3A//lake:trips@3f2a1c9d#pickup_lat", "trips#pickup_lat"),
        ("urn:provgraph:column:s3%3A//lake:trips#pickup_lat", "trips#pickup_lat"),
        ("urn:provgraph:feature:rider_risk:avg_fare", "rider_risk.avg_fare"),
        (
            "urn:provgraph:feature-version:rider_risk:avg_fare@0123456789",
            "rider_risk.avg_fare @01234567",
        ),
        ("urn:provgraph:model-version:fraud-detector@fb76a1c2d3", "fraud-detector @fb76a1c2"),
        ("urn:provgraph:deployment:production:fraud-detector", "production/fraud-detector"),
        ("urn:provgraph:run:1f0c2d3e-aaaa-bbbb", "run 1f0c2d3e"),
        ("urn:provgraph:job:spark%3A//etl:clean%40trips", "clean@trips"),
    ],
)
def test_label(urn: str, label: str) -> None:
    assert label_of(urn) == label == Urn.parse(urn).label


def test_a_malformed_urn_has_no_label() -> None:
    with pytest.raises(InvalidUrnError):
        label_of("urn:provgraph:table:x:y")
