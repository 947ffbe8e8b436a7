"""The OpenLineage event envelopes (RunEvent, DatasetEvent, JobEvent), validated with pydantic.

Facets stay loosely typed here (any JSON object under any name): unknown facets are legal in
OpenLineage and are kept verbatim; the ones provgraph understands are read by facets.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.events import MAX_NAME
from provgraph.catalog.model.run_ids import MAX_RUN_ID
from provgraph.catalog.model.timeutil import AwareMoment
from provgraph.catalog.model.validation import describe

Name = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
"""A namespace."""
LongName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
"""A dataset or job name."""
RunId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_RUN_ID)]
"""A UUID by the spec; any other id is mapped to one (model/run_ids.py)."""
Facets = dict[str, dict[str, Any] | None]


class _OL(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class OLJob(_OL):
    namespace: Name
    name: LongName
    facets: Facets = Field(default_factory=dict)


class OLRun(_OL):
    runId: RunId  # noqa: N815 - the spec's spelling
    facets: Facets = Field(default_factory=dict)


class OLDataset(_OL):
    namespace: Name
    name: LongName
    facets: Facets = Field(default_factory=dict)


class OLInputDataset(OLDataset):
    inputFacets: Facets = Field(default_factory=dict)  # noqa: N815


class OLOutputDataset(OLDataset):
    outputFacets: Facets = Field(default_factory=dict)  # noqa: N815


class _Envelope(_OL):
    eventTime: AwareMoment  # noqa: N815
    producer: Annotated[str, StringConstraints(max_length=4096)] = ""
    schemaURL: Annotated[str, StringConstraints(max_length=4096)] = ""  # noqa: N815


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


def parse_openlineage(payload: object, notes: list[str] | None = None) -> OpenLineageEvent:
    """Validate one event; the keys present decide its kind, as in the spec.

    As lenient as Marquez where the meaning is clear: a missing `producer` or `schemaURL`,
    `null` for facets, inputs or outputs, a facet that is not an object, a time without a
    zone (read as UTC), a run id that is not a UUID (mapped to one by translate) are accepted,
    each deviation appended to `notes`. What cannot be interpreted (no run id, job or dataset
    name, no or an unparseable eventTime, wrong types for identity fields) is rejected."""
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
        return kind.model_validate(_lenient(payload, notes if notes is not None else []))
    except ValidationError as exc:
        problems = describe(exc, most=5, top="(event)")
        raise InvalidEventError(f"invalid OpenLineage {kind.__name__}: {problems}") from exc


_IO = ("inputs", "outputs")


def _lenient(payload: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """A copy of `payload` with the deviations Marquez accepts repaired, each one noted."""
    event = dict(payload)
    for key in ("producer", "schemaURL"):
        if not isinstance(event.get(key), str):
            notes.append(f"{key} is missing or not a string; accepted without it")
            event.pop(key, None)
    event["eventTime"] = _time(event.get("eventTime"), notes)
    for key in ("run", "job", "dataset"):
        if isinstance(event.get(key), dict):
            event[key] = _with_facets(event[key], key, ("facets",), notes)
    for key in _IO:
        if key in event and event[key] is None:
            notes.append(f"{key} is null; read as none")
            event[key] = []
        if isinstance(event.get(key), list):
            facet_keys = ("facets", "inputFacets" if key == "inputs" else "outputFacets")
            event[key] = [
                _with_facets(d, f"{key}[{i}]", facet_keys, notes) if isinstance(d, dict) else d
                for i, d in enumerate(event[key])
            ]
    if "eventType" in event and event["eventType"] is None:
        notes.append("eventType is null; read as OTHER")
        event.pop("eventType")
    return event


def _with_facets(
    holder: dict[str, Any], where: str, keys: tuple[str, ...], notes: list[str]
) -> dict[str, Any]:
    out = dict(holder)
    for key in keys:
        if key not in out:
            continue
        facets = out[key]
        if facets is None:
            notes.append(f"{where}.{key} is null; read as no facets")
            out[key] = {}
        elif isinstance(facets, dict):
            kept = {}
            for name, facet in facets.items():
                if facet is None or isinstance(facet, dict):
                    kept[name] = facet
                else:
                    notes.append(f"{where}.{key}.{name} is not an object; ignored")
            out[key] = kept
    return out


def _time(value: object, notes: list[str]) -> object:
    """An ISO 8601 time; one without a zone is read as UTC (noted)."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value  # pydantic names the problem
    if parsed.tzinfo is None:
        notes.append(f"eventTime {value!r} has no time zone; read as UTC")
        return parsed.replace(tzinfo=UTC).isoformat()
    return value
