"""Schema versions of logged events, and the upcasters that read the old ones.

The log outlives the code. Every logged event is stored with the schema version its payload
was written in; reading it runs the upcasters from that version up to EVENT_SCHEMA_VERSION
(each rewrites a plain JSON payload of version n as version n+1) and then validates it with
today's models. A change after which an old payload would no longer read, or would mean
something else (a field renamed, removed or retyped, a default changed, a new required
field), bumps EVENT_SCHEMA_VERSION and registers the upcaster from the old version in
UPCASTERS; a new field with a default needs neither (an old payload reads with the default).
Each release whose events changed commits a corpus under tests/fixtures/event_log/ that the
tests replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from provgraph.catalog.model.errors import LogSchemaError
from provgraph.catalog.model.events import CatalogEvent, event_to_json, parse_event

EVENT_SCHEMA_VERSION = 1
"""The version of every payload this release writes. Rows written before versions were
stored hold version 1 (the first release's events)."""

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

UPCASTERS: Mapping[int, Upcaster] = {}
"""Version n -> the function that rewrites a payload of version n as one of version n+1."""


def upcast(
    payload: Payload,
    version: int,
    *,
    upcasters: Mapping[int, Upcaster] = UPCASTERS,
    current: int = EVENT_SCHEMA_VERSION,
) -> Payload:
    """`payload` of schema `version` rewritten as one of version `current`."""
    if version > current:
        raise LogSchemaError(
            f"event schema version {version} is newer than this provgraph reads "
            f"(up to {current}): the log was written by a later release; upgrade provgraph"
        )
    if version < 1:
        raise LogSchemaError(f"event schema version {version} does not exist (they start at 1)")
    for step in range(version, current):
        upcaster = upcasters.get(step)
        if upcaster is None:
            raise LogSchemaError(f"no upcaster reads event schema version {step}")
        payload = upcaster(payload)
    return payload


def read_logged(payload: str, version: int, *, seq: int) -> CatalogEvent:
    """The event a log row holds (its payload as stored, of schema `version`), as today's model."""
    try:
        return parse_event(upcast(json.loads(payload), version))
    except LogSchemaError as exc:
        raise LogSchemaError(f"logged event seq {seq}: {exc}") from None
    except (ValidationError, json.JSONDecodeError) as exc:
        raise LogSchemaError(
            f"logged event seq {seq} (schema version {version}) does not read as a catalog "
            f"event: {exc}"
        ) from None


def same_event(payload: str, version: int, event_json: str, *, seq: int) -> bool:
    """Whether a logged row holds the event whose canonical JSON today is `event_json`: a
    resend under a known key. An older row is compared as today's model reads it."""
    if version == EVENT_SCHEMA_VERSION and payload == event_json:
        return True
    return event_to_json(read_logged(payload, version, seq=seq)) == event_json
