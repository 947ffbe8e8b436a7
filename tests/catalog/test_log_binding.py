"""A graph store is refused with another, a shorter or an empty event log; rebuild recovers."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from provgraph.catalog.model.errors import LogMismatchError
from provgraph.catalog.service.catalog import Catalog, rebuild
from provgraph.catalog.service.demo import demo_phases, load_demo
from provgraph.catalog.settings import Settings
from tests.support.demo import DEMO_EVENTS
from tests.support.events import dataset, subs

PHASE_ONE = len(demo_phases()[0](lambda name: name))


def _demo(tmp_path: Path, name: str = "data") -> Settings:
    settings = Settings(data=tmp_path / name)
    with Catalog(settings) as catalog:
        load_demo(catalog)
    return settings


def _log_files(settings: Settings) -> list[Path]:
    return sorted(settings.data.glob("events.sqlite*"))


def _applied(settings: Settings) -> int:
    from provgraph.catalog.store.ladybug.adapter import LadybugStore

    store = LadybugStore(settings.data / "graph.lbug")
    try:
        return store.applied_seq()
    finally:
        store.close()


def test_a_deleted_log_is_refused(tmp_path: Path) -> None:
    settings = _demo(tmp_path)
    for path in _log_files(settings):
        path.unlink()
    with pytest.raises(LogMismatchError, match="deleted, emptied or replaced") as refused:
        Catalog(settings)
    assert "provgraph rebuild" in str(refused.value)
    assert _applied(settings) == DEMO_EVENTS  # nothing was changed


def test_a_log_truncated_to_zero_is_refused(tmp_path: Path) -> None:
    settings = _demo(tmp_path)
    for path in _log_files(settings):
        if path.name == "events.sqlite":
            path.write_bytes(b"")
        else:
            path.unlink()
    with pytest.raises(LogMismatchError):
        Catalog(settings)


def test_a_log_restored_from_an_older_backup_is_refused(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    backup = tmp_path / "events.backup.sqlite"
    with Catalog(settings) as catalog:
        catalog.submit(subs(dataset("early", "id")), actor="test")
        with sqlite3.connect(backup) as copy:
            sqlite3.connect(settings.data / "events.sqlite").backup(copy)
        catalog.submit(subs(dataset("later", "id")), actor="test")
    for path in _log_files(settings):
        path.unlink()
    shutil.copy(backup, settings.data / "events.sqlite")
    with pytest.raises(LogMismatchError, match="applied 2 events but the event log holds only 1"):
        Catalog(settings)


def test_another_catalogs_log_is_refused(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    with Catalog(settings) as catalog:
        catalog.submit(subs(dataset("mine", "id")), actor="test")
    other = _demo(tmp_path, "other")  # a longer log, of another catalog
    for path in _log_files(settings):
        path.unlink()
    for path in _log_files(other):
        shutil.copy(path, settings.data / path.name)
    with pytest.raises(LogMismatchError, match="built from event log"):
        Catalog(settings)


def test_rebuild_from_the_log_you_have_recovers(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    backup = tmp_path / "events.backup.sqlite"
    with Catalog(settings) as catalog:
        load_demo(catalog)
        with sqlite3.connect(backup) as copy:
            sqlite3.connect(settings.data / "events.sqlite").backup(copy)
        catalog.submit(subs(dataset("after_backup", "id")), actor="test")
    for path in _log_files(settings):
        path.unlink()
    shutil.copy(backup, settings.data / "events.sqlite")
    with pytest.raises(LogMismatchError):
        Catalog(settings)
    assert rebuild(settings) == DEMO_EVENTS
    with Catalog(settings) as recovered:
        assert recovered.store.applied_seq() == recovered.log.last_seq() == DEMO_EVENTS
        assert not recovered.index.has("urn:provgraph:dataset:db:after_backup")
        receipt = recovered.submit(subs(dataset("after_backup", "id")), actor="test")[0]
        assert receipt.seq == DEMO_EVENTS + 1 and not receipt.duplicate
    with Catalog(settings) as reopened:  # the acknowledged event survives a restart
        assert reopened.index.has("urn:provgraph:dataset:db:after_backup")


def test_serve_refuses_to_start_without_its_log(tmp_path: Path) -> None:
    settings = _demo(tmp_path)
    assert PHASE_ONE < DEMO_EVENTS
    for path in _log_files(settings):
        path.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "serve", "--data", str(settings.data)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert done.returncode == 6
    assert done.stderr.startswith("provgraph: error: the graph store was built from event log")
    assert "Traceback" not in done.stderr
    assert "provgraph rebuild" in done.stderr
