"""The OpenLineage event envelopes (RunEvent, DatasetEvent, JobEvent), validated with pydantic.

Facets stay loosely typed here (any JSON object under any name): unknown facets are legal in
OpenLineage and are kept verbatim; the ones provgraph understands are read by facets.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.validation import describe

Name = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Facets = dict[str, dict[str, Any] | None]


class _OL(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class OLJob(_OL):
    namespace: Name
    name: Name
    facets: Facets = Field(default_factory=dict)


class OLRun(_OL):
    runId: UUID  # noqa: N815 - the spec's spelling
    facets: Facets = Field(default_factory=dict)


class OLDataset(_OL):
    namespace: Name
    name: Name
    facets: Facets = Field(default_factory=dict)


class OLInputDataset(OLDataset):
    inputFacets: Facets = Field(default_factory=dict)  # noqa: N815


class OLOutputDataset(OLDataset):
    outputFacets: Facets = Field(default_factory=dict)  # noqa: N815


class _Envelope(_OL):
    eventTime: AwareDatetime  # noqa: N815
    producer: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    schemaURL: Annotated[str, StringConstraints(min_length=1, max_length=4096)]  # noqa: N815


class RunEvent(_Envelope):
    eventType: Literal["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"] = "OTHER"  # noqa: N815
    run: OLRun
    job: OLJob
    inputs: list[OLInputDataset] = Field(default_factory=list, max_length=10_000)
    outputs: list[OLOutputDataset] = Field(default_factory=list, max_length=10_000)


class DatasetEvent(_Envelope):
    dataset: OLDataset


class JobEvent(_Envelope):
    job: OLJob
    inputs: list[OLInputDataset] = Field(default_factory=list, max_length=10_000)
    outputs: list[OLOutputDataset] = Field(default_factory=list, max_length=10_000)


OpenLineageEvent = RunEvent | DatasetEvent | JobEvent


def parse_openlineage(payload: object) -> OpenLineageEvent:
    """Validate one event; the keys present decide its kind, as in the spec."""
    if not isinstance(payload, dict):
        raise InvalidEventError(
            f"an OpenLineage event is a JSON object, got {type(payload).__name__}"
        )
    kind: type[OpenLineageEvent]
    if "run" in payload:
        kind = RunEvent
    elif "dataset" in payload:
        kind = DatasetEvent
    elif "job" in payload:
        kind = JobEvent
    else:
        raise InvalidEventError(
            "not an OpenLineage RunEvent, DatasetEvent or JobEvent: "
            "expected a 'run', 'dataset' or 'job' field"
        )
    try:
        return kind.model_validate(payload)
    except ValidationError as exc:
        problems = describe(exc, most=5, top="(event)")
        raise InvalidEventError(f"invalid OpenLineage {kind.__name__}: {problems}") from exc
