"""API tokens and roles, behind one TokenStore port. Tokens are stored hashed: embedded, in
`<data>/tokens.json` (the file may be changed while a server runs, `provgraph token create`,
and the server reloads it when it changes); with the event log on PostgreSQL, in that database,
shared by every server (provgraph.catalog.access_postgresql)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from provgraph.catalog.model.errors import CatalogError
from provgraph.catalog.postgresql import is_postgresql_url

if TYPE_CHECKING:
    from provgraph.catalog.settings import Settings

TOKENS_FILE = "tokens.json"
_log = logging.getLogger(__name__)


class Role(IntEnum):
    """Each role may do what the ones below it may."""

    READER = 1
    """read the catalog, lineage, search"""
    PRODUCER = 2
    """send events (OpenLineage, native), register assets, ask feature-use questions"""
    STEWARD = 3
    """curate: describe, own, classify, certify/deprecate; re-check compliance"""
    ADMIN = 4

    @classmethod
    def named(cls, name: str) -> Role:
        try:
            return cls[name.upper()]
        except KeyError:
            known = ", ".join(r.name.lower() for r in cls)
            raise TokenError(f"unknown role {name!r}; roles: {known}") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Principal:
    actor: str
    """What every event this principal writes records as its actor."""
    role: Role

    def may(self, role: Role) -> bool:
        return self.role >= role


class TokenError(CatalogError):
    pass


class TokenStoreUnavailableError(CatalogError):
    """The token file cannot be read as tokens: every authenticated request fails closed
    (503) until it is fixed. The message names no path; the file's location is in the log."""


def digest(token: str) -> str:
    """What a store keeps of a token: its SHA-256 (a token is 256 random bits, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(name: str) -> str:
    """A new token for `name`, after checking the name."""
    if not name or len(name) > 200 or any(c.isspace() for c in name):
        raise TokenError("a token name is 1-200 characters without spaces")
    return "pgt_" + secrets.token_urlsafe(32)


class TokenStore(Protocol):
    @property
    def where(self) -> str:
        """Where the tokens are kept, for messages to an operator."""
        ...

    def create(self, name: str, role: Role) -> str:
        """A new token for `name` (shown once; only its hash is kept); replaces its old one."""
        ...

    def revoke(self, name: str) -> bool:
        """Forget `name`'s token at once, for every server; False if there was none."""
        ...

    def lookup(self, token: str) -> Principal | None: ...

    def count(self) -> int:
        """How many tokens there are (TokenError when the store does not read as tokens)."""
        ...

    def close(self) -> None: ...


def open_tokens(settings: Settings, *, data: Path) -> TokenStore:
    """Tokens live where the event log lives: in PostgreSQL, or in the data directory."""
    if is_postgresql_url(settings.log):
        from provgraph.catalog.access_postgresql import PostgresTokenStore

        return PostgresTokenStore(settings.log)
    return FileTokenStore(data / TOKENS_FILE)


class FileTokenStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._by_digest: dict[str, Principal] = {}

    @property
    def where(self) -> str:
        return str(self._path)

    def create(self, name: str, role: Role) -> str:
        token = new_token(name)
        with self._file_lock():
            entries = [e for e in self._read() if e["name"] != name]
            entries.append(
                {
                    "name": name,
                    "role": role.label,
                    "sha256": digest(token),
                    "created_at": datetime.now(UTC).isoformat(),
                }
            )
            self._write(entries)
        return token

    def revoke(self, name: str) -> bool:
        with self._file_lock():
            entries = self._read()
            kept = [e for e in entries if e["name"] != name]
            self._write(kept)
        return len(kept) != len(entries)

    def count(self) -> int:
        """How many tokens there are (TokenError when the file does not read as tokens)."""
        return len(self._read())

    def lookup(self, token: str) -> Principal | None:
        with self._lock:
            self._reload_if_changed()
            return self._by_digest.get(digest(token))

    def close(self) -> None:
        pass

    def _reload_if_changed(self) -> None:
        try:
            status = self._path.stat()
        except FileNotFoundError:
            self._stamp, self._by_digest = None, {}
            return
        stamp = (status.st_mtime_ns, status.st_size)
        if stamp == self._stamp:
            return
        try:
            by_digest = {
                e["sha256"]: Principal(actor=f"token:{e['name']}", role=Role.named(e["role"]))
                for e in self._read()
            }
        except (TokenError, OSError, KeyError, TypeError, AttributeError) as exc:
            # fail closed: forget every token until the file reads again
            self._stamp, self._by_digest = None, {}
            _log.error("cannot read the token file %s: %s", self._path, exc)
            raise TokenStoreUnavailableError(
                "the server's token file is unreadable; an operator must fix or recreate it"
            ) from None
        self._by_digest = by_digest
        self._stamp = stamp

    def _read(self) -> list[dict[str, str]]:
        if not self._path.exists():
            return []
        try:
            entries = json.loads(self._path.read_text())
        except ValueError as exc:
            raise TokenError(f"{self._path} is not valid JSON: {exc}") from exc
        if not isinstance(entries, list):
            raise TokenError(f"{self._path} must hold a JSON list of tokens")
        return entries

    def _write(self, entries: list[dict[str, str]]) -> None:
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps(entries, indent=2) + "\n")
        os.chmod(temporary, 0o600)
        temporary.replace(self._path)

    def _file_lock(self) -> _FileLock:
        return _FileLock(self._path.with_suffix(".lock"))


class _FileLock:
    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> None:
        self._handle = self._path.open("a")
        fcntl.flock(self._handle, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
