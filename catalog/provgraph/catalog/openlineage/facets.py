"""Typed readers for the standard OpenLineage facets provgraph understands.

A facet we understand but cannot read (a schema facet whose `fields` is not a list, say) is
rejected with its name and the problem; facets we do not understand are kept verbatim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.events import (
    AliasSpec,
    AssertionSpec,
    ColumnRef,
    FieldSpec,
    QualitySpec,
    TransformationSpec,
)
from provgraph.catalog.model.transformations import MAX_PER_EDGE
from provgraph.catalog.model.validation import describe
from provgraph.catalog.openlineage.spec import Facets


class _Facet(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class SchemaField(_Facet):
    name: str
    type: str | None = None
    description: str | None = None
    fields: list[SchemaField] = Field(default_factory=list)


class SchemaFacet(_Facet):
    fields: list[SchemaField] = Field(default_factory=list)


class TransformationFacet(_Facet):
    type: str
    subtype: str | None = None
    description: str | None = None
    masking: bool = False


class InputField(_Facet):
    namespace: str
    name: str
    field: str
    transformations: list[TransformationFacet] = Field(default_factory=list)


class ColumnLineageEntry(_Facet):
    inputFields: list[InputField] = Field(default_factory=list)  # noqa: N815
    transformationDescription: str | None = None  # noqa: N815
    transformationType: str | None = None  # noqa: N815
    """Deprecated by the spec (per input field `transformations` replace it); MASKED is
    still read as masking evidence for input fields that say nothing else."""


class ColumnLineageFacet(_Facet):
    fields: dict[str, ColumnLineageEntry] = Field(default_factory=dict)
    dataset: list[InputField] = Field(default_factory=list)
    """Input fields that influence the whole dataset (filters, joins, grouping): INDIRECT
    lineage of each of its fields."""


MAX_DATASET_WIDE_EDGES = 10_000
"""Column edges one output's dataset-wide column lineage may expand into."""


class Owner(_Facet):
    name: str
    type: str | None = None


class OwnershipFacet(_Facet):
    owners: list[Owner] = Field(default_factory=list)


class DocumentationFacet(_Facet):
    description: str


class SqlFacet(_Facet):
    query: str


class SourceCodeFacet(_Facet):
    language: str | None = None
    sourceCode: str  # noqa: N815


class SourceCodeLocationFacet(_Facet):
    type: str | None = None
    url: str | None = None
    repoUrl: str | None = None  # noqa: N815
    path: str | None = None
    version: str | None = None
    tag: str | None = None
    branch: str | None = None


class JobTypeFacet(_Facet):
    processingType: str | None = None  # noqa: N815
    integration: str | None = None
    jobType: str | None = None  # noqa: N815


class ParentRef(_Facet):
    runId: str  # noqa: N815


class ParentJob(_Facet):
    namespace: str
    name: str


class ParentFacet(_Facet):
    run: ParentRef
    job: ParentJob


class ErrorMessageFacet(_Facet):
    message: str
    programmingLanguage: str | None = None  # noqa: N815
    stackTrace: str | None = None  # noqa: N815


class ColumnMetrics(_Facet):
    nullCount: int | None = None  # noqa: N815
    distinctCount: int | None = None  # noqa: N815
    sum: float | None = None
    count: float | None = None
    min: float | None = None
    max: float | None = None


class DataQualityMetricsFacet(_Facet):
    rowCount: int | None = None  # noqa: N815
    bytes: int | None = None
    columnMetrics: dict[str, ColumnMetrics] = Field(default_factory=dict)  # noqa: N815


class Assertion(_Facet):
    assertion: str
    success: bool
    column: str | None = None


class DataQualityAssertionsFacet(_Facet):
    assertions: list[Assertion] = Field(default_factory=list)


class TagEntry(_Facet):
    key: str
    value: str | None = None
    field: str | None = None


class TagsFacet(_Facet):
    tags: list[TagEntry] = Field(default_factory=list)


