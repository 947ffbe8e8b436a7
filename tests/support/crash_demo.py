"""Load the demo into a data directory and SIGKILL this process right after the first log append.

Run as `python -m tests.support.crash_demo DATA_DIR`; the crash test then restarts on DATA_DIR.
The kill goes through the writer's test seam (`WriterHooks`), never through production config.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.service.writer import WriterHooks
from provgraph.catalog.settings import Settings


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(data: Path) -> None:
    with Catalog(Settings(data=data), writer_hooks=WriterHooks(after_log_append=_kill)) as catalog:
        load_demo(catalog)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
