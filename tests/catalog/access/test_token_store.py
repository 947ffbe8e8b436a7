"""The token store contract, on both adapters: hashed, replaced by name, revoked at once for
every process that shares the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from provgraph.catalog.access import (
    TOKENS_FILE,
    FileTokenStore,
    Role,
    TokenError,
    TokenStore,
    digest,
)
from provgraph.catalog.access_postgresql import PostgresTokenStore

OpenTokens = Callable[[], TokenStore]


@pytest.fixture(params=["file", "postgresql"])
def open_tokens(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenTokens]:
    """Each call opens the same store again, as another server process would."""
    opened: list[TokenStore] = []
    if request.param == "file":

        def make() -> TokenStore:
            return FileTokenStore(tmp_path / TOKENS_FILE)
    else:
        url: str = request.getfixturevalue("postgres_url")

        def make() -> TokenStore:
            return PostgresTokenStore(url)

    def opener() -> TokenStore:
        store = make()
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


def test_create_lookup_and_replace(open_tokens: OpenTokens) -> None:
    store = open_tokens()
    token = store.create("ci", Role.PRODUCER)
    found = open_tokens().lookup(token)
    assert found is not None and found.actor == "token:ci" and found.role is Role.PRODUCER
    newer = store.create("ci", Role.READER)  # a new token for a name replaces its old one
    assert store.lookup(token) is None
    again = open_tokens().lookup(newer)
    assert again is not None and again.role is Role.READER
    with pytest.raises(TokenError):
        store.create("two words", Role.READER)


def test_a_revocation_is_seen_by_every_server_at_once(open_tokens: OpenTokens) -> None:
    issuer, other = open_tokens(), open_tokens()
    token = issuer.create("pipeline", Role.PRODUCER)
    assert other.lookup(token) is not None
    assert issuer.revoke("pipeline")
    assert other.lookup(token) is None
    assert not issuer.revoke("pipeline")


def test_count_is_what_every_server_sees(open_tokens: OpenTokens) -> None:
    issuer, other = open_tokens(), open_tokens()
    before = other.count()
    issuer.create("counted-a", Role.READER)
    issuer.create("counted-b", Role.READER)
    issuer.create("counted-a", Role.PRODUCER)  # a replacement is not a new token
    assert other.count() == before + 2
    issuer.revoke("counted-b")
    assert other.count() == before + 1
    assert issuer.where


def test_only_the_hash_is_stored(postgres_url: str) -> None:
    import psycopg

    store = PostgresTokenStore(postgres_url)
    try:
        token = store.create("ci", Role.ADMIN)
    finally:
        store.close()
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT sha256 FROM provgraph_tokens").fetchall()
    assert rows == [(digest(token),)]
