"""Lineage traversal, side by side on one synthetic graph per size.

  provgraph index    LineageIndex.traverse (the engine behind every lineage query)
  provgraph service  LineageService.lineage (engine + typed result models, what the API serves)
  postgres CTE       a recursive CTE over the same edges (Marquez's approach), over loopback
  rustworkx          bfs_layers over an in-memory graph of the currently valid edges

Upstream queries start at deployments, downstream queries at derived datasets; depth 20,
as of now. Usage: python bench/lineage.py [--sizes 10000 100000 1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
import rustworkx as rx

from bench.generator import SyntheticGraph, generate
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.timeutil import OPEN_END
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.lineage import LineageService
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.summaries import NodeSummaries
from provgraph.catalog.service.traversal import Direction, TraversalLimits
from tests.support.ports import free_port
from tests.support.postgres import postgres_server

DEPTH = 20
NOW = 2**62
PAST = 1_700_000_000_000_000 + 200 * 86_400 * 1_000_000  # inside the generated history


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(queries: list[str], run: Callable[[str], int]) -> tuple[float, float, float]:
    """p50 and p95 in milliseconds, and the mean result size."""
    for urn in queries[:10]:
        run(urn)  # warm up
    samples, sizes = [], []
    for urn in queries:
        started = time.perf_counter()
        sizes.append(run(urn))
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.95) - 1], statistics.mean(sizes)


def load_postgres(
    conn: psycopg.Connection[tuple[int, ...]], graph: SyntheticGraph, ids: dict[str, int]
) -> None:
    conn.execute("CREATE TABLE edges (src int, dst int, valid_from bigint, valid_to bigint)")
    buffer = io.StringIO()
    for e in graph.edges:
        buffer.write(f"{ids[e.src]}\t{ids[e.dst]}\t{e.valid_from}\t{e.valid_to}\n")
    with conn.cursor().copy("COPY edges FROM STDIN") as copy:
        copy.write(buffer.getvalue())
    conn.execute("CREATE INDEX ON edges (src)")
    conn.execute("CREATE INDEX ON edges (dst)")
    conn.execute("ANALYZE edges")
    conn.commit()


_CTE = """
WITH RECURSIVE walk(id, depth) AS (
  SELECT %(start)s::int, 0
  UNION
  SELECT e.{far}, walk.depth + 1 FROM edges e JOIN walk ON e.{near} = walk.id
  WHERE walk.depth < %(depth)s AND e.valid_from <= %(at)s AND %(at)s < e.valid_to
)
SELECT count(DISTINCT id) FROM walk
"""


class _Stored:
    """The synthetic graph's nodes whose summary reads the store (model versions, deployments),
    with the properties the projection gives them, kept by URN: the store's batch read without
    a store, so the figures are the service's own work."""

    def __init__(self, nodes: list[NodeRecord]) -> None:
        kinds = {NodeKind.DEPLOYMENT, NodeKind.MODEL_VERSION}
        self._nodes = {n.urn: _with_props(n) for n in nodes if n.kind in kinds}

    def get_nodes(self, urns: Sequence[str]) -> dict[str, NodeRecord]:
        return {urn: self._nodes[urn] for urn in urns if urn in self._nodes}


def _with_props(node: NodeRecord) -> NodeRecord:
    urn = Urn.parse(node.urn)
    props: dict[str, object] = (
        {"environment": urn.namespace, "name": urn.name, "model_version": ""}
        if node.kind is NodeKind.DEPLOYMENT
        else {"artifact_digest": urn.version, "stage": "production"}
    )
    return NodeRecord(node.urn, node.kind, node.created_at, props)


