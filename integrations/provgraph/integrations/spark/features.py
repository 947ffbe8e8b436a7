"""`materialize_features`: write a feature table and record its features, policy first.

1. The DataFrame's plan gives each feature column's source columns and how each is used
   (identity, transformation, aggregation; `masking` when every path from it is a hash). That
   is sent as evidence on the feature's sources; the catalog decides what it declassifies.
2. The features are defined in the catalog from those source columns and the policy is asked
   whether they may be materialized for `purpose` (action `materialize`). A deny raises
   `PolicyDeniedError` with the policy's reasons: nothing is written, and the decision stays
   recorded, linked to the features. An unreachable catalog raises `CatalogUnavailableError`
   (fail closed: nothing is written unchecked).
3. The table is written; the tracked write's COMPLETE event carries the `provgraph_features`
   facet with each feature's definition and source columns, so the run that materialized the
   features is linked to the same feature version (one materialization, one version), whose
   COMPUTED_FROM edges move to the dataset versions that run read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

from provgraph.catalog.model.events import (
    ColumnRef,
    DatasetRegistered,
    FeatureDefined,
    FieldSpec,
    TransformationSpec,
)
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.timeutil import utc_now
from provgraph.catalog.model.urn import Urn
from provgraph.integrations.errors import IntegrationError, PolicyDeniedError, catalog_error
from provgraph.integrations.facets import ProvgraphFeature, ProvgraphFeaturesDatasetFacet
from provgraph.integrations.spark.lineage import DatasetId, Kind, PlanLineage
from provgraph.integrations.spark.naming import path_dataset, table_dataset
from provgraph.integrations.spark.tracker import dataframe_lineage, track


@dataclass(frozen=True)
class Feature:
    name: str
    column: str
    """The DataFrame column holding the feature's values."""
    dtype: str | None = None
    """Default: the column's Spark type."""
    transformation: str | None = None
    """Default: described from the plan (the source columns and how they were combined)."""
    declassifying: bool | None = None
    """True declares the transformation declassifying: a steward's decision (it needs a
    steward's token). By default only the plan's evidence is sent (masking on the sources)."""
    description: str | None = None


@dataclass(frozen=True)
class FeatureMaterialization:
    group: str
    output: tuple[str, str]
    """The feature table's OpenLineage (namespace, name)."""
    features: dict[str, str]
    """Feature name -> feature URN."""
    sources: dict[str, list[ColumnRef]]
    """Feature name -> the columns it was computed from (from the plan)."""
    declassifying: dict[str, bool]
    """Feature name -> whether every source reaches it through a hash (the masking evidence
    sent), or the caller declared it declassifying."""
    decision: str
    """URN of the recorded `materialize` policy decision."""
    obligations: list[str] = field(default_factory=list)
    recorded: bool = False
    """Whether the write's lineage reached the catalog before returning."""


def _target(spark: Any, output: str | None, table: str | None) -> DatasetId:
    if (output is None) == (table is None):
        raise IntegrationError("give exactly one of output= (a path) or table= (a table name)")
    if table is not None:
        parts = table.split(".")
        if len(parts) > 3 or not all(parts):
            raise IntegrationError(f"not a table name: {table!r}")
        name = parts[-1]
        database = parts[-2] if len(parts) >= 2 else spark.catalog.currentDatabase()
        return table_dataset(name, database, parts[0] if len(parts) == 3 else None)
    assert output is not None
    if "://" in output or output.startswith("file:"):
        return path_dataset(output)
    return path_dataset("file:" + os.path.abspath(output))


def _describe(lineage: PlanLineage, column: str) -> str:
    sources = lineage.fields.get(column, {})
    if not sources:
        return f"column {column} (no source columns)"
    kinds = {how.kind for how in sources.values()}
    how = (
        "hash of"
        if all(h.masking for h in sources.values())
        else "aggregate of"
        if Kind.AGGREGATION in kinds
        else "copy of"
        if kinds == {Kind.IDENTITY}
        else "computed from"
    )
    names = ", ".join(f"{s.name}#{s.field}" for s in sources)
    return f"{how} {names}"


_KNOWN = """
query($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) { latestVersion { columns { name } } }
}"""


def _register_unseen_inputs(client: Any, lineage: PlanLineage) -> None:
    """Datasets the plan reads that the catalog has no schema for (raw files nobody
    registered) are registered with the schema Spark read them with, so features can name
    their columns."""
    unseen = []
    for dataset, attrs in lineage.inputs.items():
        found = client.graphql(_KNOWN, {"ns": dataset.namespace, "name": dataset.name})
        latest = (found.get("dataset") or {}).get("latestVersion") or {}
        if not latest.get("columns") and attrs:
            unseen.append(
                DatasetRegistered(
                    event_time=utc_now(),
                    namespace=dataset.namespace,
                    name=dataset.name,
                    fields=[FieldSpec(name=a.name, type=a.data_type) for a in attrs],
                )
            )
    if unseen:
        client.submit(unseen)