_TRUTHY = {"", "true", "yes", "1"}
_TAG = re.compile(r"^[a-z0-9][a-z0-9_.:\-]*$")
VOCABULARY = frozenset(
    {"pii", "phi", "pci", "sensitive", "confidential", "restricted", "secret", "consent"}
)
"""Roots of the classifications provgraph recognises in a `tags` facet; any other tag is
kept as a searchable label."""


def classification_of(key: str, value: str | None) -> str | None:
    """The classification a tag names, or None when it is not one.

    `{"key": "pii", "value": "email"}` is `pii.email`; `{"key": "pii"}` and `{"key": "pii",
    "value": "true"}` are `pii`; `{"key": "classification", "value": "sensitive"}` is
    `sensitive`; `{"key": "consent", "value": "marketing"}` is `consent:marketing`.
    """
    key, text = key.strip().lower(), (value or "").strip().lower()
    if key in ("classification", "tag") and text:
        tag = text
    elif text in _TRUTHY:
        tag = key
    elif key == "consent":
        tag = f"consent:{text}"
    else:
        tag = f"{key}.{text}"
    root = re.split(r"[.:]", tag, maxsplit=1)[0]
    return tag if root in VOCABULARY and _TAG.match(tag) else None


def _tag_entries(facets: Facets, notes: list[str] | None) -> list[TagEntry]:
    facet = read(facets, "tags", TagsFacet, notes)
    return list(facet.tags) if facet else []


def classification_tags(
    facets: Facets, notes: list[str] | None = None
) -> dict[str | None, list[str]]:
    """The classifications of the `tags` facet, by field (None: the whole dataset)."""
    found: dict[str | None, list[str]] = {}
    for entry in _tag_entries(facets, notes):
        tag = classification_of(entry.key, entry.value)
        if tag is not None:
            found.setdefault(entry.field, []).append(tag)
    return found


def labels(facets: Facets, notes: list[str] | None = None) -> list[str]:
    """The other tags of the `tags` facet, kept as searchable labels: `key=value`, prefixed
    with `field: ` when the tag is on a field."""
    found = []
    for entry in _tag_entries(facets, notes):
        if classification_of(entry.key, entry.value) is not None:
            continue
        text = entry.key.strip() + (f"={entry.value.strip()}" if entry.value else "")
        found.append(f"{entry.field}: {text}" if entry.field else text)
    return sorted(dict.fromkeys(t[:512] for t in found if t))


class OutputStatisticsFacet(_Facet):
    rowCount: int | None = None  # noqa: N815
    size: int | None = None


F = TypeVar("F", bound=BaseModel)


def read(facets: Facets, name: str, model: type[F], notes: list[str] | None = None) -> F | None:
    """The facet `name` read as `model`; None when absent or deleted. A malformed facet is
    an error, or, when `notes` is given, noted and ignored (the rest of the event stands)."""
    raw = facets.get(name)
    if raw is None or raw.get("_deleted"):
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problem = describe(exc, top="(facet)")
        message = f"facet {name!r} is malformed at {problem}"
        if notes is None:
            raise InvalidEventError(message) from exc
        notes.append(message + "; ignored")
        return None


def schema_fields(facets: Facets, notes: list[str] | None = None) -> list[FieldSpec]:
    facet = read(facets, "schema", SchemaFacet, notes)
    if facet is None:
        _note_untagged(classification_tags(facets, []), set(), notes)
        return []
    tags = classification_tags(facets, notes)
    flat: list[FieldSpec] = []
    seen: set[str] = set()

    def walk(fields: list[SchemaField], prefix: str) -> None:
        for field in fields:
            name = prefix + field.name
            if name in seen or not name.strip():
                if notes is not None:
                    notes.append(f"schema field {name!r} appears twice; the first is kept")
                walk(field.fields, name + ".")
                continue
            seen.add(name)
            flat.append(
                FieldSpec(
                    name=name,
                    type=field.type or "unknown",
                    description=field.description,
                    classifications=sorted(set(tags.get(name, []))),
                )
            )
            walk(field.fields, name + ".")

    walk(facet.fields, "")
    _note_untagged(tags, seen, notes)
    return flat


