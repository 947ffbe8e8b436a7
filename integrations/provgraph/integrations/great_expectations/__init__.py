"""Great Expectations 1.x validations recorded in provgraph (install extra `provgraph[gx]`).

    from provgraph.integrations.great_expectations import validate, ProvgraphValidationAction
    validate(df, suite, dataset=("file", "/lake/users_clean"))        # pandas or Spark
    gx.Checkpoint(name=..., validation_definitions=[...],
                  actions=[ProvgraphValidationAction(namespace="file", dataset_name="...")])

great_expectations is imported only when something here is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provgraph.integrations.great_expectations.action import ProvgraphValidationAction
    from provgraph.integrations.great_expectations.validation import validate

__all__ = ["ProvgraphValidationAction", "validate"]

_LAZY = {
    "validate": "provgraph.integrations.great_expectations.validation",
    "ProvgraphValidationAction": "provgraph.integrations.great_expectations.action",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
