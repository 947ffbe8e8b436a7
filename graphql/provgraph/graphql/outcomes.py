"""Run a service call and turn expected failures into union members."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from provgraph.catalog.model.errors import (
    InvalidArgumentError,
    InvalidUrnError,
    NodeNotFoundError,
)
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
