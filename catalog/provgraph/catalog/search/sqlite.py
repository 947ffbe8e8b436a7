"""SearchIndex on SQLite FTS5 (stdlib, offline): a side index rebuilt from the graph when stale.

Ranking blends text relevance (bm25, name and tags weighted highest) with curation and use:
certified x1.5, deprecated x0.4, passing quality x1.1, failing x0.7, and +20% per production
deployment that depends on it (up to 5). The blend is computed in SQL so only one page of
rows reaches Python.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provgraph.catalog.model.answers.search import SearchHit
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.search.port import (
    SCHEMA_VERSION,
    IndexPage,
    SearchDocument,
    SearchFilters,
)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS docs (
        rowid INTEGER PRIMARY KEY, urn TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
        name TEXT NOT NULL, namespace TEXT NOT NULL, description TEXT NOT NULL,
        columns TEXT NOT NULL, owners TEXT NOT NULL, tags TEXT NOT NULL, status TEXT NOT NULL,
        quality TEXT NOT NULL, production INTEGER NOT NULL, updated_at INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS docs_kind ON docs (kind)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
        name, namespace, description, columns, owners, tags, prefix='2 3')""",
    "CREATE TABLE IF NOT EXISTS doc_owners (rowid INTEGER NOT NULL, owner TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS doc_owners_owner ON doc_owners (owner, rowid)",
    "CREATE INDEX IF NOT EXISTS doc_owners_rowid ON doc_owners (rowid)",
    "CREATE TABLE IF NOT EXISTS doc_tags (rowid INTEGER NOT NULL, tag TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS doc_tags_tag ON doc_tags (tag, rowid)",
    "CREATE INDEX IF NOT EXISTS doc_tags_rowid ON doc_tags (rowid)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, ival INTEGER NOT NULL)",
)

_SCORE = """
    ({relevance})
    * (CASE d.status WHEN 'certified' THEN 1.5 WHEN 'deprecated' THEN 0.4 ELSE 1.0 END)
    * (CASE d.quality WHEN 'passing' THEN 1.1 WHEN 'failing' THEN 0.7 ELSE 1.0 END)
    * (1.0 + 0.2 * MIN(d.production, 5))
"""
_BM25 = "-bm25(docs_fts, 10.0, 2.0, 3.0, 2.0, 1.0, 4.0)"
_FACETS = {
    "kind": "SELECT kind, count(*) FROM temp.matched GROUP BY kind",
    "status": "SELECT status, count(*) FROM temp.matched GROUP BY status",
    "owner": "SELECT o.owner, count(*) FROM temp.matched m JOIN doc_owners o ON o.rowid = m.rowid "
    "GROUP BY o.owner ORDER BY 2 DESC LIMIT 20",
    "classification": "SELECT t.tag, count(*) FROM temp.matched m "
    "JOIN doc_tags t ON t.rowid = m.rowid GROUP BY t.tag ORDER BY 2 DESC LIMIT 20",
}
"""Facet counts over every match, read from the scratch table of one search."""
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
"""Words as FTS5's unicode61 tokenizer sees them: underscores and dots separate."""
MAX_TOKENS = 16


