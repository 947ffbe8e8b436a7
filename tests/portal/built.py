"""The portal's build (./dev setup makes it); tests that need it skip without it, except in CI."""

from __future__ import annotations

import os

import pytest

from provgraph.server.http.portal import PORTAL_DIST


def require_built_portal() -> None:
    if (PORTAL_DIST / "index.html").is_file():
        return
    message = f"the portal is not built ({PORTAL_DIST}): run ./dev setup"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
