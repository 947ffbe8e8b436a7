"""What if these columns, datasets or features were tagged (and/or a candidate bundle were
active)? Which model versions and live deployments would then be decided differently, and why?

The one what-if: REST (`POST /api/v1/policy/what-if`) and GraphQL (`whatIf`) both ask it and
answer its one shape. Look-only: the decisions are assessed, never recorded, and the catalog is
not changed. A tag reaches what propagation would carry it to: the classification service's
rule (`reached_by_tag`: not past INDIRECT or masking column lineage, nor into a feature version
a steward declared declassifying), and the gate adds it to the features' facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provgraph.catalog.model.errors import InvalidArgumentError
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.traversal import Direction
from provgraph.policies.compliance import compliance_questions, reached_by_tag
from provgraph.policies.engine import PolicyEngine
from provgraph.policies.gate import FeatureUseGate

TAGGABLE = {NodeKind.COLUMN, NodeKind.DATASET, NodeKind.FEATURE, NodeKind.FEATURE_VERSION}
MAX_TAG = 200


@dataclass(frozen=True)
class WhatIfEntry:
    """A model version or live deployment the hypothetical would decide differently."""

    subject: str
    action: str
    purpose: str
    allowed_now: bool
    allowed_then: bool
    new_reasons: list[str]
    """Deny reasons the hypothetical would add."""
    deny_then: list[str]
    """Every deny reason then."""

    @property
    def newly_denied(self) -> bool:
        return self.allowed_now and not self.allowed_then


@dataclass(frozen=True)
class WhatIfAnswer:
    tags: list[tuple[str, str]]
    """(the asset as resolved, the tag) of each hypothetical tag."""
    affected_features: list[str]
    """The features and feature versions the tags would reach."""
    entries: list[WhatIfEntry]


def what_if(
    catalog: Catalog,
    gate: FeatureUseGate,
    *,
    actor: str,
    tags: Sequence[tuple[str, str]] = (),
    candidate: PolicyEngine | None = None,
) -> WhatIfAnswer:
    """InvalidArgumentError for a bad tag or an asset that cannot be tagged, and the catalog's
    errors for a malformed or unknown URN."""
    resolved = [(_taggable(catalog, urn), _tag(tag)) for urn, tag in tags]
    extra: dict[str, set[str]] = {}
    for urn, tag in resolved:
        for reached in reached_by_tag(catalog, urn):
            extra.setdefault(reached, set()).add(tag)
    entries = []
    for subject, request in compliance_questions(catalog) if extra or candidate else []:
        now = gate.assess_feature_use(request, actor=actor).decision
        then = gate.assess_feature_use(
            request, actor=actor, extra_classifications=extra, engine=candidate
        ).decision
        if then.allow == now.allow and set(then.deny) == set(now.deny):
            continue
        entries.append(
            WhatIfEntry(
                subject=subject,
                action=request.action,
                purpose=request.purpose,
                allowed_now=now.allow,
                allowed_then=then.allow,
                new_reasons=[r for r in then.deny if r not in now.deny],
                deny_then=then.deny,
            )
        )
    return WhatIfAnswer(tags=resolved, affected_features=sorted(extra), entries=entries)


def _tag(tag: str) -> str:
    tag = tag.strip()
    if not tag or len(tag) > MAX_TAG or any(c.isspace() for c in tag):
        raise InvalidArgumentError(
            f"a tag is 1 to {MAX_TAG} characters with no spaces, got {tag!r}"
        )
    return tag


def _taggable(catalog: Catalog, urn: str) -> str:
    walked = catalog.lineage.lineage(  # the asset itself (resolved, or NodeNotFoundError)
        urn, direction=Direction.DOWNSTREAM, depth=1, limit=1, include_edges=False
    )
    kind = walked.nodes[0].kind if walked.nodes else None
    if kind not in TAGGABLE:
        allowed = ", ".join(sorted(k.value for k in TAGGABLE))
        raise InvalidArgumentError(
            f"only a {allowed} can be tagged, not {kind.value if kind else urn}"
        )
    return walked.root
