"""torch training that gates itself on policy and records itself: `pip install provgraph[torch]`.

from provgraph.integrations.torch import training_run
"""

from __future__ import annotations

try:
    import torch as _torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "provgraph.integrations.torch needs torch: pip install 'provgraph[torch]'"
    ) from exc

from provgraph.integrations.artifacts import file_digest
from provgraph.integrations.torch.callbacks import TrainingCallback
from provgraph.integrations.torch.features import FeatureTable, LoadedFeatures, Manifest
from provgraph.integrations.torch.run import TrainingRun, training_run

__all__ = [
    "FeatureTable",
    "LoadedFeatures",
    "Manifest",
    "TrainingCallback",
    "TrainingRun",
    "file_digest",
    "training_run",
]
