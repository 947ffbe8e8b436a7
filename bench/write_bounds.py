"""Bounds of the write path: one big batch, small writes beside it, and the index load.

Prints, in process on a temporary catalog:
1. one batch of E `dataset.registered` events with F fields each: seconds in the writer and
   RSS (MiB) before, after and at peak;
2. small single-event writes sent one after another while that batch commits: how long each
   waited (p50, max) — the stall one client's big batch causes everyone else;
3. loading the lineage index of one dataset with V versions (synthetic records, no store):
   seconds per size, and the ratio to the smallest (linear: ratio of the sizes).

Usage: python bench/write_bounds.py [--events 20] [--fields 10000] [--versions 5000,10000,20000]
Keep sizes small while developing (e.g. --events 4 --fields 2000 --versions 1000,2000,4000).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provgraph.catalog.model.events import DatasetRegistered, FieldSpec
from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from tests.support.events import at


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _wide(name: str, fields: int) -> DatasetRegistered:
    return DatasetRegistered(
        event_time=at(1),
        namespace="db",
        name=name,
        fields=[FieldSpec(name=f"field_{n}", type="string") for n in range(fields)],
    )


def big_batch(events: int, fields: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        catalog = Catalog(Settings(data=Path(scratch) / "data"))
        try:
            catalog.submit([Submission(_wide("warm", 1))], actor="bench")
            batch = [Submission(_wide(f"wide_{n}", fields)) for n in range(events)]
            before = _rss_mib()
            waits: list[float] = []
            done = threading.Event()

            def small_writes() -> None:
                number = 0
                while not done.is_set():
                    started = time.perf_counter()
                    catalog.submit([Submission(_wide(f"small_{number}", 3))], actor="small")
                    waits.append(time.perf_counter() - started)
                    number += 1

            started = time.perf_counter()
            beside = threading.Thread(target=small_writes)
            beside.start()
            outcome = "stored"
            try:
                catalog.submit(batch, actor="bench")
            except Exception as exc:  # a refused batch is a figure too
                outcome = f"refused: {type(exc).__name__}: {str(exc)[:100]}"
            took = time.perf_counter() - started
            done.set()
            beside.join()
            print(f"big batch: {events} events x {fields} fields: {outcome} in {took:.2f} s")
            print(
                f"  RSS before {before:.0f} MiB, after {_rss_mib():.0f} MiB, "
                f"peak {_peak_mib():.0f} MiB"
            )
            if waits:
                print(
                    f"  {len(waits)} small writes beside it: p50 {statistics.median(waits):.3f} s, "
                    f"max {max(waits):.3f} s"
                )
        finally:
            catalog.close()


def index_load(versions: list[int]) -> None:
    first: float | None = None
    for size in versions:
        dataset = Urn.dataset("db", "hourly")
        nodes = [NodeRecord(str(dataset), NodeKind.DATASET, 0, {})]
        edges = []
        for number in range(size):
            version = str(dataset.with_version(f"{number:016x}"))
            nodes.append(NodeRecord(version, NodeKind.DATASET_VERSION, number, {}))
            edges.append(EdgeRecord(EdgeKind.HAS_VERSION, str(dataset), version, number))
        started = time.perf_counter()
        LineageIndex().load(nodes, edges)
        took = time.perf_counter() - started
        first = first or took
        print(
            f"index load, one dataset with {size} versions: {took:.3f} s "
            f"({took / first:.1f}x the first size)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--fields", type=int, default=10_000)
    parser.add_argument("--versions", default="5000,10000,20000")
    args = parser.parse_args()
    index_load([int(v) for v in args.versions.split(",")])
    big_batch(args.events, args.fields)


if __name__ == "__main__":
    main()