class SqliteSearchIndex:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # derived data: rebuilt from the graph
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._db.execute("PRAGMA temp_store=MEMORY")
        self._db.execute("PRAGMA cache_size=-131072")  # 128 MiB: the working set of 10^5 docs
        self._db.execute("PRAGMA mmap_size=536870912")
        self._db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS relevance (rowid INTEGER PRIMARY KEY, rel REAL)"
        )
        self._db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS matched "
            "(rowid INTEGER PRIMARY KEY, kind TEXT, status TEXT, score REAL)"
        )
        self._check_schema()

    def _check_schema(self) -> None:
        """An index of another document shape is emptied: its applied_seq goes with it, so the
        catalog rebuilds it from the graph (ensure_current)."""
        row = self._db.execute("SELECT ival FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) == SCHEMA_VERSION:
            return
        self.clear()
        self._db.execute(
            "INSERT INTO meta (key, ival) VALUES ('schema_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET ival = excluded.ival",
            (SCHEMA_VERSION,),
        )

    def applied_seq(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT ival FROM meta WHERE key = 'applied_seq'").fetchone()
        return int(row[0]) if row else -1

    def clear(self) -> None:
        with self._lock:
            for table in ("docs", "docs_fts", "doc_owners", "doc_tags"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            self._db.execute("DELETE FROM meta WHERE key = 'applied_seq'")

    def upsert(self, documents: Sequence[SearchDocument], *, applied_seq: int) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for doc in documents:
                    self._upsert(doc)
                self._db.execute(
                    "INSERT INTO meta (key, ival) VALUES ('applied_seq', ?) "
                    "ON CONFLICT (key) DO UPDATE SET ival = excluded.ival",
                    (applied_seq,),
                )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # SQLITE_FULL has rolled it back already
                    self._db.execute("ROLLBACK")
                raise

    def _upsert(self, doc: SearchDocument) -> None:
        row = self._db.execute("SELECT rowid FROM docs WHERE urn = ?", (doc.urn,)).fetchone()
        values = (
            doc.kind.value, doc.name, doc.namespace, doc.description, " ".join(doc.columns),
            json.dumps(doc.owners), json.dumps(doc.tags), doc.status, doc.quality,
            doc.production_deployments, doc.updated_at,
        )  # fmt: skip
        if row is None:
            rowid = self._db.execute(
                "INSERT INTO docs (kind, name, namespace, description, columns, owners, tags, "
                "status, quality, production, updated_at, urn) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, doc.urn),
            ).lastrowid
        else:
            rowid = row[0]
            self._db.execute(
                "UPDATE docs SET kind = ?, name = ?, namespace = ?, description = ?, columns = ?, "
                "owners = ?, tags = ?, status = ?, quality = ?, production = ?, updated_at = ? "
                "WHERE rowid = ?",
                (*values, rowid),
            )
            for table in ("docs_fts", "doc_owners", "doc_tags"):
                self._db.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))  # noqa: S608
        self._db.execute(
            "INSERT INTO docs_fts (rowid, name, namespace, description, columns, owners, tags) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rowid, doc.name, doc.namespace, doc.description, " ".join(doc.columns),
             " ".join(doc.owners), " ".join(doc.tags)),
        )  # fmt: skip
        self._db.executemany(
            "INSERT INTO doc_owners (rowid, owner) VALUES (?, ?)", [(rowid, o) for o in doc.owners]
        )
        self._db.executemany(
            "INSERT INTO doc_tags (rowid, tag) VALUES (?, ?)", [(rowid, t) for t in doc.tags]
        )

    def search(self, query: str, filters: SearchFilters, *, first: int, offset: int) -> IndexPage:
        tokens = [t.lower() for t in _TOKEN.findall(query)][:MAX_TOKENS]
        where, params = _filters(filters)
        condition = " AND ".join(where) or "1"
        with self._lock:
            # 1. the text match alone (FTS5 computes bm25 only here), 2. filters and the blend
            # on the matched rows, into a scratch table that page, total and facets all read
            self._db.execute("DELETE FROM temp.relevance")
            self._db.execute("DELETE FROM temp.matched")
            if tokens:
                self._db.execute(
                    f"INSERT INTO temp.relevance (rowid, rel) SELECT rowid, {_BM25} "  # noqa: S608
                    "FROM docs_fts WHERE docs_fts MATCH ?",
                    (_match_expression(tokens),),
                )
                source = "temp.relevance r JOIN docs d ON d.rowid = r.rowid"
                relevance = "r.rel"
            else:
                source, relevance = "docs d", "1.0 + d.updated_at / 1e17"
            self._db.execute(
                "INSERT INTO temp.matched (rowid, kind, status, score) "  # noqa: S608
                f"SELECT d.rowid, d.kind, d.status, {_SCORE.format(relevance=relevance)} "
                f"FROM {source} WHERE {condition}",
                params,
            )
            rows = self._db.execute(
                "SELECT d.urn, d.kind, d.name, d.namespace, d.description, d.columns, d.owners, "
                "d.tags, d.status, d.quality, d.production, m.score FROM temp.matched m "
                "JOIN docs d ON d.rowid = m.rowid ORDER BY m.score DESC, d.name LIMIT ? OFFSET ?",
                (first + 1, offset),
            ).fetchall()
            total = self._db.execute("SELECT count(*) FROM temp.matched").fetchone()[0]
            facets = {
                name: {str(value): int(count) for value, count in self._db.execute(sql)}
                for name, sql in _FACETS.items()
            }
        hits = [_hit(row, tokens) for row in rows[:first]]
        return IndexPage(
            total=int(total),
            hits=hits,
            facets=facets,
            next_offset=offset + first if len(rows) > first else None,
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _filters(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if filters.kinds:
        where.append(f"d.kind IN ({','.join('?' * len(filters.kinds))})")
        params.extend(k.value for k in filters.kinds)
    if filters.owner:
        where.append("d.rowid IN (SELECT rowid FROM doc_owners WHERE owner = ?)")
        params.append(filters.owner)
    if filters.classification:
        # the tag itself or anything below it: 'pii' matches 'pii.email' ('/' sorts after '.')
        where.append(
            "d.rowid IN (SELECT rowid FROM doc_tags WHERE tag = ? OR (tag > ? AND tag < ?))"
        )
        tag = filters.classification
        params.extend([tag, tag + ".", tag + "/"])
    if filters.status:
        where.append("d.status = ?")
        params.append(filters.status)
    if filters.updated_after is not None:
        where.append("d.updated_at >= ?")
        params.append(to_micros(filters.updated_after))
    if filters.in_production is not None:
        where.append("d.production > 0" if filters.in_production else "d.production = 0")
    return where, params


def _match_expression(tokens: list[str]) -> str:
    """Whole words, except the last, which may be the start of one (search as you type)."""
    words = [f'"{t}"' for t in tokens[:-1]]
    last = tokens[-1]
    words.append(f'"{last}"*' if len(last) >= 2 else f'"{last}"')
    return " ".join(words)


def _hit(row: tuple[Any, ...], tokens: list[str]) -> SearchHit:
    (
        urn,
        kind,
        name,
        namespace,
        description,
        columns,
        owners,
        tags,
        status,
        quality,
        production,
        score,
    ) = row
    reasons: list[str] = []
    fields = {
        "name": name, "namespace": namespace, "description": description, "columns": columns,
        "owners": " ".join(json.loads(owners)), "classifications": " ".join(json.loads(tags)),
    }  # fmt: skip
    for label, text in fields.items():
        words = [w.lower() for w in _TOKEN.findall(text)]
        matched = [t for t in tokens if any(w.startswith(t) for w in words)]
        if matched:
            reasons.append(f"{label} matches {', '.join(repr(t) for t in matched)}")
    if status == "certified":
        reasons.append("certified (x1.5)")
    elif status == "deprecated":
        reasons.append("deprecated (x0.4)")
    if quality == "passing":
        reasons.append("quality checks passing (x1.1)")
    elif quality == "failing":
        reasons.append("quality checks failing (x0.7)")
    if production:
        reasons.append(f"used by {production} production deployment(s)")
    return SearchHit(
        urn=urn,
        kind=NodeKind(kind),
        name=name,
        score=round(float(score), 6),
        reasons=reasons,
        description=description,
        owners=json.loads(owners),
        tags=json.loads(tags),
        status=status,
        quality=quality,
        production_deployments=int(production),
    )
