"""A torch training run that gates itself on policy and records itself in the catalog.

    with training_run(model="fraud-detector", purpose="fraud_detection",
                      features=["rides:pickup_city_entropy"]) as run:
        data = run.load_features("features.parquet", label="is_fraud")
        ...train on data.train...
        run.log_metrics(epoch=1, loss=0.3)
        urn = run.save(model, "model.pt")

Before anything is trained the features are checked for `train` with the model's purpose; a
denial raises PolicyDeniedError with the policy's reasons and is recorded on the run (which
ends FAILED). A catalog that cannot be reached fails the run closed: nothing trains unchecked.
"""

from __future__ import annotations

import contextlib
import io
import math
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import torch
from openlineage.client.event_v2 import InputDataset
from openlineage.client.facet_v2 import RunFacet, processing_engine_run

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.client import Client, ProvgraphError
from provgraph.integrations import run_ends
from provgraph.integrations.artifacts import file_digest
from provgraph.integrations.environment import code_version, entry_module, environment_facts
from provgraph.integrations.errors import (
    IntegrationError,
    PolicyDeniedError,
    catalog_error,
)
from provgraph.integrations.facets import (
    ProvgraphModelVersionRunFacet,
    ProvgraphReproductionRunFacet,
    ProvgraphTrainingRunFacet,
)
from provgraph.integrations.run_events import (
    PRODUCER,
    as_json,
    error_facet,
    job_type,
    now,
    run_event,
    source_code_facet,
)
from provgraph.integrations.torch.catalog_lookup import (
    feature_source,
    feature_urn,
    newest_version,
    one_table,
    query,
)
from provgraph.integrations.torch.features import LoadedFeatures, read_feature_table
from provgraph.integrations.torch.training_set import (
    RecordedTrainingSet,
    gated_training_set,
    loaded_training_set,
)

INTEGRATION = "torch"
NAMESPACE = "provgraph.torch"
Stage = Literal["development", "staging", "production", "archived"]
Scalar = str | int | float | bool | None


