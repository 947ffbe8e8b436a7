"""Default idempotency keys survive a model that gains a field with a default."""

from __future__ import annotations

import json
from typing import Any, cast, get_args

from pydantic import BaseModel, create_model

from provgraph.catalog.model.events import (
    CatalogEvent,
    DatasetRegistered,
    FieldSpec,
    event_to_json,
    parse_event,
)
from provgraph.catalog.model.idempotency import KEY_FIELDS, default_idempotency_key, key_form
from tests.catalog.log.legacy import corpora

FieldSpecNext = create_model(
    "FieldSpec", __base__=FieldSpec, sensitivity=(str | None, None), tags=(list[str], [])
)
DatasetRegisteredNext = create_model(
    "DatasetRegistered",
    __base__=DatasetRegistered,
    fields=(list[FieldSpecNext], []),
    retention_days=(int | None, None),
    partitioned=(bool, False),
)
"""A later release's models: the same event types, each with new fields that have defaults."""


def _registered(model: type[BaseModel], payload: dict[str, Any]) -> CatalogEvent:
    return cast(CatalogEvent, model.model_validate(payload))


def _first_dataset_payload() -> dict[str, Any]:
    for row in corpora()[0].rows:
        if row["event_type"] == "dataset.registered":
            payload: dict[str, Any] = json.loads(row["payload"])
            return payload
    raise AssertionError("the corpus has a dataset.registered event")


def test_a_new_defaulted_field_leaves_the_key_of_a_resend_unchanged() -> None:
    payload = _first_dataset_payload()
    today = _registered(DatasetRegistered, payload)
    later = _registered(DatasetRegisteredNext, payload)
    assert event_to_json(later) != event_to_json(today)  # the later model dumps more
    assert default_idempotency_key(later) == default_idempotency_key(today)
    assert key_form(later) == key_form(today)


def test_a_new_field_that_is_set_changes_the_key() -> None:
    payload = _first_dataset_payload()
    today = _registered(DatasetRegistered, payload)
    later = _registered(DatasetRegisteredNext, {**payload, "retention_days": 30})
    nested = _registered(
        DatasetRegisteredNext,
        {**payload, "fields": [{**payload["fields"][0], "sensitivity": "high"}]},
    )
    assert default_idempotency_key(later) != default_idempotency_key(today)
    assert default_idempotency_key(nested) != default_idempotency_key(today)


def test_the_first_release_logged_keys_are_todays_default_keys() -> None:
    for row in corpora()[0].rows:
        if row["idempotency_key"].startswith("sha256:"):
            event = parse_event(json.loads(row["payload"]))
            assert default_idempotency_key(event) == row["idempotency_key"], row["seq"]


def test_the_first_schema_is_frozen_for_every_model_it_had() -> None:
    """KEY_FIELDS names the first release's models and fields; a model or field it lacks was
    added since (a later event type is not listed, and need not be)."""
    first_types = [m for m in get_args(get_args(CatalogEvent)[0]) if m.__name__ in KEY_FIELDS]
    assert len(first_types) == 13
    for model in first_types:
        assert KEY_FIELDS[model.__name__] <= set(model.model_fields)
