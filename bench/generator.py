"""Synthetic lineage graphs shaped like real ML lineage.

Layers: raw datasets -> derived datasets (several layers deep) -> features -> training sets
-> model versions -> deployments. About 3 edges per node; a tenth of the edges were closed at
some point, so as-of questions have history to get right.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn

T0 = 1_700_000_000_000_000  # microseconds
SPAN = 365 * 86_400 * 1_000_000


@dataclass
class SyntheticGraph:
    nodes: list[NodeRecord] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)
    deployments: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)


def generate(total: int, *, seed: int = 42) -> SyntheticGraph:
    rng = random.Random(seed)
    graph = SyntheticGraph()
    counts = {
        "raw": max(5, total * 5 // 100),
        "derived": max(10, total * 20 // 100),
        "feature": max(10, total * 45 // 100),
        "training": max(2, total * 5 // 100),
        "model": max(2, total * 15 // 100),
    }
    counts["deployment"] = max(1, total - sum(counts.values()))

    def node(urn: Urn) -> str:
        text = str(urn)
        graph.nodes.append(NodeRecord(text, urn.kind, T0, {}))
        return text

    def edge(kind: EdgeKind, src: str, dst: str) -> None:
        start = T0 + rng.randrange(SPAN // 2)
        end = start + rng.randrange(SPAN // 2) if rng.random() < 0.1 else 2**63 - 1
        graph.edges.append(EdgeRecord(kind, src, dst, start, end))

    raw = [node(Urn.dataset("raw", f"r{i}")) for i in range(counts["raw"])]
    layers = [raw]
    per_layer = counts["derived"] // 8 + 1
    made = 0
    while made < counts["derived"]:
        layer = []
        for _ in range(min(per_layer, counts["derived"] - made)):
            derived = node(Urn.dataset("lake", f"d{made}"))
            made += 1
            for _ in range(rng.randint(1, 3)):
                parents = layers[rng.randrange(max(0, len(layers) - 2), len(layers))]
                edge(EdgeKind.DERIVED_FROM, derived, rng.choice(parents))
            layer.append(derived)
        layers.append(layer)
        graph.derived.extend(layer)
    sources = graph.derived
    features = []
    for i in range(counts["feature"]):
        feature = node(Urn(NodeKind.FEATURE_VERSION, f"f{i}", "fs", "1"))
        for _ in range(rng.randint(1, 3)):
            edge(EdgeKind.COMPUTED_FROM, feature, rng.choice(sources))
        features.append(feature)
    trainings = []
    for i in range(counts["training"]):
        training = node(Urn(NodeKind.TRAINING_SET, f"t{i}", version="1"))
        for feature in rng.sample(features, min(len(features), rng.randint(5, 15))):
            edge(EdgeKind.INCLUDES, training, feature)
        trainings.append(training)
    models = []
    for i in range(counts["model"]):
        model = node(Urn(NodeKind.MODEL_VERSION, f"m{i // 3}", version=str(i)))
        edge(EdgeKind.TRAINED_ON, model, rng.choice(trainings))
        models.append(model)
    for i in range(counts["deployment"]):
        deployment = node(Urn(NodeKind.DEPLOYMENT, f"dep{i}", "prod"))
        edge(EdgeKind.SERVES, deployment, rng.choice(models))
        graph.deployments.append(deployment)
    return graph
