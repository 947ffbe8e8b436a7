"""A training script in a process of its own, for tests that take the catalog away mid-run:

    python -m tests.integrations.training_process URL ARTIFACT

It starts a training run (gated, recorded), prints the run's URN, waits for a line on stdin
(the test stops the catalog meanwhile), then saves the model — which cannot be registered —
and exits with the error, as a script whose catalog went away would.
"""

from __future__ import annotations

import sys

from provgraph.integrations.errors import CatalogUnavailableError
from provgraph.integrations.torch import training_run
from tests.integrations.model_side import GROUP, Scorer


def main(url: str, artifact: str) -> int:
    features = [f"{GROUP}:trips_30d", f"{GROUP}:avg_fare"]
    try:
        with training_run(
            model="lost-scorer", purpose="fraud_detection", features=features, url=url
        ) as run:
            print(run.urn, flush=True)
            sys.stdin.readline()
            run.save(Scorer(width=len(features)), artifact)
    except CatalogUnavailableError as exc:
        print(f"catalog unavailable: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
