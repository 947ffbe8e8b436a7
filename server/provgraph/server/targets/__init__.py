"""Where a CLI command's catalog is: opened in this process, or a running server over HTTP.

Both answer with the client's typed models, so the commands print the same either way.
"""

from __future__ import annotations

import os
from pathlib import Path

from provgraph.catalog.model.errors import DataDirError
from provgraph.catalog.settings import Settings
from provgraph.server.discovery import serving_url
from provgraph.server.targets.port import Target


def server_url(settings: Settings, url: str | None = None) -> str | None:
    """The running server a command talks to: `url` (`--url`), else `$PROVGRAPH_URL`, else
    the server holding the data directory; None when there is none."""
    return url or os.environ.get("PROVGRAPH_URL") or serving_url(Path(settings.data))


def target_for(settings: Settings, *, url: str | None, create: bool = False) -> Target:
    """The running server (`server_url`), else the data directory itself (opened in this
    process). Only commands that write (`create`) may start a catalog in a directory that does
    not exist yet: a question asked of a directory that is not there is a mistake (a typo, the
    wrong working directory), not an empty answer."""
    found = server_url(settings, url)
    if found:
        from provgraph.server.targets.remote import RemoteTarget

        return RemoteTarget(found)
    if not create and not Path(settings.data).exists():
        raise DataDirError(
            f"no catalog at {settings.data}: name one with --data DIR, or a running server "
            "with --url URL or $PROVGRAPH_URL"
        )
    from provgraph.server.targets.embedded import EmbeddedTarget

    return EmbeddedTarget(settings)


__all__ = ["Target", "server_url", "target_for"]
