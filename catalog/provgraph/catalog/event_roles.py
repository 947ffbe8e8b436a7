"""Who may submit which event: the same rule for REST, OpenLineage and GraphQL mutations.

Producers report what happened (runs, datasets, features, models, deployments, lineage).
Curation — descriptions set on their own, owners, classifications, feature status — is a
steward's: so is any event that carries owners or classifications inside it (an OpenLineage
`ownership` or `tags` facet, a registration with owners or field classifications), since it
replaces owners or adds tags. So is declaring a feature's transformation `declassifying`:
that a transformation removes sensitivity is a steward's decision (a producer's evidence is
a masking transformation in its column lineage). Policy decisions are recorded only by the
gate itself: no client may submit one, whatever its role.

Every event type is in the table, with the least role that may send it. A type the table does
not name is refused for every role (fail closed): adding an event to the model without deciding
who may send it must not make it a producer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

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

EVENT_ROLES: Mapping[str, Role | None] = MappingProxyType(
    {
        "dataset.registered": Role.PRODUCER,
        "run.recorded": Role.PRODUCER,
        "job.declared": Role.PRODUCER,
        "feature.defined": Role.PRODUCER,
        "training_set.created": Role.PRODUCER,
        "model_version.registered": Role.PRODUCER,
        "deployment.recorded": Role.PRODUCER,
        "lineage.declared": Role.PRODUCER,
        "asset.described": Role.STEWARD,
        "asset.owners_assigned": Role.STEWARD,
        "classification.changed": Role.STEWARD,
        "feature.status_changed": Role.STEWARD,
        "policy.decided": None,
    }
)
"""Event type -> the least role that may send it; None: no client may (the gate records it)."""
CURATION = frozenset(t for t, role in EVENT_ROLES.items() if role is Role.STEWARD)
GATE_ONLY = frozenset(t for t, role in EVENT_ROLES.items() if role is None)


class EventForbiddenError(CatalogError):
    """The caller's role may not submit the event at `position` of its request (HTTP 403)."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"event {position}: {message}")
        self.position = position


def type_role(event_type: str) -> Role | None:
    """The least role that may send events of `event_type`; None: no client may (the gate's
    own, or a type the table does not know)."""
    return EVENT_ROLES.get(event_type)


def required_role(event: CatalogEvent) -> Role | None:
    """The least role that may submit `event`; None: no client may."""
    least = type_role(event.type)
    if least is None:
        return None
    if least < Role.STEWARD and carries_curation(event):
        return Role.STEWARD
    return least


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
    if event.type not in EVENT_ROLES:
        return f"{event.type} events have no role that may send them; refused"
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
