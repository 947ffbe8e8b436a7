"""Where a CLI command's catalog is: opened in this process, or a running server over HTTP.

Both answer with the client's typed models, so the commands print the same either way.
"""

from __future__ import annotations

import os
from pathlib import Path

from provgraph.catalog.settings import Settings
from provgraph.server.discovery import serving_url
from provgraph.server.targets.port import Target


def target_for(settings: Settings, *, url: str | None) -> Target:
    """`--url`, else `$PROVGRAPH_URL`, else the server holding the data directory, else the
    data directory itself (opened in this process)."""
    found = url or os.environ.get("PROVGRAPH_URL") or serving_url(Path(settings.data))
    if found:
        from provgraph.server.targets.remote import RemoteTarget

        return RemoteTarget(found)
    from provgraph.server.targets.embedded import EmbeddedTarget

    return EmbeddedTarget(settings)


__all__ = ["Target", "target_for"]
