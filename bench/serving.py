"""Serving overhead of the provgraph serving hook: the same FastAPI model server with and
without `ServingGuard`, over real HTTP on loopback, in one run; plus the hook's own cost per
request measured in process (the decision read, the prediction record).
Usage: python bench/serving.py [--requests 2000]
"""

# no `from __future__ import annotations`: FastAPI must resolve the routes' local dependency

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

import httpx
import torch
import uvicorn
from fastapi import Depends, FastAPI

from provgraph.client import Client
from provgraph.integrations.serving import ServingGuard, Use, deploy
from provgraph.integrations.serving.app import Rows
from provgraph.integrations.torch import training_run
from tests.integrations import model_side
from tests.support.ports import free_port
from tests.support.server import serving

FEATURES = [f"{model_side.GROUP}:trips_30d", f"{model_side.GROUP}:avg_fare"]


def _app(model: torch.nn.Module, guard: ServingGuard | None) -> FastAPI:
    if guard is None:
        app = FastAPI()

        @app.post("/predict")
        def plain(body: Rows) -> dict[str, float]:
            with torch.no_grad():
                return {"score": float(model(torch.tensor(body.rows)).reshape(-1)[0])}

        return app
    app = FastAPI(lifespan=guard.lifespan)

    @app.post("/predict")
    def guarded(body: Rows, use: Annotated[Use, Depends(guard)]) -> dict[str, float]:
        with torch.no_grad():
            return {"score": float(model(torch.tensor(body.rows)).reshape(-1)[0])}

    return app


def _latencies(app: FastAPI, requests: int) -> list[float]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    samples = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        for number in range(requests + 200):
            started = time.perf_counter()
            answer = http.post("/predict", json={"rows": [[10.0, float(number % 30)]]})
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.text
            if number >= 200:  # warm-up
                samples.append(elapsed)
    server.should_exit = True
    thread.join(timeout=20)
    return sorted(samples)


def _hook_cost(guard: ServingGuard, requests: int) -> list[float]:
    async def once() -> float:
        started = time.perf_counter()
        hook = guard()
        await hook.__anext__()
        with contextlib.suppress(StopAsyncIteration):
            await hook.__anext__()
        return (time.perf_counter() - started) * 1000

    async def many() -> list[float]:
        return [await once() for _ in range(requests)]

    return sorted(asyncio.run(many()))


def _pct(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(len(samples) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, serving(Path(folder) / "data") as catalog:
        Client(catalog.url).submit(model_side.catalog_events())
        table = model_side.write_table(Path(folder) / "features.parquet")
        with training_run(
            model="bench-scorer", purpose="fraud_detection", features=FEATURES, url=catalog.url
        ) as run:
            data = run.load_features(table, label="is_fraud")
            model = model_side.Scorer(width=2)
            model_side.train(model, data.train, epochs=1, seed=0)
            version = run.save(model, Path(folder) / "model.pt")
        deploy(
            version,
            deployment="bench",
            environment="staging",
            purpose="fraud_detection",
            url=catalog.url,
        )
        guard = ServingGuard(
            deployment="bench",
            environment="staging",
            purpose="fraud_detection",
            url=catalog.url,
            sample=0.01,
            outbox_dir=Path(folder) / "outbox",
        )
        plain = _latencies(_app(model, None), args.requests)
        guarded = _latencies(_app(model, guard), args.requests)
        guard.start()
        hook = _hook_cost(guard, args.requests * 10)
        guard.stop()
    print(f"serving overhead, {args.requests} sequential requests over HTTP on loopback (ms)")
    print(f"{'':24}{'p50':>8}{'p99':>8}")
    print(f"{'without the hook':24}{_pct(plain, 0.5):8.3f}{_pct(plain, 0.99):8.3f}")
    print(f"{'with ServingGuard':24}{_pct(guarded, 0.5):8.3f}{_pct(guarded, 0.99):8.3f}")
    print(
        f"{'difference':24}{_pct(guarded, 0.5) - _pct(plain, 0.5):8.3f}"
        f"{_pct(guarded, 0.99) - _pct(plain, 0.99):8.3f}"
    )
    print(
        f"{'hook alone (in process)':24}{_pct(hook, 0.5):8.3f}{_pct(hook, 0.99):8.3f}"
        "   (warm decision; target p99 <= 1 ms)"
    )


if __name__ == "__main__":
    main()
