"""Every release's logged events stay readable: each frozen corpus replays into a fresh store,
on both log adapters, and gives the graph and lineage that release gave."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from provgraph.catalog.model.events import parse_event
from provgraph.catalog.model.graph import canonical_json
from provgraph.catalog.model.idempotency import default_idempotency_key
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from tests.catalog.log.legacy import CORPORA, Corpus, catalog_on_log, corpora
from tests.fixtures.event_log.answers import answers_of

CORPUS = corpora()
IDS = [corpus.folder.name for corpus in CORPUS]


def test_the_first_release_has_a_corpus_written_before_versions() -> None:
    assert (CORPORA / "v1" / "events.jsonl").is_file()
    db = sqlite3.connect(CORPORA / "v1" / "events.sqlite")
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    finally:
        db.close()
    assert "payload" in columns
    assert "schema_version" not in columns  # so the replays below read unversioned rows


@pytest.mark.parametrize("corpus", CORPUS, ids=IDS)
def test_a_sqlite_log_of_each_release_replays_into_a_fresh_store(
    corpus: Corpus, tmp_path: Path
) -> None:
    with catalog_on_log(tmp_path / "data", corpus.folder / "events.sqlite") as catalog:
        assert catalog.recovered == len(corpus.rows)
        assert answers_of(catalog) == corpus.answers
        logged = list(catalog.log.iter_all())
    assert [e.idempotency_key for e in logged] == [r["idempotency_key"] for r in corpus.rows]


@pytest.mark.parametrize("corpus", CORPUS, ids=IDS)
def test_a_postgresql_log_of_each_release_replays_into_a_fresh_store(
    corpus: Corpus, tmp_path: Path, postgres_url: str
) -> None:
    corpus.fill_postgres(postgres_url)
    with Catalog(Settings(data=tmp_path / "data", log=postgres_url)) as catalog:
        assert catalog.recovered == len(corpus.rows)
        assert answers_of(catalog) == corpus.answers


@pytest.mark.parametrize("corpus", CORPUS, ids=IDS)
def test_each_release_keys_its_events_as_today(corpus: Corpus, tmp_path: Path) -> None:
    """A resend of any corpus event is a duplicate: today's default key is the logged one."""
    with catalog_on_log(tmp_path / "data", corpus.folder / "events.sqlite") as catalog:
        logged = list(catalog.log.iter_all())
        by_default = [e for e in logged if e.idempotency_key.startswith("sha256:")]
        assert len(by_default) == len(logged) - 1  # one was sent with its own key
        for event in by_default:
            assert default_idempotency_key(event.event) == event.idempotency_key
        receipts = catalog.submit([Submission(e.event) for e in by_default], actor="resend")
        assert all(r.duplicate for r in receipts)
        assert catalog.log.last_seq() == len(corpus.rows)


def test_the_writer_takes_a_resend_of_a_row_written_with_fewer_fields_as_a_duplicate(
    tmp_path: Path,
) -> None:
    """The writer checks a known key against the row as today's model reads it."""
    corpus = CORPUS[0]
    row = next(r for r in corpus.rows if r["event_type"] == "dataset.registered")
    stored = json.loads(row["payload"])
    older = {key: value for key, value in stored.items() if key != "labels"}
    log_file = tmp_path / "events.sqlite"
    corpus.copy_sqlite(log_file)
    db = sqlite3.connect(log_file)
    try:
        db.execute(
            "UPDATE events SET payload = ? WHERE seq = ?", (canonical_json(older), row["seq"])
        )
        db.commit()
    finally:
        db.close()
    with catalog_on_log(tmp_path / "data", log_file) as catalog:
        event = parse_event(stored)
        receipts = catalog.submit([Submission(event)], actor="resend")
        assert receipts[0].duplicate and receipts[0].seq == row["seq"]
