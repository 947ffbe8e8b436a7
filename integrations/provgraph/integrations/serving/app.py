"""A minimal ready-made model server: POST /predict with rows of feature values, answered by a
torch module under the serving guard (needs `provgraph[torch,serving]`)."""

# no `from __future__ import annotations`: FastAPI must see the route's dependency (a local)

from typing import Annotated

import torch
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from provgraph.integrations.serving.guard import ServingGuard, Use

MAX_ROWS = 1000


class Rows(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[list[float]] = Field(min_length=1, max_length=MAX_ROWS)


class Predictions(BaseModel):
    predictions: list[float]
    model_version: str | None
    decision: str | None


def create_app(module: torch.nn.Module, guard: ServingGuard, *, width: int) -> FastAPI:
    """`module` maps a (rows, width) float tensor to one score per row."""
    module.eval()
    app = FastAPI(title="provgraph model server", lifespan=guard.lifespan)

    @app.post("/predict")
    def predict(body: Rows, use: Annotated[Use, Depends(guard)]) -> Predictions:
        if any(len(row) != width for row in body.rows):
            raise HTTPException(422, {"error": "BadInput", "detail": f"rows need {width} values"})
        with torch.no_grad():
            scores = module(torch.tensor(body.rows, dtype=torch.float32)).reshape(-1)
        return Predictions(
            predictions=[float(s) for s in scores],
            model_version=use.model_version,
            decision=use.decision.decision,
        )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
