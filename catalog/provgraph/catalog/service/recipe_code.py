"""Where a model version's training code is, and the command that runs it again.

Taken from what the training run recorded (its `code` facts: repository, commit, whether the
work tree was dirty, the entry point as a script path or a `-m` module) and, when the run
recorded none, from its job's source code location. Arguments the script was started with are
not recorded (a command line may carry secrets), so `rerun` names the entry point only.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

FILE_SCHEME = "file://"


@dataclass(frozen=True)
class TrainingCode:
    location: str | None
    """The repository (or the job's source code location) the code was run from."""
    entry_point: str | None
    """The script (relative to `location` when inside it) or `-m module` that was run."""
    rerun: str | None
    """A shell command that checks the recorded commit out and runs the entry point."""


def training_code(facts: dict[str, Any], job_location: str | None) -> TrainingCode:
    recorded = facts.get("code")
    code: dict[str, Any] = recorded if isinstance(recorded, dict) else {}
    repository = _text(code.get("repository"))
    commit = _text(code.get("commit"))
    module = _text(code.get("module"))
    script = _text(code.get("path")) or _local_path(job_location)
    location = repository or job_location
    entry = f"-m {module}" if module else _relative(script, repository)
    return TrainingCode(location, entry, _rerun(repository, commit, module, entry))


def _rerun(
    repository: str | None, commit: str | None, module: str | None, entry: str | None
) -> str | None:
    if repository is None or commit is None or entry is None:
        return None
    run = ["python", "-m", module] if module else ["python", entry]
    return " && ".join(
        [
            f"cd {shlex.quote(repository)}",
            f"git checkout {shlex.quote(commit)}",
            shlex.join(run),
        ]
    )


def _relative(script: str | None, repository: str | None) -> str | None:
    if script is None or repository is None:
        return script
    path, top = PurePosixPath(script), PurePosixPath(repository)
    return str(path.relative_to(top)) if path.is_relative_to(top) else script


def _local_path(location: str | None) -> str | None:
    if location is None or not location.startswith(FILE_SCHEME):
        return None
    return location.removeprefix(FILE_SCHEME) or None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
