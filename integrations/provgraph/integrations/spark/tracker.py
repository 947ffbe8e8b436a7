"""`track(spark)`: a QueryExecutionListener written in Python, registered through py4j.

Spark calls the listener on its listener-bus thread after each action, never on the action's
own thread. The listener takes what it needs over py4j (the analyzed plan's JSON, the datasets
of its leaves, the write target: a few calls) and hands the rest — walking the plan, building
the OpenLineage events, sending them — to the emitter's sender thread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from openlineage.client.facet_v2 import DatasetFacet

from provgraph.integrations.emitter import Emitter, emitter
from provgraph.integrations.run_events import error_summary
from provgraph.integrations.spark.capture import Write, capture_write
from provgraph.integrations.spark.events import JobContext, Outcome, run_events
from provgraph.integrations.spark.lineage import DatasetId, PlanLineage, plan_lineage
from provgraph.integrations.spark.plan import PlanFormatError, PlanNode, leaf_output, parse_plan

log = logging.getLogger("provgraph.integrations.spark")

CONF_URL = "spark.provgraph.url"
CONF_TOKEN = "spark.provgraph.token"
CONF_NAMESPACE = "spark.provgraph.namespace"
CONF_ENABLED = "spark.provgraph.enabled"


def lineage_of(write: Write) -> PlanLineage:
    """Column lineage of a captured write (dataset-level when the plan cannot be walked)."""
    leaves = write.leaves

    def resolve(node: PlanNode) -> DatasetId | None:
        index = node.leaf_index
        if index is None:
            output = leaf_output(node)
            return write.subquery_leaves.get(output[0].expr_id) if output else None
        return leaves[index] if index < len(leaves) else None

    try:
        found = plan_lineage(parse_plan(write.plan_json), resolve)
    except PlanFormatError as exc:
        stopped = PlanLineage(stopped_at=f"unreadable plan ({exc})")
        stopped.inputs = {d: [] for d in leaves if d is not None}
        return stopped
    names = write.output_names
    if names is not None and found.stopped_at is None and len(names) == len(found.fields):
        found.fields = dict(zip(names, found.fields.values(), strict=True))
        found.output_types = dict(zip(names, found.output_types.values(), strict=True))
    return found


def _code() -> tuple[str | None, str | None]:
    """The driver script and its version: the git commit (`-dirty` with local changes) when it
    is in a repository, else a digest of the script."""
    from provgraph.integrations.environment import code_version

    git = code_version()
    if git is not None:
        return f"file://{git.path}", git.commit + ("-dirty" if git.dirty else "")
    script = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if not script or not os.path.isfile(script):
        return None, None
    path = os.path.abspath(script)
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()[:16]
    except OSError:
        return path, None
    return path, f"sha256:{digest}"


class Tracker:
    """Tracking of one Spark session; `flush()` waits until its events reached the catalog."""

    def __init__(self, spark: Any, sink: Emitter, namespace: str) -> None:
        from pyspark import __version__ as spark_version

        self._spark = spark
        self.emitter = sink
        location, version = _code()
        self.context = JobContext(
            namespace=namespace,
            app_name=str(spark.sparkContext.appName),
            spark_version=spark_version,
            code_location=location,
            code_version=version,
        )
        self.writes_seen = 0
        self._expected: dict[DatasetId, dict[str, DatasetFacet]] = {}
        self._expected_lock = threading.Lock()
        self._listener = _Listener(self)
        self._registered = False

    def register(self) -> None:
        from pyspark.java_gateway import ensure_callback_server_started

        ensure_callback_server_started(self._spark.sparkContext._gateway)  # type: ignore[no-untyped-call]
        self._spark._jsparkSession.listenerManager().register(self._listener)
        self._registered = True

    def stop(self) -> None:
        self._listener.active = False  # py4j may hand Spark another proxy to unregister
        if self._registered:
            self._spark._jsparkSession.listenerManager().unregister(self._listener)
            self._registered = False

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Wait for Spark's listener bus, then for the sender; False if `timeout` ran out."""
        try:
            bus = self._spark.sparkContext._jsc.sc().listenerBus()
            millis = int((timeout if timeout is not None else 3600) * 1000)
            bus.waitUntilEmpty(millis)
        except Exception as exc:  # a stopped context has nothing left to report
            log.debug("provgraph: listener bus not drained: %s", exc)
        return self.emitter.flush(timeout)

    def expect(self, target: DatasetId, facets: dict[str, DatasetFacet]) -> None:
        """Add `facets` to the output of the next write to `target` (feature materialization)."""
        with self._expected_lock:
            self._expected[target] = facets

    def forget(self, target: DatasetId) -> None:
        with self._expected_lock:
            self._expected.pop(target, None)

    def handle(self, function: str, execution: Any, outcome: Outcome) -> None:
        write = capture_write(function, execution)
        if write is None:
            return
        self.writes_seen += 1
        with self._expected_lock:
            extra = self._expected.pop(write.target, None) if outcome.error is None else None
        self.emitter.submit(lambda: self._emit(write, outcome, extra))

    def _emit(self, write: Write, outcome: Outcome, extra: dict[str, Any] | None) -> None:
        events = run_events(
            write, lineage_of(write), self.context, outcome, extra_output_facets=extra
        )
        for event in events:
            self.emitter.emit(event)


