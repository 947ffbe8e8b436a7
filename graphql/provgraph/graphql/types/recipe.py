"""Recipe: how to reproduce a model version exactly, and what has changed since."""

from __future__ import annotations

import strawberry

from provgraph.catalog.service import recipe as service
from provgraph.graphql.scalars import JSON


@strawberry.type(description="A dataset version a model version was trained from.")
class RecipeDataset:
    urn: strawberry.ID
    dataset: strawberry.ID
    produced_by: strawberry.ID | None = strawberry.field(
        description="The run that wrote this version, when a run did."
    )
    job: strawberry.ID | None
    code_version: str | None


@strawberry.type(description="A feature version a model version was trained on.")
class RecipeFeature:
    urn: strawberry.ID
    feature: strawberry.ID
    transformation: str | None
    dtype: str | None
    declassifying: bool
    source_columns: list[strawberry.ID]


@strawberry.type(description="Something that differs now from when the model was trained.")
class RecipeChange:
    kind: str = strawberry.field(
        description="newer_dataset_version, newer_feature_version, feature_deprecated, "
        "classification_added, classification_removed or content_mismatch"
    )
    subject: strawberry.ID
    detail: str


@strawberry.type(description="Everything needed to train this model version again.")
class Recipe:
    artifact_digest: str | None
    framework: str | None
    params: JSON
    metrics: JSON
    training_set: strawberry.ID | None
    manifest: JSON = strawberry.field(description="Digest, split, seed, row counts, window.")
    training_run: strawberry.ID | None
    job: strawberry.ID | None
    code_version: str | None
    environment: JSON
    datasets: list[RecipeDataset]
    features: list[RecipeFeature]
    changes: list[RecipeChange]
    unpinned: list[str] = strawberry.field(
        description="What could not be pinned: training_set, or digest, rows, split, seed "
        "(the training code loaded the data itself), datasets (none recorded as read)."
    )
    code_location: str | None = strawberry.field(
        description="The repository (or the job's source code location) the training code ran from."
    )
    entry_point: str | None = strawberry.field(
        description="The script, relative to codeLocation, or `-m module` that trained it."
    )
    rerun: str | None = strawberry.field(
        description="A shell command that checks the recorded commit out and runs the entry "
        "point again (the script's arguments are not recorded)."
    )

    @staticmethod
    def of(found: service.Recipe) -> Recipe:
        return Recipe(
            artifact_digest=found.artifact_digest,
            framework=found.framework,
            params=JSON(found.params),
            metrics=JSON(found.metrics),
            training_set=_id(found.training_set),
            manifest=JSON(found.manifest),
            training_run=_id(found.training_run),
            job=_id(found.job),
            code_version=found.code_version,
            environment=JSON(found.environment),
            datasets=[
                RecipeDataset(
                    urn=strawberry.ID(d.urn),
                    dataset=strawberry.ID(d.dataset),
                    produced_by=_id(d.produced_by),
                    job=_id(d.job),
                    code_version=d.code_version,
                )
                for d in found.datasets
            ],
            features=[
                RecipeFeature(
                    urn=strawberry.ID(f.urn),
                    feature=strawberry.ID(f.feature),
                    transformation=f.transformation,
                    dtype=f.dtype,
                    declassifying=f.declassifying,
                    source_columns=[strawberry.ID(c) for c in f.source_columns],
                )
                for f in found.features
            ],
            changes=[
                RecipeChange(kind=c.kind, subject=strawberry.ID(c.subject), detail=c.detail)
                for c in found.changes
            ],
            unpinned=list(found.unpinned),
            code_location=found.code_location,
            entry_point=found.entry_point,
            rerun=found.rerun,
        )


def _id(value: str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(value)
