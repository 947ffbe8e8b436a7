"""Custom scalars: strawberry's JSON (parameters, metrics, manifests, facets), and DateTime
answered in the one time format of every provgraph answer (RFC 3339, UTC, `Z`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from provgraph.catalog.model.timeutil import parse_timestamp, rfc3339


def _serialize(value: Any) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"DateTime cannot represent {type(value).__name__}")
    return rfc3339(value)


def _parse(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime is an RFC 3339 string, e.g. 2026-02-01T00:00:00Z")
    return parse_timestamp(value)


DateTime = strawberry.scalar(
    name="DateTime",
    description="A moment in RFC 3339: answered in UTC (`2026-02-01T00:00:00Z`); "
    "given with any offset, but with one",
    serialize=_serialize,
    parse_value=_parse,
)

SCALAR_MAP: dict[object, Any] = {datetime: DateTime}
"""For `StrawberryConfig(scalar_map=...)`: Python `datetime` is this DateTime."""

__all__ = ["JSON", "SCALAR_MAP", "DateTime"]
