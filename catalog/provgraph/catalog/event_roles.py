"""Who may submit which event: the same rule for REST, OpenLineage and GraphQL mutations.

Producers report what happened (runs, datasets, features, models, deployments, lineage).
Curation — descriptions set on their own, owners, classifications, feature status — is a
steward's: so is any event that carries owners or classifications inside it (an OpenLineage
`ownership` or `tags` facet, a registration with owners or field classifications), since it
replaces owners or adds tags. So is declaring a feature's transformation `declassifying`:
that a transformation removes sensitivity is a steward's decision (a producer's evidence is
a masking transformation in its column lineage). Policy decisions are recorded only by the
gate itself: no client may submit one, whatever its role.
"""

from __future__ import annotations

from collections.abc import Iterable

from provgraph.catalog.access import Role
from provgraph.catalog.model.errors import CatalogError
from provgraph.catalog.model.events import (
    CatalogEvent,
    DatasetRegistered,
    FeatureDefined,
    FieldSpec,
    JobDeclared,
    ModelVersionRegistered,
    RunRecorded,
)

CURATION = frozenset(
    {"asset.described", "asset.owners_assigned", "classification.changed", "feature.status_changed"}
)
GATE_ONLY = frozenset({"policy.decided"})


class EventForbiddenError(CatalogError):
    """The caller's role may not submit the event at `position` of its request (HTTP 403)."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"event {position}: {message}")
        self.position = position


def required_role(event: CatalogEvent) -> Role | None:
    """The least role that may submit `event`; None: no client may."""
    if event.type in GATE_ONLY:
        return None
    if event.type in CURATION or carries_curation(event):
        return Role.STEWARD
    return Role.PRODUCER


def carries_curation(event: CatalogEvent) -> bool:
    """Owners or classifications inside an event that is not itself curation."""
    if isinstance(event, DatasetRegistered):
        return bool(event.owners) or _classified(event.fields)
    if isinstance(event, FeatureDefined):
        return bool(event.owners) or event.declassifying
    if isinstance(event, ModelVersionRegistered):
        return bool(event.owners)
    if isinstance(event, JobDeclared):
        return bool(event.job.owners)
    if isinstance(event, RunRecorded):
        return (
            bool(event.job.owners)
            or any(o.owners or _classified(o.fields) for o in event.outputs)
            or any(_classified(i.fields) for i in event.inputs)
        )
    return False


def _curation_carried(event: CatalogEvent) -> str:
    if isinstance(event, FeatureDefined) and event.declassifying:
        return "declaring a transformation declassifying (a steward's decision)"
    return "curation (owners or classifications)"


def _classified(fields: Iterable[FieldSpec]) -> bool:
    return any(f.classifications for f in fields)


def refusal(event: CatalogEvent, role: Role) -> str | None:
    """Why a caller with `role` may not submit `event`; None if they may."""
    needed = required_role(event)
    if needed is None:
        return f"{event.type} events are recorded by the policy gate only; no client may send one"
    if role < needed:
        what = event.type if event.type in CURATION else _curation_carried(event)
        return f"{what} needs the {needed.label} role; the caller has {role.label}"
    return None


def authorize(
    events: Iterable[CatalogEvent], role: Role, *, positions: list[int] | None = None
) -> None:
    """EventForbiddenError for the first event `role` may not submit (`positions` maps each
    event to the request item it came from, for OpenLineage events that become several)."""
    for number, event in enumerate(events):
        reason = refusal(event, role)
        if reason is not None:
            raise EventForbiddenError(positions[number] if positions else number, reason)
