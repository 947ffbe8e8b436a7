"""The reproducibility recipe of a model version, and what changed since it was trained.

A recipe names exactly what went in: the dataset versions read (each with the run and code
version that produced it), the feature versions with their definitions, the training-set
manifest (digest, split, seed), the params, the environment and code of the training run:
where the code is, its entry point and a command that runs it again (recipe_code.py).
"Changes since" compares that with the catalog now: a newer version of a source dataset or
feature, a feature deprecated, a classification that reached the model since it was trained,
a dataset version whose bytes were read differently by another training set. A newer dataset
version that another training set read with the same bytes is no change (a re-run). `unpinned`
names what the recipe could not pin (recipe_pinning.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

from provgraph.catalog.model import views
from provgraph.catalog.model.answers.recipe import (
    Recipe,
    RecipeChange,
    RecipeDataset,
    RecipeFeature,
)
from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import from_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.classification import ClassificationService
from provgraph.catalog.service.reader import CatalogReader
from provgraph.catalog.service.recipe_code import training_code
from provgraph.catalog.service.recipe_pinning import (
    content_mismatches,
    drawn_from,
    same_content,
    unpinned,
)

V = TypeVar("V", bound=views.NodeView)

TRAINING_FACET = "run.provgraph_training"

__all__ = ["Recipe", "RecipeChange", "RecipeDataset", "RecipeFeature", "RecipeService"]


class RecipeService:
    def __init__(self, reader: CatalogReader, classifications: ClassificationService) -> None:
        self._reader = reader
        self._classifications = classifications

    def recipe(self, model_version: str) -> Recipe:
        parsed = Urn.parse(model_version)
        node = self._node(model_version)
        if node is None or parsed.kind is not NodeKind.MODEL_VERSION:
            raise NodeNotFoundError(model_version, f"no model version {model_version}")
        version = views.ModelVersion.of(node)
        training_set = self._one(model_version, EdgeKind.TRAINED_ON, outgoing=True)
        run = self._one(model_version, EdgeKind.PRODUCED_MODEL, outgoing=False)
        set_node = self._view(training_set, views.TrainingSet) if training_set else None
        run_node = self._view(run, views.Run) if run else None
        features = self._features(training_set) if training_set else []
        datasets = self._datasets(training_set, features)
        facts = _training_facts(run_node)
        job = self._one(run, EdgeKind.INSTANCE_OF, outgoing=True) if run else None
        job_node = self._view(job, views.Job) if job else None
        code = training_code(facts, job_node.source_code_location if job_node else None)
        drawn = drawn_from(self._reader, training_set)
        manifest = dict(set_node.manifest if set_node else {})
        digests = set_node.column_digests if set_node else {}
        mismatches = (
            content_mismatches(self._reader, training_set, digests, drawn) if training_set else []
        )
        return Recipe(
            model_version=model_version,
            artifact_digest=version.artifact_digest,
            framework=version.framework,
            params=dict(version.params),
            metrics=dict(version.metrics),
            training_set=training_set,
            manifest=manifest,
            training_run=run,
            job=job,
            code_version=(run_node.job_version if run_node else None) or _commit(facts),
            environment=dict(facts.get("environment") or {}),
            datasets=tuple(datasets),
            features=tuple(features),
            changes=tuple(
                self._changes(node, training_set, digests, datasets, features)
                + [
                    RecipeChange("content_mismatch", m.dataset_version, m.detail)
                    for m in mismatches
                ]
            ),
            unpinned=unpinned(training_set, manifest, drawn),
            code_location=code.location,
            entry_point=code.entry_point,
            rerun=code.rerun,
        )

    def _node(self, urn: str) -> NodeRecord | None:
        return self._reader.get_nodes([urn]).get(urn)

    def _view(self, urn: str, view: type[V]) -> V | None:
        found = self._node(urn)
        return None if found is None else view.of(found)

    def _one(self, urn: str, kind: EdgeKind, *, outgoing: bool) -> str | None:
        edges = self._reader.related(urn, kind, outgoing=outgoing)
        if not edges:
            return None
        edge = min(edges, key=lambda e: (e.valid_from, e.dst if outgoing else e.src))
        return edge.dst if outgoing else edge.src

    def _features(self, training_set: str) -> list[RecipeFeature]:
        urns = sorted(
            e.dst for e in self._reader.related(training_set, EdgeKind.INCLUDES, outgoing=True)
        )
        nodes = self._reader.views(urns, views.FeatureVersion)
        found = []
        for urn in urns:
            definition = nodes.get(urn)
            columns = sorted(
                e.dst for e in self._reader.related(urn, EdgeKind.COMPUTED_FROM, outgoing=True)
            )
            found.append(
                RecipeFeature(
                    urn=urn,
                    feature=str(Urn.parse(urn).container()),
                    transformation=definition.transformation if definition else None,
                    dtype=definition.dtype if definition else None,
                    declassifying=definition.declassifying if definition else False,
                    source_columns=tuple(columns),
                )
            )
        return found

    def _datasets(
        self, training_set: str | None, features: list[RecipeFeature]
    ) -> list[RecipeDataset]:
        versions: set[str] = set()
        if training_set:
            drawn = self._reader.related(training_set, EdgeKind.DRAWN_FROM, outgoing=True)
            versions.update(e.dst for e in drawn)
        for feature in features:
            for column in feature.source_columns:
                parsed = Urn.parse(column)
                if parsed.version is not None:
                    versions.add(str(parsed.dataset_version()))
        found = []
        for version in sorted(versions):
            run = self._one(version, EdgeKind.PRODUCED, outgoing=False)
            run_node = self._view(run, views.Run) if run else None
            found.append(
                RecipeDataset(
                    urn=version,
                    dataset=str(Urn.parse(version).container()),
                    produced_by=run,
                    job=self._one(run, EdgeKind.INSTANCE_OF, outgoing=True) if run else None,
                    code_version=run_node.job_version if run_node else None,
                )
            )
        return found

    def _changes(
        self,
        model: NodeRecord,
        training_set: str | None,
        digests: dict[str, str],
        datasets: list[RecipeDataset],
        features: list[RecipeFeature],
    ) -> list[RecipeChange]:
        changes: list[RecipeChange] = []
        for dataset in datasets:
            newest = self._reader.newest_version(dataset.dataset)
            if newest is None or newest == dataset.urn:
                continue
            if training_set and same_content(self._reader, training_set, digests, newest):
                continue  # a re-run that wrote the same bytes: not a change
            changes.append(RecipeChange("newer_dataset_version", dataset.urn, f"{newest} is newer"))
        feature_nodes = self._reader.views([f.feature for f in features], views.Feature)
        for feature in features:
            newest = self._reader.newest_version(feature.feature)
            if newest is not None and newest != feature.urn:
                changes.append(
                    RecipeChange("newer_feature_version", feature.urn, f"{newest} is newer")
                )
            stored = feature_nodes.get(feature.feature)
            if stored is not None and stored.status == "deprecated":
                changes.append(RecipeChange("feature_deprecated", feature.feature, "deprecated"))
        trained = from_micros(model.created_at)
        then = set(self._classifications.tags(model.urn, as_of=trained))
        now = set(self._classifications.tags(model.urn))
        changes += [
            RecipeChange("classification_added", model.urn, f"{tag} reached it since training")
            for tag in sorted(now - then)
        ]
        changes += [
            RecipeChange("classification_removed", model.urn, f"{tag} no longer reaches it")
            for tag in sorted(then - now)
        ]
        return changes


def _training_facts(run: views.Run | None) -> dict[str, Any]:
    facts = run.facets.get(TRAINING_FACET) if run else None
    return facts if isinstance(facts, dict) else {}


def _commit(facts: dict[str, Any]) -> str | None:
    code = facts.get("code")
    if not isinstance(code, dict) or not code.get("commit"):
        return None
    return str(code["commit"]) + ("-dirty" if code.get("dirty") else "")
