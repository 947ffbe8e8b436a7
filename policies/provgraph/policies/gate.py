"""Enforcement hooks: may a model use these features for this purpose, at this step?

`check_feature_use` builds the policy input from the catalog (each feature's direct and
inherited classifications with their explanations, certification status and the quality of its
source data; the model version's stage and purpose; the deployment's environment), asks the
policy engine, records the decision as provenance (a `policy.decided` event: a PolicyDecision
node linked to everything it was about) and returns it. `require_feature_use` raises
FeatureUseDeniedError instead of returning a deny. Unknown features or models are errors, never an
allow.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import CatalogError, InvalidUrnError, UnknownReferenceError
from provgraph.catalog.model.events import PolicyDecided
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import utc_now
from provgraph.catalog.model.urn import Urn, feature_reference
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.classification import ClassificationTrace
from provgraph.catalog.service.writer import Submission
from provgraph.policies.decision import Decision
from provgraph.policies.engine import PolicyEngine
from provgraph.policies.input import (
    DeploymentFacts,
    FeatureFacts,
    ModelFacts,
    PolicyInput,
    Quality,
    production_use,
)

Action = Literal["train", "deploy", "serve", "materialize"]
Origin = Literal["use", "compliance"]
SERVE_RECORD_INTERVAL_S = 3600.0
"""A routine serve decision is recorded at most once an hour per distinct question."""
MAX_SERVE_RECORDS = 10_000
"""Distinct serve questions remembered for aggregation (oldest forgotten first)."""
MAX_FEATURES = 1000


class FeatureUseRequest(BaseModel):
    """The question. Features may be named by feature or feature-version URN or as `group:name`
    (urn.feature_reference); with none given, the features of the model version's training set
    are checked."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    purpose: str = Field(min_length=1, max_length=200)
    features: list[str] = Field(default_factory=list, max_length=MAX_FEATURES)
    model_version: str | None = None
    deployment: str | None = None
    run_id: uuid.UUID | None = None
    environment: str | None = Field(default=None, max_length=200)

    @field_validator("features")
    @classmethod
    def _feature_urns(cls, features: list[str]) -> list[str]:
        return [str(feature_reference(f)) for f in features]


@dataclass(frozen=True)
class FeatureUseDecision:
    decision: Decision
    decision_urn: str
    policy_input: dict[str, Any]
    explanations: dict[str, list[ClassificationTrace]] = field(default_factory=dict)
    """Feature URN -> how it got each classification."""

    @property
    def allow(self) -> bool:
        return self.decision.allow


@dataclass(frozen=True)
class FeatureUseAssessment:
    """A decision that was not recorded (look-only)."""

    decision: Decision
    policy_input: dict[str, Any]
    """The document the engine evaluated (`facts`, as JSON)."""
    facts: PolicyInput
    explanations: dict[str, list[ClassificationTrace]] = field(default_factory=dict)


class FeatureUseDeniedError(CatalogError):
    def __init__(self, result: FeatureUseDecision) -> None:
        reasons = "; ".join(result.decision.deny) or "denied"
        super().__init__(f"feature use denied: {reasons}")
        self.result = result
        self.reasons = result.decision.deny


