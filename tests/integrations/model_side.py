"""A small catalog for the model-side tests: a feature table with one PII-derived feature,
its parquet file, and a tiny torch model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import torch

from provgraph.catalog.model.events import (
    CatalogEvent,
    ColumnRef,
    DatasetRegistered,
    FeatureDefined,
    FieldSpec,
)

TABLE = ("file", "/features/rider_features")
GROUP = "riders"


def catalog_events(now: datetime | None = None) -> list[CatalogEvent]:
    moment = (now or datetime.now(UTC)) - timedelta(minutes=5)
    fields = [
        FieldSpec(name="rider_id", type="bigint"),
        FieldSpec(name="trips_30d", type="double"),
        FieldSpec(name="avg_fare", type="double"),
        FieldSpec(name="email_domain_risk", type="double", classifications=["pii.email"]),
        FieldSpec(name="is_fraud", type="double"),
    ]
    events: list[CatalogEvent] = [
        DatasetRegistered(event_time=moment, namespace=TABLE[0], name=TABLE[1], fields=fields)
    ]
    for name in ("trips_30d", "avg_fare", "email_domain_risk"):
        events.append(
            FeatureDefined(
                event_time=moment,
                group=GROUP,
                name=name,
                dtype="float",
                entity="rider_id",
                transformation=f"column {name}",
                sources=[ColumnRef(namespace=TABLE[0], name=TABLE[1], field=name)],
            )
        )
    return events


def write_table(path: Path, rows: int = 256, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    trips = rng.poisson(12, rows).astype(np.float64)
    fare = rng.normal(18.0, 4.0, rows)
    risk = rng.uniform(0.0, 1.0, rows)
    fraud = ((risk > 0.8) & (fare > 18.0)).astype(np.float64)
    table = pa.table(
        {
            "rider_id": np.arange(rows, dtype=np.int64),
            "trips_30d": trips,
            "avg_fare": fare,
            "email_domain_risk": risk,
            "is_fraud": fraud,
        }
    )
    pq.write_table(table, path)
    return path


class Scorer(torch.nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(width, 1)

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.linear(rows)).squeeze(-1)


def train(
    model: Scorer,
    data: torch.utils.data.Dataset[tuple[torch.Tensor, torch.Tensor]],
    *,
    epochs: int,
    seed: int,
) -> list[float]:
    torch.manual_seed(seed)
    loader = torch.utils.data.DataLoader(
        data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for rows, labels in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy(model(rows), labels)
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            total += float(loss.detach()) * len(rows)
        losses.append(total / len(data))  # type: ignore[arg-type]
    return losses
