"""Deploy a registered model version, gated by policy (`deploy`), recorded in the catalog."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openlineage.client.facet_v2 import RunFacet

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.client import Client, ProvgraphError
from provgraph.integrations import run_ends
from provgraph.integrations.artifacts import file_digest
from provgraph.integrations.errors import (
    IntegrationError,
    PolicyDeniedError,
    catalog_error,
)
from provgraph.integrations.facets import ProvgraphDeploymentRunFacet
from provgraph.integrations.run_events import (
    EventType,
    as_json,
    error_facet,
    job_type,
    run_event,
)

NAMESPACE = "provgraph.serving"

_MODEL_VERSION = """
query($urn: ID!) { node(urn: $urn) { ... on ModelVersion { urn artifactDigest purpose stage
  trainingRun { urn state decisions { action allow } } } } }
"""


class ArtifactMismatchError(IntegrationError):
    """The artifact on disk is not the one registered: it was changed or saved elsewhere."""


@dataclass(frozen=True)
class Deployed:
    deployment: str
    model_version: str
    decision: str
    obligations: list[str]


def deploy(
    model_version: str,
    *,
    deployment: str,
    environment: str,
    purpose: str,
    artifact: str | Path | None = None,
    endpoint: str | None = None,
    url: str | None = None,
    token: str | None = None,
    client: Client | None = None,
) -> Deployed:
    """Make `deployment` in `environment` serve `model_version`.

    Refused (IntegrationError) when the version is not registered, its training run did not
    complete or was denied, or `artifact` is given and its digest is not the registered one;
    PolicyDeniedError when the policy denies `deploy`; CatalogUnavailableError when the catalog
    cannot be asked (never deployed unchecked). The previous version's SERVES edge is closed by
    the catalog, so as-of answers stay right."""
    catalog = client or Client(url=url, token=token)
    version = _registered(catalog, model_version)
    if artifact is not None:
        digest = file_digest(Path(artifact))
        if digest != version["artifactDigest"]:
            raise ArtifactMismatchError(
                f"{artifact} has digest {digest}, but {model_version} was registered with "
                f"{version['artifactDigest']}: register the new artifact through a training run"
            )
    run_id = str(uuid.uuid4())
    job = (NAMESPACE, f"deploy.{environment}.{deployment}")
    target = str(Urn(NodeKind.DEPLOYMENT, deployment, environment))
    run_ends.resume(catalog)
    _send(catalog, _event("START", run_id, job))
    try:
        answer = catalog.check_feature_use(
            action="deploy",
            purpose=purpose,
            model_version=model_version,
            run_id=run_id,
            environment=environment,
        )
    except ProvgraphError as exc:
        _fail(catalog, run_id, job, f"policy check failed: {exc}")
        raise catalog_error("cannot check the policy, not deploying", exc) from exc
    if not answer.allow:
        _fail(catalog, run_id, job, "deploy denied by policy: " + "; ".join(answer.deny))
        raise PolicyDeniedError("deploy", list(answer.deny), answer.decision_urn)
    deployed = ProvgraphDeploymentRunFacet(
        environment=environment,
        name=deployment,
        modelVersion=model_version,
        endpoint=endpoint,
        purpose=purpose,
    )
    try:
        _send(catalog, _event("COMPLETE", run_id, job, {"provgraph_deployment": deployed}))
    except IntegrationError as exc:
        _fail(catalog, run_id, job, f"the deployment could not be recorded: {exc}")
        raise
    return Deployed(target, model_version, answer.decision_urn, list(answer.obligations))


def _registered(catalog: Client, model_version: str) -> dict[str, Any]:
    try:
        parsed = Urn.parse(model_version)
    except ValueError as exc:
        raise IntegrationError(f"not a model version URN: {model_version!r}") from exc
    if parsed.kind is not NodeKind.MODEL_VERSION:
        raise IntegrationError(f"not a model version URN: {model_version!r}")
    try:
        data = catalog.graphql(_MODEL_VERSION, {"urn": model_version})
    except ProvgraphError as exc:
        raise catalog_error("cannot ask the catalog", exc) from exc
    version = data.get("node")
    if not version:
        raise IntegrationError(
            f"{model_version} is not registered: save models through a training run"
        )
    run = version.get("trainingRun")
    if run is not None:
        if run.get("state") != "COMPLETE":
            raise IntegrationError(
                f"{model_version} comes from training run {run['urn']}, which ended "
                f"{run.get('state') or 'without a state'}; only completed training deploys"
            )
        trains = [d for d in run.get("decisions", []) if d["action"] == "train"]
        if any(not d["allow"] for d in trains):
            raise IntegrationError(f"training of {model_version} was denied by policy")
    return dict(version)


def _send(catalog: Client, event: dict[str, Any]) -> None:
    try:
        catalog.send_openlineage([event])
    except ProvgraphError as exc:
        raise catalog_error("cannot record the deployment", exc) from exc


def _fail(catalog: Client, run_id: str, job: tuple[str, str], message: str) -> None:
    """End the deploy run FAIL: now, or when the catalog returns (never left RUNNING)."""
    with contextlib.suppress(IntegrationError):
        run_ends.end_run(catalog, _event("FAIL", run_id, job, error_facet(message)))


def _event(
    event_type: EventType,
    run_id: str,
    job: tuple[str, str],
    run_facets: dict[str, RunFacet] | None = None,
) -> dict[str, Any]:
    return as_json(
        run_event(
            event_type=event_type,
            run_id=run_id,
            job=job,
            run_facets=run_facets,
            job_facets=job_type("SERVING", "DEPLOY"),
        )
    )
