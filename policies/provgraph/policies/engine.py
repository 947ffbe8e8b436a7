"""The PolicyEngine port: one question in, one decision out; never raises, fails closed."""

from __future__ import annotations

from typing import Any, Protocol

from provgraph.policies.decision import Decision


class PolicyEngine(Protocol):
    name: str

    @property
    def revision(self) -> str: ...

    def evaluate(self, document: dict[str, Any]) -> Decision: ...

    def close(self) -> None:
        """Release what the engine holds (its process, its connection)."""
