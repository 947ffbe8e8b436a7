"""Whether a query selects a field, so expensive parts are computed only when asked for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info


def selects(info: Info[Any, Any], name: str) -> bool:
    """True if `name` is selected anywhere under the current field (fragments included)."""
    return any(_contains(field.selections, name) for field in info.selected_fields)


def _contains(selections: Iterable[Any], name: str) -> bool:
    for selection in selections:
        if getattr(selection, "name", None) == name:
            return True
        if _contains(getattr(selection, "selections", []) or [], name):
            return True
    return False