class TrainingRun:
    """One run of a training job: its id, what it read, its params and metrics, its model."""

    def __init__(
        self,
        *,
        model: str,
        purpose: str,
        features: list[str],
        stage: Stage = "development",
        job: str | None = None,
        namespace: str = NAMESPACE,
        owners: list[str] | None = None,
        url: str | None = None,
        token: str | None = None,
        client: Client | None = None,
    ) -> None:
        if not features:
            raise IntegrationError("a training run names the features it trains on")
        self.client = client or Client(url=url, token=token)
        self.model = model
        self.purpose = purpose
        self.stage = stage
        self.features = [feature_urn(f) for f in features]
        self.job = (namespace, job or f"train.{model}")
        self.owners = owners or []
        self.run_id = str(uuid.uuid4())
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.params: dict[str, Scalar] = {}
        self.metrics: dict[str, float] = {}
        self.history: list[dict[str, float]] = []
        self.loaded: LoadedFeatures | None = None
        self.gated_versions: list[str] = []
        """The feature versions the `train` decision was about."""
        self.model_version: str | None = None
        self.reproduced = False
        """save() found the artifact already registered: this run reproduced it."""
        self.decision: str | None = None
        self._code = code_version()
        self._module = entry_module()
        self._started = now()

    @property
    def urn(self) -> str:
        return str(Urn(NodeKind.RUN, self.run_id))

    # ---- what the training loop calls ------------------------------------------------------

    def log_params(self, **params: Scalar) -> None:
        self.params.update(params)

    def log_metrics(self, *, epoch: int | None = None, **metrics: float) -> None:
        """Per-epoch metrics (with `epoch`) go to the history; the last values are final."""
        for name, value in metrics.items():
            if not math.isfinite(float(value)):
                raise IntegrationError(f"metric {name} is not a finite number: {value}")
        values = {k: float(v) for k, v in metrics.items()}
        self.metrics.update(values)
        if epoch is not None:
            self.history.append({"epoch": float(epoch), **values})

    def load_features(
        self,
        path: str | Path,
        *,
        label: str | None = None,
        dataset: tuple[str, str] | None = None,
        split: float = 0.8,
        seed: int = 0,
        name: str | None = None,
    ) -> LoadedFeatures:
        """Read the run's features from a materialized feature table and pin the training set.

        Each feature's column and the table's dataset version come from the catalog (what the
        materializing job recorded), so the manifest names exactly what was read."""
        sources = [feature_source(self.client, f) for f in self.features]
        table = one_table(sources)
        if dataset is not None and dataset != table:
            raise IntegrationError(f"the features were materialized into {table}, not {dataset}")
        version = newest_version(self.client, table)
        loaded = read_feature_table(
            path,
            name=name or f"{self.model}-training",
            dataset=table,
            dataset_version=version,
            features=sources,
            label=label,
            split=split,
            seed=seed,
        )
        self.loaded = loaded
        self.log_params(seed=seed, split=split)
        torch.manual_seed(seed)
        self._send("RUNNING", run_facets=loaded_training_set(loaded).facets)
        return loaded

    def save(self, model: torch.nn.Module, path: str | Path) -> str:
        """Save the artifact, register the model version (TRAINED_ON the training set,
        PRODUCED_MODEL by this run) and return its URN."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # through a buffer: torch.save names the archive's root after the file, so the same
        # weights saved under two names would get two digests
        buffer = io.BytesIO()
        torch.save(model.state_dict(), buffer)
        target.write_bytes(buffer.getvalue())
        digest = file_digest(target)
        urn = str(Urn(NodeKind.MODEL, self.model).with_version(digest.removeprefix("sha256:")[:16]))
        if self._registered(urn):
            # the same bytes as a registered version (a reproduction): say so, never re-register
            reproduced = ProvgraphReproductionRunFacet(modelVersion=urn, artifactDigest=digest)
            self.reproduced = True
            self._send("COMPLETE", run_facets={"provgraph_reproduction": reproduced}, final=True)
        else:
            # data the training code loaded itself: the gated feature versions are the set
            drawn = self._training_set()
            recorded = drawn.facets if drawn is not None and self.loaded is None else {}
            self._send(
                "COMPLETE",
                run_facets={
                    **recorded,
                    "provgraph_modelVersion": self._model_facet(digest, target.name, drawn),
                },
                final=True,
            )
        self.model_version = urn
        return self.model_version

    def _training_set(self) -> RecordedTrainingSet | None:
        if self.loaded is not None:
            return loaded_training_set(self.loaded)
        return gated_training_set(f"{self.model}-training", self.gated_versions)

    def _model_facet(
        self, digest: str, label: str, training_set: RecordedTrainingSet | None
    ) -> ProvgraphModelVersionRunFacet:
        return ProvgraphModelVersionRunFacet(
            model=self.model,
            artifactDigest=digest,
            framework=f"torch-{torch.__version__}",
            params=self.params,
            metrics=self.metrics,
            purpose=self.purpose,
            stage=self.stage,
            owners=self.owners,
            label=label,
            trainingSet=None if training_set is None else training_set.urn,
        )

    def _registered(self, model_version: str) -> bool:
        data = query(self.client, "query($u: ID!) { node(urn: $u) { urn } }", {"u": model_version})
        return data.get("node") is not None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        run_ends.resume(self.client)  # what an earlier process could not end, it sends now
        self._send("START")
        try:
            answer = self.client.check_feature_use(
                action="train", purpose=self.purpose, features=self.features, run_id=self.run_id
            )
        except ProvgraphError as exc:
            self._fail(f"policy check failed: {exc}")
            raise catalog_error("cannot check the policy, not training", exc) from exc
        self.decision = answer.decision_urn
        self.gated_versions = _versions(answer.input)
        if not answer.allow:
            reasons = list(answer.deny)
            self._fail("training denied by policy: " + "; ".join(reasons))
            raise PolicyDeniedError("train", reasons, answer.decision_urn)

    def finish(self, error: BaseException | None) -> None:
        if error is not None:
            self._fail(f"{type(error).__name__}: {error}")
        elif self.model_version is None:
            run_ends.end_run(self.client, self._event("COMPLETE", final=True))

    def _fail(self, message: str) -> None:
        # the caller gets the original error; a catalog that is away gets the end when it
        # returns (never a run left RUNNING), one that refuses it changes nothing
        event = self._event("FAIL", run_facets=error_facet(message), final=True)
        with contextlib.suppress(IntegrationError):
            run_ends.end_run(self.client, event)

    # ---- events ----------------------------------------------------------------------------

    def _send(
        self,
        event_type: Literal["START", "RUNNING", "COMPLETE", "FAIL"],
        *,
        run_facets: Mapping[str, RunFacet] | None = None,
        final: bool = False,
    ) -> None:
        event = self._event(event_type, run_facets=run_facets, final=final)
        try:
            self.client.send_openlineage([event])
        except ProvgraphError as exc:
            raise catalog_error("cannot record the training run", exc) from exc

    def _event(
        self,
        event_type: Literal["START", "RUNNING", "COMPLETE", "FAIL"],
        *,
        run_facets: Mapping[str, RunFacet] | None = None,
        final: bool = False,
    ) -> dict[str, Any]:
        """The event as sent (JSON): a run end may wait on disk for the catalog."""
        facets: dict[str, RunFacet] = {
            "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
                name="torch", version=torch.__version__, producer=PRODUCER
            ),
            "provgraph_training": self._training_facet(final),
            **(run_facets or {}),
        }
        inputs = []
        if self.loaded is not None:
            manifest = self.loaded.manifest
            inputs.append(
                InputDataset(namespace=manifest.dataset_namespace, name=manifest.dataset_name)
            )
        return as_json(
            run_event(
                event_type=event_type,
                run_id=self.run_id,
                job=self.job,
                run_facets=facets,
                job_facets={**job_type("TORCH", "TRAINING"), **source_code_facet(self._code)},
                inputs=inputs,
            )
        )

    def _training_facet(self, final: bool) -> ProvgraphTrainingRunFacet:
        code: dict[str, Any] | None = None
        if self._code is not None:
            code = {
                "commit": self._code.commit,
                "dirty": self._code.dirty,
                "repository": self._code.repository,
                "path": self._code.path,
                **({"module": self._module} if self._module else {}),
            }
        return ProvgraphTrainingRunFacet(
            model=self.model,
            purpose=self.purpose,
            stage=self.stage,
            params=self.params,
            metrics=self.metrics,
            history=list(self.history[-1000:]),
            environment=environment_facts(self.device),
            startedAt=self._started,
            code=code,
            endedAt=datetime.now(UTC).isoformat() if final else None,
        )


def _versions(policy_input: dict[str, Any]) -> list[str]:
    """The feature versions a decision's input names, in its order."""
    features = policy_input.get("features")
    found = (
        (f.get("version") for f in features if isinstance(f, dict))
        if isinstance(features, list)
        else ()
    )
    return [v for v in found if isinstance(v, str)]


@contextmanager
def training_run(
    *,
    model: str,
    purpose: str,
    features: list[str],
    stage: Stage = "development",
    job: str | None = None,
    namespace: str = NAMESPACE,
    owners: list[str] | None = None,
    url: str | None = None,
    token: str | None = None,
    client: Client | None = None,
) -> Iterator[TrainingRun]:
    run = TrainingRun(
        model=model,
        purpose=purpose,
        features=features,
        stage=stage,
        job=job,
        namespace=namespace,
        owners=owners,
        url=url,
        token=token,
        client=client,
    )
    run.start()
    try:
        yield run
    except BaseException as exc:
        run.finish(exc)
        raise
    run.finish(None)