def bench_size(
    size: int, queries: int, conn: psycopg.Connection[tuple[int, ...]]
) -> dict[str, object]:
    graph = generate(size)
    rng = random.Random(7)
    ups = rng.choices(graph.deployments, k=queries)
    downs = rng.choices(graph.derived, k=queries)
    ids = {n.urn: i for i, n in enumerate(graph.nodes)}

    base_rss = rss_mb()
    started = time.perf_counter()
    index = LineageIndex()
    index.load(graph.nodes, graph.edges)
    build_s = time.perf_counter() - started
    service = LineageService(index, NodeSummaries(_Stored(graph.nodes)))
    limits = TraversalLimits(depth=DEPTH, limit=1_000_000, deadline_s=60)

    up_graph, down_graph = rx.PyDiGraph(), rx.PyDiGraph()
    up_graph.add_nodes_from(range(len(graph.nodes)))
    down_graph.add_nodes_from(range(len(graph.nodes)))
    current = [(ids[e.src], ids[e.dst]) for e in graph.edges if e.valid_to == OPEN_END]
    up_graph.add_edges_from_no_data(current)
    down_graph.add_edges_from_no_data([(b, a) for a, b in current])

    conn.execute("DROP TABLE IF EXISTS edges")
    load_postgres(conn, graph, ids)
    edges = len(graph.edges)
    del graph, current
    gc.collect()

    def engine(direction: Direction, at: int | None = None) -> Callable[[str], int]:
        return lambda urn: len(index.traverse(urn, direction, at=at, limits=limits).hops)

    def full(direction: Direction, edges: bool) -> Callable[[str], int]:
        def run(urn: str) -> int:
            result = service.lineage(
                urn, direction=direction, depth=DEPTH, limit=100_000, include_edges=edges
            )
            return len(result.nodes)

        return run

    def cte(near: str, far: str) -> Callable[[str], int]:
        sql = _CTE.format(near=near, far=far)

        def run(urn: str) -> int:
            row = conn.execute(
                sql, {"start": ids[urn], "depth": DEPTH, "at": NOW}, prepare=True
            ).fetchone()
            assert row is not None
            return int(row[0])

        return run

    def rustworkx(graph_: rx.PyDiGraph) -> Callable[[str], int]:
        return lambda urn: sum(
            len(layer) for layer in rx.bfs_layers(graph_, [ids[urn]])[: DEPTH + 1]
        )

    results: dict[str, object] = {"size": size, "edges": edges, "build_s": build_s}
    for label, starts, direction, near, far, rgraph in (
        ("upstream", ups, Direction.UPSTREAM, "src", "dst", up_graph),
        ("downstream", downs, Direction.DOWNSTREAM, "dst", "src", down_graph),
    ):
        results[label] = {
            "provgraph index": timed(starts, engine(direction)),
            "provgraph index, as-of": timed(starts, engine(direction, PAST)),
            "provgraph service, nodes": timed(starts, full(direction, False)),
            "provgraph service, nodes+edges": timed(starts, full(direction, True)),
            "postgres CTE": timed(starts, cte(near, far)),
            "rustworkx": timed(starts, rustworkx(rgraph)),
        }
    results["index_rss_mb"] = rss_mb() - base_rss
    return results


def report(results: dict[str, object]) -> None:
    print(
        f"\n## {results['size']:,} nodes, {results['edges']:,} edges "
        f"(index built in {results['build_s']:.1f} s, +{results['index_rss_mb']:.0f} MB RSS)"
    )
    print("| query | engine | p50 ms | p95 ms | nodes/result |")
    print("|---|---|---:|---:|---:|")
    for label in ("upstream", "downstream"):
        rows = results[label]
        assert isinstance(rows, dict)
        for engine, (p50, p95, size) in rows.items():
            print(f"| {label} | {engine} | {p50:.3f} | {p95:.3f} | {size:.0f} |")
        ours = rows["provgraph index"][1]
        versus_postgres = rows["postgres CTE"][1] / ours
        versus_rustworkx = ours / rows["rustworkx"][1]
        print(
            f"| {label} | **p95 ratios** | postgres/provgraph = {versus_postgres:.1f}x | "
            f"provgraph/rustworkx = {versus_rustworkx:.1f}x | |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with (
        postgres_server(free_port(), shared_buffers="512MB") as server,
        psycopg.connect(server.dsn) as conn,
    ):
        for size in args.sizes:
            report(bench_size(size, args.queries, conn))


if __name__ == "__main__":
    main()