def _error_of(exception: Any) -> str:
    """The failed action's error as the catalog may keep it (no message: it can quote data)."""
    try:
        error_type = str(exception.getClass().getName())
    except Exception:
        return error_summary("error")
    condition = None
    for getter in ("getCondition", "getErrorClass"):  # SparkThrowable, Spark 4 and 3
        try:
            value = getattr(exception, getter)()
        except Exception:
            continue
        if value is not None:
            condition = str(value)
            break
    return error_summary(error_type, condition)


class _Listener:
    """py4j proxy for org.apache.spark.sql.util.QueryExecutionListener."""

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker
        self.active = True

    def onSuccess(self, function: str, execution: Any, duration_ns: int) -> None:  # noqa: N802
        finished = datetime.now(UTC)
        self._safely(
            function, execution, Outcome(finished, timedelta(microseconds=duration_ns // 1000))
        )

    def onFailure(self, function: str, execution: Any, exception: Any) -> None:  # noqa: N802
        finished = datetime.now(UTC)
        self._safely(
            function, execution, Outcome(finished, timedelta(0), error=_error_of(exception))
        )

    def _safely(self, function: str, execution: Any, outcome: Outcome) -> None:
        if not self.active:
            return
        try:
            self._tracker.handle(function, execution, outcome)
        except Exception:  # never break the Spark job or the listener bus
            log.exception("provgraph: could not capture the lineage of a Spark action")

    class Java:
        implements = ["org.apache.spark.sql.util.QueryExecutionListener"]


_lock = threading.Lock()
_trackers: dict[int, Tracker] = {}


def _conf(spark: Any, key: str) -> str | None:
    value = spark.conf.get(key, None)
    return str(value) if value else None


def track(
    spark: Any,
    url: str | None = None,
    token: str | None = None,
    *,
    namespace: str | None = None,
) -> Tracker:
    """Record the lineage of every write `spark` does from now on; idempotent per session and
    catalog (tracking a session again for another catalog or token re-points it).

    `url`/`token` default to the session's `spark.provgraph.url`/`spark.provgraph.token`, then
    to `PROVGRAPH_URL`/`PROVGRAPH_TOKEN`. Jobs are named in `namespace` (default
    `spark.provgraph.namespace`, else `spark://<app name>`).
    """
    key = id(spark._jsparkSession)
    with _lock:
        url = url or _conf(spark, CONF_URL)
        token = token if token is not None else _conf(spark, CONF_TOKEN)
        found = _trackers.get(key)
        if found is not None:
            if found.emitter is emitter(url, token):
                return found
            # tracked before for another catalog or token: send there from now on
            found.stop()
            del _trackers[key]
        namespace = (
            namespace or _conf(spark, CONF_NAMESPACE) or f"spark://{spark.sparkContext.appName}"
        )
        tracker = Tracker(spark, emitter(url, token), namespace)
        tracker.register()
        _trackers[key] = tracker
        return tracker


def untrack(spark: Any) -> None:
    with _lock:
        tracker = _trackers.pop(id(spark._jsparkSession), None)
    if tracker is not None:
        tracker.stop()


def tracker_of(spark: Any) -> Tracker | None:
    with _lock:
        return _trackers.get(id(spark._jsparkSession))


def dataframe_lineage(df: Any) -> PlanLineage:
    """Column lineage of a DataFrame's analyzed plan, without running it."""
    from provgraph.integrations.spark.capture import query_parts

    plan_json, leaves, _, _, subquery_leaves = query_parts(df._jdf.queryExecution().analyzed())
    write = Write(
        action="inspect",
        command="DataFrame",
        target=DatasetId("", ""),
        plan_json=plan_json,
        leaves=leaves,
        schema=[],
        subquery_leaves=subquery_leaves,
    )
    return lineage_of(write)
