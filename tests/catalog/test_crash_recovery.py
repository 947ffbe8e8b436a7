"""A process killed with SIGKILL between log append and graph apply loses nothing on restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import demo_phases, load_demo
from provgraph.catalog.settings import Settings
from tests.support.demo import DEMO_COUNTS, DEMO_EVENTS
from tests.support.dump import dump

PHASE_ONE_EVENTS = len(demo_phases()[0](lambda name: name))
REPO = Path(__file__).resolve().parents[2]


def test_kill_after_log_append_then_restart(tmp_path: Path) -> None:
    data = tmp_path / "crashed"
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.support.crash_demo", str(data)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ},
        timeout=120,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    with Catalog(Settings(data=data)) as catalog:
        assert catalog.log.last_seq() == PHASE_ONE_EVENTS
        assert catalog.recovered == PHASE_ONE_EVENTS
        assert catalog.store.applied_seq() == PHASE_ONE_EVENTS
        load_demo(catalog)  # the rest of the demo; phase one is all duplicates now
        assert catalog.log.last_seq() == DEMO_EVENTS
        recovered = dump(catalog.store)

    with Catalog(Settings(data=tmp_path / "clean")) as clean:
        load_demo(clean)
        assert dump(clean.store) == recovered


def test_restart_without_crash_reapplies_nothing(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    with Catalog(settings) as catalog:
        load_demo(catalog)
    with Catalog(settings) as reopened:
        assert reopened.recovered == 0
        assert reopened.index.counts() == DEMO_COUNTS
