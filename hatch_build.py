"""Wheel build hook: the wheel carries the built portal, so `pip install provgraph` serves it.

When `server/provgraph/server/portal_dist` is missing (a fresh clone or an sdist), build it with
npm first (`npm ci` + `npm run build` in portal/). Editable installs skip this: `./dev setup`
builds the portal in place.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DIST = "server/provgraph/server/portal_dist"


class PortalBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        if (root / DIST / "index.html").is_file():
            return
        portal = root / "portal"
        npm = shutil.which("npm")
        if npm is None or not (portal / "package.json").is_file():
            raise RuntimeError(
                f"{DIST} is not built and cannot be: building the wheel needs Node.js and npm "
                "and the portal/ sources (or run ./dev setup first)"
            )
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=portal, check=True)
        subprocess.run([npm, "run", "build"], cwd=portal, check=True)
