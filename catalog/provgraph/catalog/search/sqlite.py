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

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.search.port import SearchDocument, SearchFilters, SearchHit, SearchPage

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
    "kind": "SELECT kind, count(*) FROM docs WHERE rowid IN ({matched}) GROUP BY kind",
    "status": "SELECT status, count(*) FROM docs WHERE rowid IN ({matched}) GROUP BY status",
    "owner": "SELECT owner, count(*) FROM doc_owners WHERE rowid IN ({matched}) "
    "GROUP BY owner ORDER BY 2 DESC LIMIT 20",
    "classification": "SELECT tag, count(*) FROM doc_tags WHERE rowid IN ({matched}) "
    "GROUP BY tag ORDER BY 2 DESC LIMIT 20",
}
"""Facet counts over the whole matched set; `matched` is a SELECT with placeholders only."""
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

    def applied_seq(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT ival FROM meta WHERE key = 'applied_seq'").fetchone()
        return int(row[0]) if row else -1

    def clear(self) -> None:
        with self._lock:
            for table in ("docs", "docs_fts", "doc_owners", "doc_tags", "meta"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

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

    def search(self, query: str, filters: SearchFilters, *, first: int, offset: int) -> SearchPage:
        tokens = [t.lower() for t in _TOKEN.findall(query)][:MAX_TOKENS]
        where, params = _filters(filters)
        if tokens:
            source = "docs_fts JOIN docs d ON d.rowid = docs_fts.rowid"
            where.insert(0, "docs_fts MATCH ?")
            params.insert(0, " ".join(f'"{t}"*' for t in tokens))
            relevance = _BM25
        else:
            source, relevance = "docs d", "1.0 + d.updated_at / 1e17"
        condition = " AND ".join(where) or "1"
        matched = f"SELECT d.rowid FROM {source} WHERE {condition}"  # noqa: S608 - placeholders only
        score = _SCORE.format(relevance=relevance)
        with self._lock:
            rows = self._db.execute(
                f"SELECT d.urn, d.kind, d.name, d.namespace, d.description, d.columns, d.owners, "  # noqa: S608
                f"d.tags, d.status, d.quality, d.production, {score} AS score FROM {source} "
                f"WHERE {condition} ORDER BY score DESC, d.name LIMIT ? OFFSET ?",
                (*params, first + 1, offset),
            ).fetchall()
            total = self._db.execute(f"SELECT count(*) FROM ({matched})", params).fetchone()[0]  # noqa: S608
            facets = self._facets(matched, params)
        hits = [_hit(row, tokens) for row in rows[:first]]
        return SearchPage(
            total=int(total),
            hits=hits,
            facets=facets,
            next_offset=offset + first if len(rows) > first else None,
        )

    def _facets(self, matched: str, params: list[Any]) -> dict[str, dict[str, int]]:
        return {
            name: {
                str(value): int(count)
                for value, count in self._db.execute(template.format(matched=matched), params)
            }
            for name, template in _FACETS.items()
        }

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
        where.append(
            "d.rowid IN (SELECT rowid FROM doc_tags WHERE tag = ? OR tag LIKE ? ESCAPE '\\')"
        )
        prefix = (
            filters.classification.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        params.extend([filters.classification, prefix + ".%"])
    if filters.status:
        where.append("d.status = ?")
        params.append(filters.status)
    if filters.updated_after is not None:
        where.append("d.updated_at >= ?")
        params.append(to_micros(filters.updated_after))
    if filters.in_production is not None:
        where.append("d.production > 0" if filters.in_production else "d.production = 0")
    return where, params


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
        urn=urn, kind=NodeKind(kind), name=name, score=round(float(score), 6), reasons=reasons
    )
