"""A Great Expectations validation result in SUMMARY form with no raw values.

Only counts, percentages, outcomes and names are kept (a whitelist, not a blacklist): the
values GX may put in a result (`partial_unexpected_list`, `unexpected_list`, `observed_value`,
`details`, the expectation's own arguments) can be personal data and never leave the process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COUNTS = (
    "element_count",
    "unexpected_count",
    "unexpected_percent",
    "missing_count",
    "missing_percent",
)
STATISTICS = (
    "evaluated_expectations",
    "successful_expectations",
    "unsuccessful_expectations",
    "success_percent",
)
COLUMN_KWARGS = ("column", "column_A", "column_B")


@dataclass(frozen=True)
class Outcome:
    expectation: str
    success: bool
    column: str | None
    counts: dict[str, float] = field(default_factory=dict)
    raised_exception: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "success": self.success,
            "column": self.column,
            "raisedException": self.raised_exception,
            **self.counts,
        }


@dataclass(frozen=True)
class Summary:
    suite: str
    success: bool
    statistics: dict[str, float]
    outcomes: list[Outcome]

    @property
    def row_count(self) -> int | None:
        counts = [o.counts.get("element_count") for o in self.outcomes]
        found = [int(c) for c in counts if c is not None]
        return max(found) if found else None

    def null_counts(self) -> dict[str, int]:
        return {
            o.column: int(o.counts["unexpected_count"])
            for o in self.outcomes
            if o.expectation == "expect_column_values_to_not_be_null"
            and o.column
            and "unexpected_count" in o.counts
        }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def summarize(result: dict[str, Any]) -> Summary:
    """`ExpectationSuiteValidationResult.to_json_dict()` -> Summary."""
    outcomes = []
    for item in result.get("results") or []:
        config = item.get("expectation_config") or {}
        kwargs = config.get("kwargs") or {}
        column = next(
            (str(kwargs[k]) for k in COLUMN_KWARGS if isinstance(kwargs.get(k), str)), None
        )
        raw = item.get("result") or {}
        counts = {k: v for k in COUNTS if (v := _number(raw.get(k))) is not None}
        exception = item.get("exception_info") or {}
        outcomes.append(
            Outcome(
                expectation=str(config.get("type") or "unknown"),
                success=bool(item.get("success")),
                column=column,
                counts=counts,
                raised_exception=bool(exception.get("raised_exception")),
            )
        )
    statistics = result.get("statistics") or {}
    return Summary(
        suite=str(result.get("suite_name") or "suite"),
        success=bool(result.get("success")),
        statistics={k: v for k in STATISTICS if (v := _number(statistics.get(k))) is not None},
        outcomes=outcomes,
    )
