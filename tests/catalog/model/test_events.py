"""Event shapes are validated before anything is stored."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from provgraph.catalog.model.events import parse_event
from provgraph.catalog.model.idempotency import default_idempotency_key
from tests.support.events import dataset


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        parse_event(
            {
                "type": "dataset.registered",
                "event_time": "2026-01-01T00:00:00",
                "namespace": "n",
                "name": "t",
            }
        )


def test_unknown_type_and_fields_are_rejected() -> None:
    with pytest.raises(
        ValidationError, match=r"union_tag_invalid|does not match any of the expected tags"
    ):
        parse_event({"type": "dataset.exploded", "event_time": "2026-01-01T00:00:00Z"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        parse_event(
            {
                "type": "dataset.registered",
                "event_time": "2026-01-01T00:00:00Z",
                "namespace": "n",
                "name": "t",
                "colour": 1,
            }
        )


def test_bad_tags_and_digests_are_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_event(
            {
                "type": "dataset.registered",
                "event_time": "2026-01-01T00:00:00Z",
                "namespace": "n",
                "name": "t",
                "fields": [{"name": "a", "classifications": ["PII Email"]}],
            }
        )
    with pytest.raises(ValidationError):
        parse_event(
            {
                "type": "model_version.registered",
                "event_time": "2026-01-01T00:00:00Z",
                "model": "m",
                "artifact_digest": "md5:abc",
            }
        )


def test_idempotency_keys_follow_content() -> None:
    assert default_idempotency_key(dataset("a", "x")) == default_idempotency_key(dataset("a", "x"))
    assert default_idempotency_key(dataset("a", "x")) != default_idempotency_key(dataset("a", "y"))
