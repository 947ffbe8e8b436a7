"""An OPA-REST-API-compatible test server wrapping the embedded engine (no `opa` binary can be
installed here). It serves what provgraph's OPA-server engine uses: POST /v1/data/<path> with
{"input": ...}, provenance, and GET /v1/policies/ for connection checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

from provgraph.policies.bundle import ENTRYPOINT, PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from tests.support.ports import free_port


def opa_app(bundle: PolicyBundle) -> FastAPI:
    engine = EmbeddedEngine(bundle)
    app = FastAPI()

    @app.get("/v1/policies/")
    def policies() -> dict[str, Any]:
        return {"result": [{"id": name} for name in bundle.modules]}

    @app.post("/v1/data/{path:path}")
    async def data(path: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        answer: dict[str, Any] = {}
        if request.query_params.get("provenance") in ("true", "True"):
            answer["provenance"] = {"bundles": {"provgraph": {"revision": bundle.revision}}}
        if path.strip("/") != ENTRYPOINT:
            return answer  # undefined, as OPA answers for a rule it does not have
        decision = engine.evaluate(body.get("input", {}))
        if decision.error is None:
            answer["result"] = {
                "allow": decision.allow,
                "deny": decision.deny,
                "obligations": decision.obligations,
            }
        return answer

    return app


@contextmanager
def opa_server(bundle: PolicyBundle) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(opa_app(bundle), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the OPA test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
