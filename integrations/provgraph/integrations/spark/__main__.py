"""`python -m provgraph.integrations.spark job.py [ARGS]`: run a PySpark job unchanged, tracked
when its session's conf names a catalog (`spark.provgraph.url`), and wait for its events."""

from __future__ import annotations

import runpy
import sys

from provgraph.integrations.spark import flush
from provgraph.integrations.spark.autotrack import install


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    install()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        if not flush(60):
            print("provgraph: some lineage events were not sent in time", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
