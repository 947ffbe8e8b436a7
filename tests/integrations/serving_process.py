"""A model server in a process of its own, for tests that restart it:

    python -m tests.integrations.serving_process URL PORT OUTBOX_DIR DEPLOYMENT

It serves `create_app` over a tiny scorer under a ServingGuard (environment `staging`, purpose
`fraud_detection`) that spools its prediction records every 0.2 s and keeps a decision for an
hour, so a catalog outage is served through; SIGTERM shuts it down gracefully.
"""

from __future__ import annotations

import sys

import uvicorn

from provgraph.integrations.serving import ServingGuard
from provgraph.integrations.serving.app import create_app
from tests.integrations.model_side import Scorer

WIDTH = 3


def main(url: str, port: str, outbox: str, deployment: str) -> None:
    guard = ServingGuard(
        deployment=deployment,
        environment="staging",
        purpose="fraud_detection",
        url=url,
        sample=0.0,
        flush_every=0.2,
        poll_every=0.2,
        max_age=3600,
        outbox_dir=outbox,
    )
    app = create_app(Scorer(WIDTH), guard, width=WIDTH)
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:5])