def _note_untagged(
    tags: dict[str | None, list[str]], fields: set[str], notes: list[str] | None
) -> None:
    """A `tags` facet entry naming a field the schema lacks is not recorded: say so."""
    for field, found in sorted((f, t) for f, t in tags.items() if f is not None):
        if field not in fields:
            _note(
                notes,
                f"tags facet: field {field[:200]!r} is not in the dataset's schema; "
                f"its classification(s) {', '.join(sorted(set(found)))} were not recorded",
            )


def column_lineage(
    facets: Facets, notes: list[str] | None = None, *, fields: Sequence[str] = ()
) -> dict[str, list[ColumnRef]]:
    """Output field -> its input columns, each with its transformations (type, subtype,
    masking) as the producer stated them. Dataset-wide entries become INDIRECT sources of
    every field (`fields`: the output's schema)."""
    facet = read(facets, "columnLineage", ColumnLineageFacet, notes)
    if facet is None:
        return {}
    found: dict[str, list[ColumnRef]] = {}
    for output, entry in facet.fields.items():
        masked = (entry.transformationType or "").upper() == "MASKED"
        refs = [
            _ref(i, _transformations(i, notes, default_masked=masked)) for i in entry.inputFields
        ]
        if refs:
            found[output] = refs
    if facet.dataset:
        _dataset_wide(facet.dataset, list(dict.fromkeys([*fields, *found])), found, notes)
    return found


def _dataset_wide(
    inputs: list[InputField],
    targets: list[str],
    found: dict[str, list[ColumnRef]],
    notes: list[str] | None,
) -> None:
    if not targets:
        _note(
            notes,
            "columnLineage.dataset names input fields but the output has no known "
            "field to relate them to; ignored",
        )
        return
    if len(targets) * len(inputs) > MAX_DATASET_WIDE_EDGES:
        _note(
            notes,
            f"columnLineage.dataset would relate {len(inputs)} input fields to "
            f"{len(targets)} output fields; more than {MAX_DATASET_WIDE_EDGES} column edges, "
            "ignored",
        )
        return
    refs = [_ref(i, _indirect(i)) for i in inputs]
    for target in targets:
        found.setdefault(target, []).extend(refs)


def _ref(source: InputField, transformations: list[TransformationSpec]) -> ColumnRef:
    return ColumnRef(
        namespace=source.namespace,
        name=source.name,
        field=source.field,
        transformations=transformations,
    )


def _transformations(
    source: InputField, notes: list[str] | None, *, default_masked: bool
) -> list[TransformationSpec]:
    if not source.transformations:
        return [TransformationSpec(type="DIRECT", masking=True)] if default_masked else []
    found = []
    for t in source.transformations[:MAX_PER_EDGE]:
        kind = t.type.strip().upper()
        if kind not in ("DIRECT", "INDIRECT"):
            _note(
                notes,
                f"column lineage of {source.name}#{source.field}: transformation type "
                f"{t.type[:40]!r} is neither DIRECT nor INDIRECT; read as DIRECT",
            )
            kind = "DIRECT"
        found.append(_spec("DIRECT" if kind == "DIRECT" else "INDIRECT", t))
    return found


def _indirect(source: InputField) -> list[TransformationSpec]:
    given = [_spec("INDIRECT", t) for t in source.transformations[:MAX_PER_EDGE]]
    return given or [TransformationSpec(type="INDIRECT")]


def _spec(kind: Literal["DIRECT", "INDIRECT"], t: TransformationFacet) -> TransformationSpec:
    return TransformationSpec(
        type=kind,
        subtype=(t.subtype or "").strip()[:64] or None,
        description=t.description[:4096] if t.description else None,
        masking=t.masking,
    )


def _note(notes: list[str] | None, message: str) -> None:
    if notes is not None:
        notes.append(message)


