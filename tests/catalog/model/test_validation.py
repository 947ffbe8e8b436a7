"""One way to tell a caller what failed validation: where (a dotted path) and what."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from provgraph.catalog.model.validation import describe, first_problem


class _Inner(BaseModel):
    size: int


class _Outer(BaseModel):
    name: str
    inner: _Inner


def _error(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Outer.model_validate(data)
    return caught.value


def test_first_problem_names_the_dotted_path() -> None:
    where, what = first_problem(_error({"name": "a", "inner": {"size": "x"}}))
    assert where == "inner.size" and "integer" in what
    assert first_problem(_error({"name": "a", "inner": {"size": "x"}}), skip=1)[0] == "size"


def test_the_top_level_has_no_path() -> None:
    error = _error("not an object")
    assert first_problem(error)[0] is None
    assert describe(error) == first_problem(error)[1]
    assert describe(error, top="(event)").startswith("(event): ")


def test_several_problems_are_joined_and_counted() -> None:
    error = _error({"inner": {}})
    assert describe(error) == "name: Field required (and 1 more)"
    assert describe(error, most=5) == "name: Field required; inner.size: Field required"
