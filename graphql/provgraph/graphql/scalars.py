"""Custom scalars: strawberry's JSON (parameters, metrics, manifests, facets)."""

from __future__ import annotations

from strawberry.scalars import JSON

__all__ = ["JSON"]
