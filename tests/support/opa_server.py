"""An OPA server for tests: the real OPA engine (v1.20, the library the wheel carries) behind
the part of OPA's REST API that provgraph's OPA-server engine uses (no `opa` binary can be
installed here): POST /v1/data/<path> with {"input": ...} answers the document's value as OPA
does (no `result` when undefined), with provenance on request; GET /v1/policies/ lists modules.
It talks to OPA directly (in this process, through the ctypes binding), not through provgraph's
embedded engine and its engine process, so the two can disagree."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.opa.native import Opa, OpaError, OpaUndefinedError
from tests.support.ports import free_port


def opa_app(bundle: PolicyBundle) -> FastAPI:
    opa = Opa()
    for name, source in {**bundle.modules, **bundle.tests}.items():
        opa.add_policy(name, source)
    app = FastAPI()

    @app.get("/v1/policies/")
    def policies() -> dict[str, Any]:
        return {"result": [{"id": name} for name in bundle.modules]}

    @app.post("/v1/data/{path:path}", response_model=None)
    async def data(path: str, request: Request) -> dict[str, Any] | JSONResponse:
        body = await request.json()
        answer: dict[str, Any] = {}
        if request.query_params.get("provenance") in ("true", "True"):
            answer["provenance"] = {"bundles": {"provgraph": {"revision": bundle.revision}}}
        try:
            answer["result"] = opa.eval_document(
                path.strip("/").replace("/", "."), body.get("input")
            )
        except OpaUndefinedError:
            pass  # OPA answers an undefined document without a result
        except OpaError as exc:
            return JSONResponse({"code": "internal_error", "message": str(exc)}, status_code=500)
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
