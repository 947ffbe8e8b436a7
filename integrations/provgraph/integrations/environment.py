"""Where code runs: interpreter, key package versions, device, and the code's git version."""

from __future__ import annotations

import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

KEY_PACKAGES = ("torch", "numpy", "pyarrow", "pandas", "pyspark", "great-expectations", "provgraph")


@dataclass(frozen=True)
class CodeVersion:
    repository: str
    commit: str
    dirty: bool
    path: str


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def environment_facts(device: str) -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "device": device,
        **{f"package.{k}": v for k, v in package_versions().items()},
    }


def code_version(start: Path | None = None) -> CodeVersion | None:
    """The git commit of the code that runs (the main script's repository), and whether the
    work tree has uncommitted changes; None outside a repository or without git."""
    where = (start or _entry_point()).resolve()
    folder = where if where.is_dir() else where.parent
    try:
        top = _git(folder, "rev-parse", "--show-toplevel")
        commit = _git(folder, "rev-parse", "HEAD")
        dirty = bool(_git(folder, "status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return CodeVersion(repository=top, commit=commit, dirty=dirty, path=str(where))


def entry_module() -> str | None:
    """The module the program was started as (`python -m NAME`), if it was: rerunning it needs
    `-m`, since a package's module does not run as a script."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    name = getattr(spec, "name", None)
    return name if isinstance(name, str) and name and name != "__main__" else None


def _entry_point() -> Path:
    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None)
    return Path(file) if file else Path.cwd()


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()
