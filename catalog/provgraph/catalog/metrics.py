"""Prometheus metrics of the catalog, served at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_APPENDED = Counter("provgraph_events_appended_total", "Events durably appended", ["type"])
EVENTS_DUPLICATE = Counter("provgraph_events_duplicate_total", "Events ignored as duplicates")
EVENTS_REJECTED = Counter("provgraph_events_rejected_total", "Event batches rejected as invalid")
EVENTS_RECOVERED = Counter(
    "provgraph_events_recovered_total", "Logged events applied on start after a crash"
)
APPLY_SECONDS = Histogram("provgraph_apply_seconds", "Time to apply one batch to the graph store")
LINEAGE_SECONDS = Histogram(
    "provgraph_lineage_seconds",
    "Time to answer one lineage query from the index",
    buckets=(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0),
)
WRITER_QUEUED = Gauge("provgraph_writer_queued", "Batches waiting for the writer thread")
INDEX_NODES = Gauge("provgraph_index_nodes", "Nodes in the in-memory lineage index")
INDEX_EDGES = Gauge("provgraph_index_edges", "Edges in the in-memory lineage index")
HTTP_REQUESTS = Counter(
    "provgraph_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
EVENTS_NOT_APPLIED = Counter(
    "provgraph_events_not_applied_total",
    "Logged events the applier left out: refused in sequence order (servers sharing a log)",
)
APPLIER = Gauge("provgraph_applier", "1 while this server holds the applier lease")
LAG_EVENTS = Gauge(
    "provgraph_index_lag_events", "Logged events this server's indexes do not reflect yet"
)
LAG_SECONDS = Gauge(
    "provgraph_index_lag_seconds",
    "Age of the oldest logged event this server's indexes do not reflect yet (0 when current)",
)
INDEX_SEQ = Gauge("provgraph_index_seq", "The sequence number this server's indexes reflect")
