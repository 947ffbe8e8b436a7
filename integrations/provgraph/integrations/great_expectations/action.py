"""A Great Expectations Checkpoint action: add it to any checkpoint's `actions` and each
validation the checkpoint runs is recorded in provgraph (SUMMARY form, no raw values)."""

from __future__ import annotations

from typing import Any, Literal

from great_expectations.checkpoint.actions import ValidationAction

from provgraph.integrations.emitter import emitter
from provgraph.integrations.great_expectations.events import validation_event
from provgraph.integrations.great_expectations.summary import summarize


class ProvgraphValidationAction(ValidationAction):
    """`namespace` and `name` name the validated dataset the OpenLineage way (default name:
    the GX data asset's name); `url`/`token` default to PROVGRAPH_URL / PROVGRAPH_TOKEN. The
    action never fails the checkpoint: results are queued and sent by a background thread."""

    type: Literal["provgraph"] = "provgraph"
    name: str = "provgraph"
    namespace: str
    dataset_name: str | None = None
    url: str | None = None
    token: str | None = None
    wait: float | None = None

    def run(self, checkpoint_result: Any, action_context: Any = None) -> dict[str, Any]:
        sink = emitter(self.url, self.token)
        queued = 0
        for result in checkpoint_result.run_results.values():
            document = result.to_json_dict()
            active = (document.get("meta") or {}).get("active_batch_definition") or {}
            name = self.dataset_name or active.get("data_asset_name")
            if not name:
                continue
            job = f"checkpoint.{checkpoint_result.checkpoint_config.name}"
            sink.emit(validation_event(summarize(document), (self.namespace, name), job=job))
            queued += 1
        if self.wait is not None:
            sink.flush(self.wait)
        return {"provgraph": {"queued": queued, "url": sink.url}}
