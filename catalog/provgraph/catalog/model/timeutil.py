"""Timestamps in the graph are integer microseconds since the Unix epoch (UTC).

Integers compare identically on every backend (LadybugDB, Neo4j, ArcadeDB) and in the
in-memory lineage index, which is why edges do not store driver-specific temporal types.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from provgraph.catalog.model.errors import InvalidArgumentError

OPEN_END = 2**63 - 1
"""`valid_to` of an edge that is still open."""


def in_utc(moment: datetime) -> datetime:
    """`moment` in UTC; InvalidArgumentError when it has no time zone or when UTC cannot
    express it (year 1 with a positive offset, year 9999 with a negative one)."""
    if moment.tzinfo is None:
        raise InvalidArgumentError(
            f"timestamp {moment.isoformat()} has no timezone; give one (e.g. +00:00)"
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidArgumentError(
            f"timestamp {moment.isoformat()} is outside the years 1-9999 in UTC"
        ) from None


def to_micros(moment: datetime) -> int:
    delta = in_utc(moment) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime | None:
    """The datetime for `micros`, or None for an open end."""
    if micros >= OPEN_END:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO-8601 timestamp; a trailing Z means UTC; a naive value is rejected."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidArgumentError(f"not an ISO-8601 timestamp: {text!r}") from exc
    if moment.tzinfo is None:
        raise InvalidArgumentError(
            f"timestamp {text!r} has no timezone; add one (e.g. +00:00 or Z)"
        )
    in_utc(moment)
    return moment


def rfc3339(moment: datetime) -> str:
    """The one text form of a moment in every answer: RFC 3339 in UTC, `Z`-suffixed
    (`2026-02-01T00:00:00Z`, microseconds when there are any). A naive value is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return in_utc(moment).isoformat().replace("+00:00", "Z")


def utc(moment: datetime | None) -> datetime | None:
    """`moment` in UTC (answers echo the moment asked in the one time format)."""
    if moment is None or moment.tzinfo is None:  # a naive moment is refused downstream
        return moment
    return in_utc(moment)


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(value: object) -> object:
    """Moments are ISO 8601 text: a number (or numeric text) is refused, never read as seconds
    since the epoch."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("a moment is an ISO 8601 date-time (e.g. 2026-04-01T00:00:00+00:00)")
    return value


def _expressible_in_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise ValueError("the moment is outside the years 1-9999 in UTC") from None
    return moment


Moment = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_expressible_in_utc)]
"""A datetime given as ISO 8601 text (naive allowed where the caller allows it)."""
AwareMoment = Annotated[
    AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_expressible_in_utc)
]
"""A datetime given as ISO 8601 text with a time zone."""
