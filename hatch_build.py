"""Build hook: the wheel carries what `pip install provgraph` needs beyond Python sources.

- The built portal. When `server/provgraph/server/portal_dist` is missing (a fresh clone or an
  sdist), build it with npm first (`npm ci` + `npm run build` in portal/). Editable installs skip
  this: `./dev setup` builds the portal in place.
- The embedded policy engine: OPA v1.20 as a Go c-shared library (`libopabridge.so`), taken
  from the pinned opa-golib-python-bindings wheel (fetched by pip from the registry or its
  cache, checked against its sha256) into `policies/provgraph/policies/opa/lib/`, with its
  licence. That project's Python wrapper is not used (provgraph has its own ctypes binding, see
  `provgraph.policies.opa.native`), so its `Requires-Python >=3.14` does not bind provgraph: the
  library is a C ABI, and provgraph declares and tests its own Python range. Editable installs
  get it too. The wheel is then platform-specific (the library's platform tag).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DIST = "server/provgraph/server/portal_dist"
OPA_LIB = "policies/provgraph/policies/opa/lib"
OPA_WHEEL = "opa-golib-python-bindings==0.4.4"
OPA_WHEEL_SHA256 = {
    "opa_golib_python_bindings-0.4.4-py3-none-manylinux_2_34_x86_64.whl": (
        "d411c901e14b8c7c3023e23e4a944f4cf429c1d31baf80e959e57d11efbfd24a"
    ),
}
"""Every wheel of the pinned release that may be used, by file name (pip picks the platform's)."""
OPA_MEMBERS = {
    "opa_bindings/libopabridge.so": "libopabridge.so",
    "opa_golib_python_bindings-0.4.4.dist-info/licenses/LICENSE": "LICENSE",
}
STAMP = "wheel.txt"
"""In OPA_LIB: the name of the wheel the library came from (its platform tag is the wheel's)."""


class WheelBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        source = _opa_library(root / OPA_LIB)
        if version == "editable":
            return
        build_data["pure_python"] = False
        build_data["tag"] = "py3-none-" + source.removesuffix(".whl").rsplit("-", 1)[1]
        _portal(root)


def _opa_library(target: Path) -> str:
    """Put OPA's library in `target` unless it is there already; the wheel's name."""
    stamp = target / STAMP
    if stamp.is_file() and all((target / name).is_file() for name in OPA_MEMBERS.values()):
        name = stamp.read_text().strip()
        if name in OPA_WHEEL_SHA256:
            return name
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                # the wheel is only the carrier of the C library: its Python wrapper (the part
                # that asks for Python 3.14) is not installed
                "--ignore-requires-python",
                "--dest",
                scratch,
                OPA_WHEEL,
            ],
            check=True,
        )
        wheels = list(Path(scratch).glob("*.whl"))
        if len(wheels) != 1 or wheels[0].name not in OPA_WHEEL_SHA256:
            found = ", ".join(w.name for w in wheels) or "nothing"
            raise RuntimeError(
                f"{OPA_WHEEL} has no wheel for this platform that provgraph knows ({found}); "
                "set OPA_URL to decide with an OPA server instead"
            )
        wheel = wheels[0]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != OPA_WHEEL_SHA256[wheel.name]:
            raise RuntimeError(f"{wheel.name} has sha256 {digest}, not the pinned one")
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            for member, name in OPA_MEMBERS.items():
                with archive.open(member) as packed, (target / name).open("wb") as out:
                    shutil.copyfileobj(packed, out)
        stamp.write_text(wheel.name + "\n")
        return wheel.name


def _portal(root: Path) -> None:
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