class FeatureUseGate:
    def __init__(self, catalog: Catalog, engine: PolicyEngine) -> None:
        self._catalog = catalog
        self._engine = engine
        self._serve_records: OrderedDict[tuple[str, str, bool], tuple[str, float]] = OrderedDict()
        self._serve_lock = threading.Lock()

    @property
    def engine(self) -> PolicyEngine:
        return self._engine

    def assess_feature_use(
        self,
        request: FeatureUseRequest,
        *,
        actor: str,
        extra_classifications: Mapping[str, Collection[str]] | None = None,
        engine: PolicyEngine | None = None,
    ) -> FeatureUseAssessment:
        """The decision without recording it: for look-only questions (the portal greying what a
        purpose may not use, what-if, dry runs), never for a decision that gates real work.
        `extra_classifications` (feature or feature-version URN -> tags) adds hypothetical
        classifications to the policy input, and `engine` decides instead of the active one (a
        candidate bundle): what-if."""
        model = self._model(request)
        deployment = self._deployment(request)
        if deployment and model is None:
            served = self._catalog.reader.related(deployment.urn, EdgeKind.SERVES, outgoing=True)
            model = self._model_facts(served[0].dst) if served else None
        features = request.features or (self._training_features(model.urn) if model else [])
        described, explanations = self._features(features)
        if extra_classifications:
            described = [_with_extra(f, extra_classifications) for f in described]
        environment = request.environment or (deployment.environment if deployment else None)
        facts = PolicyInput(
            action=request.action,
            purpose=request.purpose,
            principal=actor,
            environment=environment,
            production=production_use(deployment, environment),
            model=model,
            deployment=deployment,
            features=described,
        )
        document = facts.document()
        chosen = engine or self._engine
        return FeatureUseAssessment(chosen.evaluate(document), document, facts, explanations)

    def check_feature_use(
        self, request: FeatureUseRequest, *, actor: str, origin: Origin = "use"
    ) -> FeatureUseDecision:
        """Decide and record: for decisions that gate real work (`origin` "use") and those of a
        compliance report ("compliance"). Routine serving decisions are aggregated: the same
        serve question (same input document, bundle revision and answer) is recorded once per
        SERVE_RECORD_INTERVAL_S and answered with that recorded decision in between."""
        assessed = self.assess_feature_use(request, actor=actor)
        decision, document = assessed.decision, assessed.policy_input
        serve_key = (
            (decision.input_digest, decision.bundle_revision, decision.allow)
            if request.action == "serve" and origin == "use" and request.run_id is None
            else None
        )
        if serve_key is not None:
            with self._serve_lock:
                recent = self._serve_records.get(serve_key)
            if recent is not None and time.monotonic() - recent[1] < SERVE_RECORD_INTERVAL_S:
                return FeatureUseDecision(decision, recent[0], document, assessed.explanations)
        facts = assessed.facts
        decision_id = uuid.uuid4()
        subjects = [f.urn for f in facts.features] + [
            about.urn for about in (facts.model, facts.deployment) if about is not None
        ]
        if request.run_id is not None:
            subjects.append(str(Urn(NodeKind.RUN, str(request.run_id))))
        event = PolicyDecided(
            event_time=utc_now(),
            decision_id=decision_id,
            action=request.action,
            purpose=request.purpose,
            principal=actor,
            subjects=subjects,
            allow=decision.allow,
            deny=decision.deny,
            obligations=decision.obligations,
            bundle_revision=decision.bundle_revision,
            input_digest=decision.input_digest,
            engine=decision.engine,
            error=decision.error,
            policy_input=document,
            origin=origin,
        )
        self._catalog.submit([Submission(event)], actor=actor)
        urn = str(Urn(NodeKind.POLICY_DECISION, str(decision_id)))
        if serve_key is not None:
            with self._serve_lock:
                self._serve_records[serve_key] = (urn, time.monotonic())
                while len(self._serve_records) > MAX_SERVE_RECORDS:
                    self._serve_records.popitem(last=False)
        return FeatureUseDecision(decision, urn, document, assessed.explanations)

    def require_feature_use(self, request: FeatureUseRequest, *, actor: str) -> FeatureUseDecision:
        result = self.check_feature_use(request, actor=actor)
        if not result.allow:
            raise FeatureUseDeniedError(result)
        return result

    # ---- building the input ---------------------------------------------------------------

    def _existing(self, urn: str, kinds: set[NodeKind], role: str) -> Urn:
        try:
            parsed = Urn.parse(urn)
        except InvalidUrnError as exc:
            raise UnknownReferenceError(f"{role}: {exc}", urn=urn) from exc
        if parsed.kind not in kinds:
            allowed = " or ".join(sorted(k.value for k in kinds))
            raise UnknownReferenceError(f"{role} must be a {allowed} urn: {urn}", urn=urn)
        if not self._catalog.reader.exists(urn):
            raise UnknownReferenceError(f"{role} {urn} is not in the catalog", urn=urn)
        return parsed

    def _model(self, request: FeatureUseRequest) -> ModelFacts | None:
        if request.model_version is None:
            return None
        self._existing(request.model_version, {NodeKind.MODEL_VERSION}, "model_version")
        return self._model_facts(request.model_version)

    def _model_facts(self, urn: str) -> ModelFacts:
        version = self._catalog.reader.view(urn, views.ModelVersion)
        return ModelFacts(
            urn=urn, stage=version.stage, purpose=version.purpose, label=version.label
        )

    def _deployment(self, request: FeatureUseRequest) -> DeploymentFacts | None:
        if request.deployment is None:
            return None
        self._existing(request.deployment, {NodeKind.DEPLOYMENT}, "deployment")
        deployment = self._catalog.reader.view(request.deployment, views.Deployment)
        return DeploymentFacts.model_validate(
            {
                "urn": request.deployment,
                "environment": deployment.environment,
                "purpose": deployment.purpose,
                "status": deployment.status,
            }
        )

    def _training_features(self, model_version: str) -> list[str]:
        reader = self._catalog.reader
        sets = reader.related(model_version, EdgeKind.TRAINED_ON, outgoing=True)
        return [
            e.dst for s in sets for e in reader.related(s.dst, EdgeKind.INCLUDES, outgoing=True)
        ]

    def _features(
        self, urns: list[str]
    ) -> tuple[list[FeatureFacts], dict[str, list[ClassificationTrace]]]:
        described: list[FeatureFacts] = []
        explanations: dict[str, list[ClassificationTrace]] = {}
        for urn in dict.fromkeys(urns):
            parsed = self._existing(urn, {NodeKind.FEATURE, NodeKind.FEATURE_VERSION}, "feature")
            feature = str(parsed.container()) if parsed.kind is NodeKind.FEATURE_VERSION else urn
            version = (
                urn
                if parsed.kind is NodeKind.FEATURE_VERSION
                else self._catalog.reader.newest_version(feature)
            )
            stored = self._catalog.reader.view(feature, views.Feature)
            # the one rule (service/classification.py): what the feature (its newest version)
            # or the version named carries, exactly as every other surface answers it
            traces = self._catalog.classifications.classifications(urn)
            explanations[urn] = traces
            described.append(
                FeatureFacts(
                    urn=urn,
                    feature=feature,
                    version=version,
                    classifications=sorted({t.tag for t in traces}),
                    status=stored.status,
                    quality=self._quality(version),
                )
            )
        return described, explanations

    def _quality(self, version: str | None) -> Quality:
        """passing / failing / unknown: the checks recorded on the feature's source data."""
        return "unknown" if version is None else self._catalog.reader.quality(version)


def _with_extra(feature: FeatureFacts, extra: Mapping[str, Collection[str]]) -> FeatureFacts:
    """The feature with the hypothetical tags given for it, its feature or its version."""
    tags = {
        t
        for key in (feature.urn, feature.feature, feature.version)
        for t in extra.get(key or "", ())
    }
    if not tags:
        return feature
    return feature.model_copy(
        update={"classifications": sorted(set(feature.classifications) | tags)}
    )
