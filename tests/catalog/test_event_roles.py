"""Who may send which event: every event type of the model has a row in the role table, and a
type without one is refused for every role (fail closed), never a producer's by default."""

from __future__ import annotations

from typing import Literal, get_args

import pytest

from provgraph.catalog.access import Role
from provgraph.catalog.event_roles import (
    EVENT_ROLES,
    EventForbiddenError,
    authorize,
    refusal,
    required_role,
)
from provgraph.catalog.model.events import CatalogEvent, LineageDeclared
from tests.support.events import at


class LineageRetracted(LineageDeclared):
    """An event type added to the model but not (yet) to the role table."""

    type: Literal["lineage.retracted"] = "lineage.retracted"  # type: ignore[assignment]


def _retracted() -> LineageRetracted:
    return LineageRetracted(
        event_time=at(1),
        downstream="urn:provgraph:dataset:db:a",
        upstream="urn:provgraph:dataset:db:b",
    )


def test_every_event_type_of_the_model_has_a_row() -> None:
    union = get_args(get_args(CatalogEvent)[0])
    types = {model.model_fields["type"].default for model in union}
    assert types == set(EVENT_ROLES)


@pytest.mark.parametrize("role", list(Role))
def test_an_event_type_missing_from_the_table_is_refused_for_every_role(role: Role) -> None:
    event = _retracted()
    assert required_role(event) is None
    reason = refusal(event, role)
    assert reason == "lineage.retracted events have no role that may send them; refused"
    with pytest.raises(EventForbiddenError, match="no role that may send them"):
        authorize([event], role)


def test_the_table_is_what_decides() -> None:
    declared = LineageDeclared(
        event_time=at(1),
        downstream="urn:provgraph:dataset:db:a",
        upstream="urn:provgraph:dataset:db:b",
    )
    assert required_role(declared) is Role.PRODUCER
    assert refusal(declared, Role.PRODUCER) is None
    assert refusal(declared, Role.READER) is not None
