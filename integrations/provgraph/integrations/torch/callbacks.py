"""A thin callback API for training loops that already exist (no `with` block to wrap them in).

callback = TrainingCallback(model="fraud-detector", purpose="fraud_detection",
                            features=["rider_risk:avg_fare"])
callback.on_train_begin()                 # policy check: raises PolicyDeniedError
for epoch in range(epochs):
    ...
    callback.on_epoch_end(epoch, loss=loss)
callback.on_train_end(model, "model.pt")  # registers the model version, ends the run
# on an exception: callback.on_exception(error)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from provgraph.client import Client
from provgraph.integrations.errors import IntegrationError
from provgraph.integrations.torch.run import NAMESPACE, Stage, TrainingRun


class TrainingCallback:
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
        self.run = TrainingRun(
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
        self._state = "new"

    def on_train_begin(self, **params: Any) -> TrainingRun:
        """Start the run and check `train`; a deny raises PolicyDeniedError (do not train)."""
        if self._state != "new":
            raise IntegrationError(f"on_train_begin called on a run that is {self._state}")
        self.run.start()
        self._state = "running"
        self.run.log_params(**params)
        return self.run

    def on_epoch_end(self, epoch: int, **metrics: float) -> None:
        self._require_running()
        self.run.log_metrics(epoch=epoch, **metrics)

    def on_train_end(
        self, model: torch.nn.Module | None = None, path: str | Path | None = None
    ) -> str | None:
        """End the run; with a model and a path, save and register it (its URN is returned)."""
        self._require_running()
        urn = self.run.save(model, path) if model is not None and path is not None else None
        self.run.finish(None)
        self._state = "ended"
        return urn

    def on_exception(self, error: BaseException) -> None:
        if self._state == "running":
            self.run.finish(error)
            self._state = "failed"

    def _require_running(self) -> None:
        if self._state != "running":
            raise IntegrationError(f"the training run is {self._state}, not running")
