"""Idempotency keys: the digest of an event's canonical submitted form.

A resend must stay a duplicate across upgrades. So the key is not the digest of whatever
today's models dump (a field added with a default would appear in every dump and turn each
resend into a new event) but of the event as submitted in the form its first schema had:
the fields the event models had at schema version 1 (`KEY_FIELDS`, frozen here, never to be
edited), and a field added since only while it holds something other than its default. For
every event of the first release this is the very JSON that release keyed, so the keys
already in every log keep matching.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from typing import get_args

from pydantic import BaseModel

from provgraph.catalog.model.events import CatalogEvent, event_to_json
from provgraph.catalog.model.graph import canonical_json


def _fields(names: str) -> frozenset[str]:
    return frozenset(names.split())


KEY_FIELDS: Mapping[str, frozenset[str]] = {
    "FieldSpec": _fields("classifications description name type"),
    "TransformationSpec": _fields("description masking subtype type"),
    "ColumnRef": _fields("field name namespace"),
    "AliasSpec": _fields("name namespace type"),
    "DatasetRegistered": _fields(
        "column_lineage description event_time fields labels name namespace owners type"
    ),
    "JobSpec": _fields(
        "description job_type name namespace owners source_code source_code_location sql version"
    ),
    "JobRef": _fields("name namespace"),
    "AssertionSpec": _fields("assertion column success"),
    "QualitySpec": _fields("assertions bytes column_metrics row_count"),
    "InputSpec": _fields("fields name namespace quality version"),
    "OutputSpec": _fields("column_lineage description fields labels name namespace owners quality"),
    "RunRecorded": _fields(
        "error_message event_time facets inputs job outputs parent_job parent_run_id "
        "run_id started_at state type"
    ),
    "DatasetRef": _fields("name namespace version"),
    "JobDeclared": _fields("event_time inputs job outputs type"),
    "FeatureDefined": _fields(
        "declassifying description dtype entity event_time group name owners run_id "
        "sources transformation type"
    ),
    "FeatureRef": _fields("group name version"),
    "TrainingSetCreated": _fields("event_time features manifest name sources type"),
    "ModelVersionRegistered": _fields(
        "artifact_digest event_time framework label metrics model owners params purpose "
        "stage training_run_id training_set type"
    ),
    "DeploymentRecorded": _fields(
        "endpoint environment event_time model_version name owners purpose status type"
    ),
    "LineageDeclared": _fields("description downstream event_time type upstream"),
    "AssetDescribed": _fields("description event_time type urn"),
    "OwnersAssigned": _fields("event_time owners type urn"),
    "ClassificationChanged": _fields("event_time present tag type urn"),
    "FeatureStatusChanged": _fields("event_time reason status type urn"),
    "PolicyDecided": _fields(
        "action allow bundle_revision decision_id deny engine error event_time "
        "input_digest obligations origin policy_input principal purpose subjects type"
    ),
}
"""Each event model's (and nested spec's) fields at schema version 1, by class name. A model
or field added later is not listed: it is keyed only while it differs from its default."""


def key_form(event: CatalogEvent, *, event_json: str | None = None) -> str:
    """The canonical JSON an event's default idempotency key is the digest of; `event_json`:
    the event's `event_to_json`, when the caller has it already (saves a dump)."""
    if not _may_trim(type(event)):  # every later field is left out of the dump at its default
        return event_json if event_json is not None else event_to_json(event)
    return canonical_json(_trim(event, event.model_dump(mode="json")))


def default_idempotency_key(event: CatalogEvent, *, event_json: str | None = None) -> str:
    """Identical events get identical keys, so a resent event is a no-op, in every release."""
    return idempotency_key_of(key_form(event, event_json=event_json))


def idempotency_key_of(canonical: str) -> str:
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


@cache
def _may_trim(model: type[BaseModel]) -> bool:
    """Whether an instance of `model` may dump a later field at its default (which the key
    leaves out): one of its own, or of a model nested in it."""
    first = KEY_FIELDS.get(model.__name__, frozenset())
    for name, info in model.model_fields.items():
        if name not in first and info.exclude_if is None and not info.is_required():
            return True
        if any(_may_trim(inner) for inner in _models_in(info.annotation)):
            return True
    return False


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _trim(value: object, dumped: object) -> object:
    """`dumped` (the JSON dump of `value`) without the later fields that hold their default."""
    if isinstance(value, BaseModel) and isinstance(dumped, dict):
        first = KEY_FIELDS.get(type(value).__name__, frozenset())
        kept: dict[str, object] = {}
        for name, info in type(value).model_fields.items():
            if name not in dumped:
                continue
            inner = getattr(value, name)
            if (
                name not in first
                and not info.is_required()
                and inner == info.get_default(call_default_factory=True, validated_data={})
            ):
                continue
            kept[name] = _trim(inner, dumped[name])
        return kept
    if isinstance(value, list | tuple) and isinstance(dumped, list):
        return [_trim(each, out) for each, out in zip(value, dumped, strict=True)]
    if isinstance(value, dict) and isinstance(dumped, dict):
        return {key: _trim(value.get(key), out) for key, out in dumped.items()}
    return dumped
