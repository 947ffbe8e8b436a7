"""Run a service call and turn expected failures into union members."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from provgraph.catalog.model.errors import (
    InvalidArgumentError,
    InvalidUrnError,
    NodeNotFoundError,
)
from provgraph.catalog.model.validation import describe, first_problem
from provgraph.graphql.types.errors import InvalidInputError, NotFoundError

T = TypeVar("T")


def guarded(call: Callable[[], T], *, field: str = "urn") -> T | NotFoundError | InvalidInputError:
    try:
        return call()
    except NodeNotFoundError as exc:
        return NotFoundError(message=str(exc), urn=exc.urn)
    except InvalidUrnError as exc:
        return InvalidInputError(message=str(exc), field=field)
    except InvalidArgumentError as exc:
        return InvalidInputError(message=str(exc), field=None)


def invalid_input(exc: ValidationError, *, skip: int = 0) -> InvalidInputError:
    """The first problem of an input that failed validation, naming the field it is in."""
    where, _ = first_problem(exc, skip=skip)
    return InvalidInputError(message=describe(exc, skip=skip), field=where)
