"""The data directory refuses foreign directories and a second process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from provgraph.catalog.datadir import DataDir
from provgraph.catalog.model.errors import DataDirError, DataDirLockedError


def test_a_foreign_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(DataDirError, match="not a provgraph data directory"):
        DataDir(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


def test_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(DataDirError, match="is a file"):
        DataDir(target)


def test_a_second_process_is_refused(tmp_path: Path) -> None:
    first = DataDir(tmp_path / "data")
    try:
        code = (
            "from pathlib import Path; from provgraph.catalog.datadir import DataDir; "
            "DataDir(Path(%r))"
        )
        probe = subprocess.run(
            [sys.executable, "-c", code % str(tmp_path / "data")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert probe.returncode != 0
        assert (
            "DataDirLockedError" in probe.stderr
            and "in use by another provgraph process" in probe.stderr
        )
    finally:
        first.close()
    DataDir(tmp_path / "data").close()


def test_locked_in_process_too(tmp_path: Path) -> None:
    first = DataDir(tmp_path / "data")
    try:
        with pytest.raises(DataDirLockedError):
            DataDir(tmp_path / "data")
    finally:
        first.close()


def test_a_newer_format_is_refused(tmp_path: Path) -> None:
    DataDir(tmp_path / "data").close()
    (tmp_path / "data" / "provgraph.json").write_text('{"format": 99}')
    with pytest.raises(DataDirError, match="format 99"):
        DataDir(tmp_path / "data")
