"""Upcasters: a payload of an old schema version is rewritten step by step to today's."""

from __future__ import annotations

import pytest

from provgraph.catalog.model.errors import LogSchemaError
from provgraph.catalog.model.event_versions import (
    EVENT_SCHEMA_VERSION,
    UPCASTERS,
    Payload,
    upcast,
)


def _renamed_description(payload: Payload) -> Payload:
    """v1 -> v2 of a made-up change: `desc` became `description`."""
    out = dict(payload)
    if "desc" in out:
        out["description"] = out.pop("desc")
    return out


def _added_source(payload: Payload) -> Payload:
    """v2 -> v3 of a made-up change: a new required field, `source`, whose old value is known."""
    return {**payload, "source": "upcast"}


CHAIN = {1: _renamed_description, 2: _added_source}


def test_every_old_version_has_its_upcaster() -> None:
    assert sorted(UPCASTERS) == list(range(1, EVENT_SCHEMA_VERSION))


def test_upcasters_run_in_order_from_the_row_version() -> None:
    old = {"type": "asset.described", "desc": "x"}
    assert upcast(old, 1, upcasters=CHAIN, current=3) == {
        "type": "asset.described",
        "description": "x",
        "source": "upcast",
    }
    assert upcast({"description": "y"}, 2, upcasters=CHAIN, current=3) == {
        "description": "y",
        "source": "upcast",
    }
    assert upcast({"a": 1}, 3, upcasters=CHAIN, current=3) == {"a": 1}


def test_a_missing_step_or_an_unknown_version_is_refused() -> None:
    with pytest.raises(LogSchemaError, match="no upcaster reads event schema version 2"):
        upcast({}, 1, upcasters={1: _renamed_description}, current=3)
    with pytest.raises(LogSchemaError, match="newer than this provgraph reads"):
        upcast({}, 4, upcasters=CHAIN, current=3)
    with pytest.raises(LogSchemaError, match="does not exist"):
        upcast({}, 0, upcasters=CHAIN, current=3)
