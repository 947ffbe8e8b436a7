"""How a pydantic validation error is told to a caller: where (a dotted path) and what."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails


def _where(error: ErrorDetails, skip: int) -> str | None:
    return ".".join(str(part) for part in error["loc"][skip:]) or None


def first_problem(exc: ValidationError, *, skip: int = 0) -> tuple[str | None, str]:
    """(where, what) of the first problem; where is None at the top level. `skip` leaves out
    leading path parts the caller did not write (e.g. the event type of a tagged union)."""
    first = exc.errors()[0]
    return _where(first, skip), first["msg"]


def describe(exc: ValidationError, *, skip: int = 0, most: int = 1, top: str = "") -> str:
    """'where: what' for the first `most` problems ('; '-joined, saying how many more), with
    `top` naming the top level (just 'what' when `top` is empty)."""
    parts = []
    for error in exc.errors()[:most]:
        where = _where(error, skip) or top
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    more = exc.error_count() - most
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
