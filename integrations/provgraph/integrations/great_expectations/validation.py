"""`validate(df, suite, dataset=(namespace, name))` for pandas and Spark DataFrames."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from provgraph.integrations.emitter import emitter
from provgraph.integrations.great_expectations.events import validation_event
from provgraph.integrations.great_expectations.summary import summarize

RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}
"""SUMMARY without sample values: unexpected values may be personal data."""

_lock = threading.Lock()
_context: Any = None


def gx_context() -> Any:
    """The ephemeral GX context validations run in (also GX's active context)."""
    global _context
    import great_expectations as gx

    with _lock:
        if _context is None:
            _context = gx.get_context(mode="ephemeral")
        return _context


def _is_spark(df: Any) -> bool:
    return type(df).__module__.startswith("pyspark.")


def run_validation(df: Any, suite: Any) -> Any:
    """Validate `df` against `suite` in an ephemeral GX context, SUMMARY form, no samples."""
    context = gx_context()
    spark = _is_spark(df)
    source_name = "provgraph_spark" if spark else "provgraph_pandas"
    with _lock:
        try:
            source = context.data_sources.get(source_name)
        except (KeyError, ValueError, LookupError):
            source = (
                context.data_sources.add_spark(source_name)
                if spark
                else context.data_sources.add_pandas(source_name)
            )
        asset_name = f"frame-{uuid.uuid4().hex[:12]}"
        asset = source.add_dataframe_asset(asset_name)
    try:
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
            batch_parameters={"dataframe": df}
        )
        return batch.validate(suite, result_format=RESULT_FORMAT)
    finally:
        with _lock:
            source.delete_asset(asset_name)


def validate(
    df: Any,
    suite: Any,
    *,
    dataset: tuple[str, str],
    url: str | None = None,
    token: str | None = None,
    job: str | None = None,
    wait: float | None = 30.0,
) -> Any:
    """Run `suite` (a `great_expectations.ExpectationSuite`) on `df` and record the outcome as a
    ValidationResult on the newest version of `dataset` (OpenLineage namespace and name).

    Returns GX's `ExpectationSuiteValidationResult`. The catalog being down never raises: the
    result is queued and retried (`wait` seconds are spent waiting for it to be sent; None:
    do not wait).
    """
    namespace, name = dataset
    if not namespace or not name:
        raise ValueError("dataset=(namespace, name) names the validated dataset")
    result = run_validation(df, suite)
    sink = emitter(url, token)
    sink.emit(validation_event(summarize(result.to_json_dict()), (namespace, name), job=job))
    if wait is not None:
        sink.flush(wait)
    return result