def owners(facets: Facets, notes: list[str] | None = None) -> list[str]:
    facet = read(facets, "ownership", OwnershipFacet, notes)
    return [owner.name for owner in facet.owners] if facet else []


def description(facets: Facets, notes: list[str] | None = None) -> str | None:
    facet = read(facets, "documentation", DocumentationFacet, notes)
    return facet.description if facet else None


def quality(
    dataset_facets: Facets, io_facets: Facets, notes: list[str] | None = None
) -> QualitySpec | None:
    metrics = read(io_facets, "dataQualityMetrics", DataQualityMetricsFacet, notes) or read(
        dataset_facets, "dataQualityMetrics", DataQualityMetricsFacet, notes
    )
    assertions = read(
        io_facets, "dataQualityAssertions", DataQualityAssertionsFacet, notes
    ) or read(dataset_facets, "dataQualityAssertions", DataQualityAssertionsFacet, notes)
    statistics = read(io_facets, "outputStatistics", OutputStatisticsFacet, notes)
    if metrics is None and assertions is None and statistics is None:
        return None
    column_metrics: dict[str, dict[str, Any]] = {}
    if metrics is not None:
        column_metrics = {
            column: values.model_dump(exclude_none=True, include=set(ColumnMetrics.model_fields))
            for column, values in metrics.columnMetrics.items()
        }
    return QualitySpec(
        row_count=(metrics.rowCount if metrics else None)
        or (statistics.rowCount if statistics else None),
        bytes=(metrics.bytes if metrics else None) or (statistics.size if statistics else None),
        column_metrics=column_metrics,
        assertions=[
            AssertionSpec(assertion=a.assertion, success=a.success, column=a.column)
            for a in (assertions.assertions if assertions else [])
        ],
    )


def code_version(job_facets: Facets, notes: list[str] | None = None) -> str | None:
    """The job's code version: its source location's version, else a digest of its code."""
    location = read(job_facets, "sourceCodeLocation", SourceCodeLocationFacet, notes)
    if location is not None and (location.version or location.tag):
        return location.version or location.tag
    code = read(job_facets, "sourceCode", SourceCodeFacet, notes)
    sql = read(job_facets, "sql", SqlFacet, notes)
    text = code.sourceCode if code else sql.query if sql else None
    if text is None:
        return None
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def source_location(job_facets: Facets, notes: list[str] | None = None) -> str | None:
    location = read(job_facets, "sourceCodeLocation", SourceCodeLocationFacet, notes)
    if location is None:
        return None
    if location.url:
        return location.url
    return "#".join(part for part in (location.repoUrl, location.path) if part) or None


class SymlinkIdentifier(_Facet):
    namespace: str
    name: str
    type: str | None = None


class SymlinksFacet(_Facet):
    identifiers: list[SymlinkIdentifier] = Field(default_factory=list)


MAX_ALIASES = 100
"""The most other names one dataset's `symlinks` facet may give (more are ignored, noted)."""


def aliases(
    facets: Facets, namespace: str, name: str, notes: list[str] | None = None
) -> list[AliasSpec]:
    """The other names the `symlinks` facet gives the dataset (namespace, name), once each."""
    facet = read(facets, "symlinks", SymlinksFacet, notes)
    if facet is None:
        return []
    found: dict[tuple[str, str], AliasSpec] = {}
    for other in facet.identifiers:
        key = (other.namespace.strip(), other.name.strip())
        if key == (namespace.strip(), name.strip()) or key in found:
            continue
        try:
            found[key] = AliasSpec(namespace=other.namespace, name=other.name, type=other.type)
        except ValidationError as exc:
            if notes is None:
                raise InvalidEventError(f"facet 'symlinks': {describe(exc)}") from exc
            notes.append(f"facet 'symlinks': identifier ignored: {describe(exc)}")
    if len(found) > MAX_ALIASES and notes is not None:
        notes.append(
            f"dataset {namespace}/{name}: its symlinks facet names {len(found)} other names; "
            f"the first {MAX_ALIASES} are kept"
        )
    return list(found.values())[:MAX_ALIASES]
