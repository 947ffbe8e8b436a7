"""`provgraph backup` under write load, `provgraph restore`: the restored catalog is exactly the
catalog of the events the backup holds — whole batches up to one sequence number."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission as WriterSubmission
from provgraph.catalog.settings import Settings
from provgraph.client import Client, Submission
from tests.support.dump import dump
from tests.support.events import dataset, run
from tests.support.server import serving


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _batch(number: int) -> list[Submission]:
    source, output = f"raw_{number}", f"clean_{number}"
    return [
        Submission(dataset(source, "id", "email", tags={"email": ["pii.email"]})),
        Submission(run(f"job_{number}", [source], output, ["id"], {"id": [(source, "id")]})),
    ]


def test_a_backup_taken_under_load_restores_to_an_identical_catalog(tmp_path: Path) -> None:
    data, copy, restored = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    sent: list[tuple[list[int], list[Submission]]] = []
    stop = threading.Event()
    with serving(data) as server:

        def load() -> None:
            with Client(server.url) as client:
                number = 0
                while not stop.is_set():
                    batch = _batch(number)
                    accepted = client.submit(batch)
                    sent.append(([r.seq for r in accepted.receipts], batch))
                    number += 1

        writer = threading.Thread(target=load)
        writer.start()
        try:
            while len(sent) < 20:
                time.sleep(0.05)
            taken = _cli("backup", str(copy), "--data", str(data))
            backed_up_at = len(sent)
            while len(sent) < backed_up_at + 20:
                time.sleep(0.05)
        finally:
            stop.set()
            writer.join()
        assert taken.returncode == 0, taken.stderr
    last_seq = json.loads((copy / "backup.json").read_text())["last_seq"]
    assert 0 < last_seq < sent[-1][0][-1], "the backup was taken while events were written"
    for seqs, _ in sent:  # whole batches only
        assert all(s <= last_seq for s in seqs) or all(s > last_seq for s in seqs)

    done = _cli("restore", str(copy), "--data", str(restored))
    assert done.returncode == 0 and f"from {last_seq} logged events" in done.stdout, done.stderr

    expected_settings = Settings(data=tmp_path / "expected")
    with Catalog(expected_settings) as expected:
        for seqs, batch in sent:
            if seqs[-1] <= last_seq:
                expected.submit(
                    [WriterSubmission(s.event) for s in batch], actor="anonymous@127.0.0.1"
                )
        expected_dump = dump(expected.store)
    with Catalog(Settings(data=restored)) as catalog:
        assert catalog.log.last_seq() == last_seq == catalog.store.applied_seq()
        assert dump(catalog.store) == expected_dump
        # the restored log still knows every event: a resend is a duplicate
        first = sent[0][1][0].event
        assert catalog.submit([WriterSubmission(first)], actor="x")[0].duplicate


def test_restore_refuses_a_non_empty_directory_and_a_non_backup(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    (tmp_path / "nothing").mkdir()
    refused = _cli("restore", str(tmp_path / "nothing"), "--data", str(tmp_path / "busy"))
    assert refused.returncode == 5 and "not a provgraph backup" in refused.stderr
    made = _cli("demo", "--data", str(tmp_path / "data"))
    assert made.returncode == 0
    assert _cli("backup", str(tmp_path / "b"), "--data", str(tmp_path / "data")).returncode == 0
    occupied = _cli("restore", str(tmp_path / "b"), "--data", str(tmp_path / "busy"))
    assert occupied.returncode == 5 and "not empty" in occupied.stderr
    again = _cli("backup", str(tmp_path / "b"), "--data", str(tmp_path / "data"))
    assert again.returncode == 5 and "not empty" in again.stderr