def materialize_features(
    df: Any,
    *,
    group: str,
    entity: str | None,
    features: list[Feature],
    purpose: str,
    output: str | None = None,
    table: str | None = None,
    format: str = "parquet",
    mode: Literal["overwrite", "append", "error", "ignore"] = "overwrite",
    environment: str | None = None,
    owners: list[str] | None = None,
    url: str | None = None,
    token: str | None = None,
    wait: float | None = 30.0,
) -> FeatureMaterialization:
    """Check policy, write `df` (its feature columns and the entity key) and record the features.

    Raises `PolicyDeniedError` (nothing written), `CatalogUnavailableError` (nothing written),
    `IntegrationError` for bad arguments.
    """
    from provgraph.client import ProvgraphError

    if not features:
        raise IntegrationError("materialize_features needs at least one Feature")
    columns = set(df.columns)
    missing = [f.column for f in features if f.column not in columns]
    if entity is not None and entity not in columns:
        missing.append(entity)
    if missing:
        raise IntegrationError(
            f"the DataFrame has no column(s) {missing}; it has {sorted(columns)}"
        )
    spark = df.sparkSession
    target = _target(spark, output, table)
    lineage = dataframe_lineage(df)
    if lineage.stopped_at is not None:
        raise IntegrationError(
            f"cannot tell the features' source columns: column lineage stops at "
            f"{lineage.stopped_at}"
        )
    types = dict(df.dtypes)
    sources: dict[str, list[ColumnRef]] = {}
    declassifying: dict[str, bool] = {}
    definitions: list[FeatureDefined] = []
    for feature in features:
        found = lineage.fields.get(feature.column, {})
        if not found:
            raise IntegrationError(
                f"feature {feature.name}: column {feature.column} is not computed from any "
                "dataset column (a literal or in-memory data); a feature needs a source"
            )
        refs = [
            ColumnRef(
                namespace=s.namespace,
                name=s.name,
                field=s.field,
                transformations=[
                    TransformationSpec(type="DIRECT", subtype=how.kind.name, masking=how.masking)
                ],
            )
            for s, how in found.items()
        ]
        sources[feature.name] = refs
        masked = all(h.masking for h in found.values())
        declassifying[feature.name] = (
            masked if feature.declassifying is None else feature.declassifying
        )
        definitions.append(
            FeatureDefined(
                event_time=utc_now(),
                group=group,
                name=feature.name,
                description=feature.description,
                dtype=feature.dtype or types[feature.column],
                entity=entity,
                transformation=feature.transformation or _describe(lineage, feature.column),
                sources=refs,
                declassifying=bool(feature.declassifying),
                owners=owners or [],
            )
        )
    tracker = track(spark, url, token)
    client = tracker.emitter.client
    # the datasets this session wrote before must be in the catalog to define features on them
    tracker.flush(wait)
    urns = {f.name: str(Urn(NodeKind.FEATURE, f.name, group)) for f in features}
    try:
        _register_unseen_inputs(client, lineage)
        client.submit(definitions)
        decision = client.check_feature_use(
            action="materialize",
            purpose=purpose,
            features=list(urns.values()),
            environment=environment,
        )
    except ProvgraphError as exc:
        raise catalog_error("materialize_features: policy check", exc) from exc
    if not decision.allow:
        raise PolicyDeniedError("materialize", decision.deny, decision.decision_urn)

    facet = ProvgraphFeaturesDatasetFacet(
        group=group,
        entity=entity,
        owners=owners or [],
        features=[
            ProvgraphFeature(
                name=f.name,
                column=f.column,
                dtype=f.dtype or types[f.column],
                transformation=definitions[i].transformation,
                declassifying=bool(f.declassifying),
                sources=[r.model_dump(mode="json") for r in definitions[i].sources],
                description=f.description or None,
            )
            for i, f in enumerate(features)
        ],
    )
    tracker.expect(target, {"provgraph_features": facet})
    kept = [
        c for c in dict.fromkeys([*([entity] if entity else []), *(f.column for f in features)])
    ]
    writer = df.select(*kept).write.format(format).mode(mode)
    try:
        if table is not None:
            writer.saveAsTable(table)
        else:
            writer.save(output)
    except BaseException:
        tracker.forget(target)
        raise
    recorded = tracker.flush(wait) if wait is not None else False
    return FeatureMaterialization(
        group=group,
        output=(target.namespace, target.name),
        features=urns,
        sources=sources,
        declassifying=declassifying,
        decision=decision.decision_urn,
        obligations=list(decision.obligations),
        recorded=recorded,
    )
