"""A policy bundle: the Rego modules of a directory, its revision, and its test cases."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ENTRYPOINT = "provgraph/feature_use/decision"
TEST_SUFFIX = "_test.rego"


class PolicyBundleError(Exception):
    """A bundle cannot be loaded or compiled; the message names the file and line."""


@dataclass(frozen=True)
class PolicyBundle:
    modules: dict[str, str]
    """file name -> Rego source, without the *_test.rego files."""
    tests: dict[str, str]
    revision: str
    """sha256 over every module's name and source: names exactly what decided."""

    @classmethod
    def from_directory(cls, directory: Path) -> PolicyBundle:
        if not directory.is_dir():
            raise PolicyBundleError(f"{directory} is not a directory of .rego files")
        files = {p.name: p.read_text() for p in sorted(directory.glob("*.rego"))}
        return cls.of(files, origin=str(directory))

    @classmethod
    def builtin(cls) -> PolicyBundle:
        folder = resources.files("provgraph.policies").joinpath("rego")
        files = {
            entry.name: entry.read_text()
            for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".rego")
        }
        return cls.of(files, origin="the built-in bundle")

    @classmethod
    def of(cls, files: dict[str, str], *, origin: str) -> PolicyBundle:
        modules = {n: s for n, s in files.items() if not n.endswith(TEST_SUFFIX)}
        if not modules:
            raise PolicyBundleError(f"{origin} has no .rego modules")
        digest = hashlib.sha256()
        for name, source in sorted(modules.items()):
            digest.update(name.encode() + b"\0" + source.encode() + b"\0")
        tests = {n: s for n, s in files.items() if n.endswith(TEST_SUFFIX)}
        return cls(modules=modules, tests=tests, revision="sha256:" + digest.hexdigest()[:16])
