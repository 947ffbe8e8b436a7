"""`provgraph backup` under write load, `provgraph restore`: the restored catalog is exactly the
catalog of the events the backup holds — whole batches up to one sequence number."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission as WriterSubmission
from provgraph.catalog.settings import Settings
from provgraph.client import Client, Submission
from tests.support.dump import dump
from tests.support.events import dataset, run
from tests.support.server import serving


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean | (env or {}),
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


def _demo_backup(tmp_path: Path, *key_args: str) -> Path:
    assert _cli("demo", "--data", str(tmp_path / "data")).returncode == 0
    taken = _cli("backup", str(tmp_path / "b"), "--data", str(tmp_path / "data"), *key_args)
    assert taken.returncode == 0, taken.stderr
    return tmp_path / "b"


def _forge(log: Path) -> None:
    """Rewrite the steward's tag in the backup's log, as an attacker laundering PII would (a
    forged allow decision is the same kind of change: one row's payload)."""
    with closing(sqlite3.connect(log)) as db, db:
        changed = db.execute(
            "UPDATE events SET payload = replace(payload, '\"pii.', '\"ok.') "
            "WHERE payload LIKE '%\"pii.%'"
        ).rowcount
    assert changed, "the demo tags PII"


def _untouched(target: Path) -> None:
    assert not target.exists(), "a refused restore writes nothing"
    assert not [p for p in target.parent.iterdir() if ".restoring-" in p.name]


def test_a_forged_row_in_a_signed_backup_is_refused_and_nothing_is_restored(
    tmp_path: Path,
) -> None:
    key = tmp_path / "backup.key"
    key.write_text("a-secret-of-at-least-sixteen-bytes\n")
    copy = _demo_backup(tmp_path, "--key-file", str(key))
    _forge(copy / "events.sqlite")
    target = tmp_path / "restored"
    refused = _cli("restore", str(copy), "--data", str(target), "--key-file", str(key))
    assert refused.returncode == 8, refused.stderr
    assert "events.sqlite does not match the backup's manifest" in refused.stderr
    _untouched(target)

    # recomputing the digest breaks the signature; dropping the signature is refused with a key
    manifest = json.loads((copy / "backup.json").read_text())
    manifest["files"]["events.sqlite"] = {
        "sha256": hashlib.sha256((copy / "events.sqlite").read_bytes()).hexdigest(),
        "size": (copy / "events.sqlite").stat().st_size,
    }
    (copy / "backup.json").write_text(json.dumps(manifest))
    resigned = _cli("restore", str(copy), "--data", str(target), "--key-file", str(key))
    assert resigned.returncode == 8 and "signature does not match" in resigned.stderr
    manifest["signature"] = None
    (copy / "backup.json").write_text(json.dumps(manifest))
    env_key = {"PROVGRAPH_BACKUP_KEY_FILE": str(key)}
    unsigned = _cli("restore", str(copy), "--data", str(target), env=env_key)
    assert unsigned.returncode == 8 and "not signed" in unsigned.stderr
    _untouched(target)


def test_a_signed_backup_restores_with_its_key_and_only_with_it(tmp_path: Path) -> None:
    key = tmp_path / "backup.key"
    key.write_text("a-secret-of-at-least-sixteen-bytes")
    copy = _demo_backup(tmp_path, "--key-file", str(key))
    target = tmp_path / "restored"
    without = _cli("restore", str(copy), "--data", str(target))
    assert without.returncode == 8 and "is signed: give its key" in without.stderr
    other = tmp_path / "other.key"
    other.write_text("another-secret-of-sixteen-bytes")
    wrong = _cli("restore", str(copy), "--data", str(target), "--key-file", str(other))
    assert wrong.returncode == 8 and "signature does not match" in wrong.stderr
    _untouched(target)
    done = _cli("restore", str(copy), "--data", str(target), "--key-file", str(key))
    assert done.returncode == 0, done.stderr
    assert (target / "graph.lbug").exists() and (
        target / "events.sqlite"
    ).stat().st_mode & 0o077 == 0


def test_a_bad_log_row_leaves_no_half_restored_directory(tmp_path: Path) -> None:
    copy = _demo_backup(tmp_path)  # unsigned: the digests can be rewritten to match
    with closing(sqlite3.connect(copy / "events.sqlite")) as db, db:
        db.execute('UPDATE events SET payload = \'{"not": "an event"}\' WHERE seq = 3')
    manifest = json.loads((copy / "backup.json").read_text())
    manifest["files"]["events.sqlite"]["sha256"] = hashlib.sha256(
        (copy / "events.sqlite").read_bytes()
    ).hexdigest()
    manifest["files"]["events.sqlite"]["size"] = (copy / "events.sqlite").stat().st_size
    (copy / "backup.json").write_text(json.dumps(manifest))
    target = tmp_path / "restored"
    target.mkdir()  # an empty directory given as the target stays as it was
    failed = _cli("restore", str(copy), "--data", str(target))
    assert failed.returncode != 0
    assert target.is_dir() and not any(target.iterdir())
    assert not [p for p in tmp_path.iterdir() if ".restoring-" in p.name]
