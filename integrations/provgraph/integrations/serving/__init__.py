"""Deploy gated by policy, and a serving hook for FastAPI model servers.

from provgraph.integrations.serving import deploy, ServingGuard
"""

from __future__ import annotations

from provgraph.integrations.serving.decisions import CachedDecision, DecisionCache
from provgraph.integrations.serving.deploy import ArtifactMismatchError, Deployed, deploy
from provgraph.integrations.serving.guard import ServingGuard, Use
from provgraph.integrations.serving.recorder import PredictionRecorder

__all__ = [
    "ArtifactMismatchError",
    "CachedDecision",
    "DecisionCache",
    "Deployed",
    "PredictionRecorder",
    "ServingGuard",
    "Use",
    "deploy",
]
