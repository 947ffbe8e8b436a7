"""What a recipe could not pin, and dataset versions whose bytes changed outside tracked jobs.

A training set pins the data read by its manifest: a content digest, row counts, the split and
the seed (`PINNED_BY_MANIFEST`), and the dataset versions it was drawn from. What a set lacks
is named in the recipe's `unpinned` (a run whose training code loaded the data itself records
the gated feature versions and nothing else).

A dataset version is schema + producing run, so bytes rewritten outside any tracked job keep
the version. The manifests tell: `digest.<column>` is the sha256 of a column as it was read, and
two training sets drawn from one version that read different bytes of a column prove the data
changed under it — reported as a `content_mismatch` change on that version. The same rule
says when a newer version holds the same content: a training set drawn from it read every
column this one read with the same bytes (a byte-identical re-run of the producing job), so
the newer version is not a change (`same_content`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.reader import CatalogReader

PINNED_BY_MANIFEST = ("digest", "rows", "split", "seed")
MAX_COMPARED = 200
"""Other training sets of one dataset version compared (the newest): bounds a recipe's work."""
MAX_NAMED = 3


@dataclass(frozen=True)
class Mismatch:
    dataset_version: str
    detail: str


def unpinned(
    training_set: str | None, manifest: Mapping[str, object], drawn: Sequence[str]
) -> tuple[str, ...]:
    """`training_set` when none was recorded; else the manifest's missing PINNED_BY_MANIFEST
    facts, and `datasets` when the set names no dataset version it was drawn from."""
    if training_set is None:
        return ("training_set",)
    missing = [fact for fact in PINNED_BY_MANIFEST if fact not in manifest]
    if not drawn:
        missing.append("datasets")
    return tuple(missing)


def drawn_from(reader: CatalogReader, training_set: str | None) -> list[str]:
    if training_set is None:
        return []
    return sorted(e.dst for e in reader.related(training_set, EdgeKind.DRAWN_FROM, outgoing=True))


def content_mismatches(
    reader: CatalogReader, training_set: str, digests: Mapping[str, str], drawn: Sequence[str]
) -> list[Mismatch]:
    """Dataset versions of `drawn` that another training set read with other bytes."""
    if not digests:
        return []
    found: list[Mismatch] = []
    for version in drawn:
        differing: dict[str, list[str]] = {}
        for urn, theirs in _digests_read_from(reader, version, training_set).items():
            columns = _differing(digests, theirs)
            if columns:
                differing[urn] = columns
        if differing:
            found.append(Mismatch(version, _detail(differing)))
    return found


def same_content(
    reader: CatalogReader, training_set: str, digests: Mapping[str, str], newer: str
) -> str | None:
    """A training set drawn from the dataset version `newer` that read every column of
    `digests` with the same bytes (the content this training set read), if one did."""
    if not digests:
        return None
    for urn, theirs in _digests_read_from(reader, newer, training_set).items():
        if digests.keys() <= theirs.keys() and not _differing(digests, theirs):
            return urn
    return None


def _digests_read_from(
    reader: CatalogReader, version: str, training_set: str
) -> dict[str, dict[str, str]]:
    """Other training set -> its column digests, for the newest MAX_COMPARED drawn from
    `version`, in URN order."""
    edges = reader.related(version, EdgeKind.DRAWN_FROM, outgoing=False)
    others = sorted(
        (e for e in edges if e.src != training_set), key=lambda e: (e.valid_from, e.src)
    )[-MAX_COMPARED:]
    sets = reader.views([e.src for e in others], views.TrainingSet)
    return {urn: other.column_digests for urn, other in sorted(sets.items())}


def _differing(ours: Mapping[str, str], theirs: Mapping[str, str]) -> list[str]:
    """The columns both read, with other bytes: the one content rule."""
    return sorted(c for c in ours.keys() & theirs.keys() if ours[c] != theirs[c])


def _detail(differing: dict[str, list[str]]) -> str:
    named = "; ".join(
        f"{urn} ({', '.join(columns)})" for urn, columns in list(differing.items())[:MAX_NAMED]
    )
    more = len(differing) - MAX_NAMED
    return (
        f"read with other bytes by {len(differing)} other training set(s): {named}"
        f"{f' and {more} more' if more > 0 else ''}; the data changed outside any tracked "
        "job, so this version does not pin it: the manifest's digests do"
    )
