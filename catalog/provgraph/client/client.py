"""`Client`: the typed HTTP client of a provgraph server — the one way integrations, the CLI's
remote mode and scripts talk to a running server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Literal

import httpx
from pydantic import BaseModel, TypeAdapter

from provgraph.catalog.model.events import CatalogEvent
from provgraph.catalog.model.idempotency import default_idempotency_key
from provgraph.catalog.model.timeutil import in_utc, rfc3339
from provgraph.client._transport import Retry, exchange
from provgraph.client.batch import EventBatch
from provgraph.client.errors import FeatureUseDeniedError, GraphQLError
from provgraph.client.models import (
    Backtest,
    ClassificationTrace,
    ComplianceEntry,
    EventsAccepted,
    FeatureUseDecision,
    ImpactResult,
    LineagePath,
    LineageResult,
    Node,
    OpenLineageAccepted,
    Readiness,
    Recipe,
    SearchPage,
    Submission,
)

DEFAULT_URL = "http://127.0.0.1:8000"
Direction = Literal["upstream", "downstream", "both"]
Action = Literal["train", "deploy", "serve", "materialize"]

_LINEAGE = TypeAdapter(LineageResult)
_IMPACT = TypeAdapter(ImpactResult)
_PATHS = TypeAdapter(list[LineagePath])
_NODE = TypeAdapter(Node)
_SEARCH = TypeAdapter(SearchPage)
_RECIPE = TypeAdapter(Recipe)
_TRACES = TypeAdapter(list[ClassificationTrace])
_ENTRIES = TypeAdapter(list[ComplianceEntry])


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return rfc3339(in_utc(moment))


def _params(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class Client:
    """A provgraph server at `url` (default `$PROVGRAPH_URL`, else http://127.0.0.1:8000),
    called with `token` (default `$PROVGRAPH_TOKEN`; none: anonymous).

    Errors are typed (`provgraph.client.errors`); idempotent calls are retried with backoff
    (`retry`). Use it as a context manager, or call `close()`.

    Read-your-writes: every write raises `min_seq` to the sequence number it got, and every
    read asks the server for at least `min_seq` (the server waits, bounded, or answers 503),
    so a read after a write sees it on any server sharing the log. Set `min_seq` to read
    another client's write; `read_your_writes=False` never asks.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        retry: Retry | None = None,
        transport: httpx.BaseTransport | None = None,
        read_your_writes: bool = True,
    ) -> None:
        self.min_seq = 0
        self._read_your_writes = read_your_writes
        self.url = (url or os.environ.get("PROVGRAPH_URL") or DEFAULT_URL).rstrip("/")
        token = token if token is not None else os.environ.get("PROVGRAPH_TOKEN") or None
        headers = {"user-agent": "provgraph-client/0.1", "accept": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.retry = retry or Retry()
        self._http = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _get(self, path: str, params: Mapping[str, Any]) -> Any:
        answer = exchange(
            self._http,
            "GET",
            path,
            params={**params, **self._consistency()},
            retry=self.retry,
            idempotent=True,
        )
        return answer.json()

    def _consistency(self) -> dict[str, int]:
        return {"min_seq": self.min_seq} if self._read_your_writes and self.min_seq else {}

    def _wrote(self, seq: int) -> None:
        self.min_seq = max(self.min_seq, seq)

    # --- writing ----------------------------------------------------------------------------

    def submit(
        self, events: CatalogEvent | Submission | Iterable[CatalogEvent | Submission]
    ) -> EventsAccepted:
        """Send catalog events as one atomic batch (all logged, or none). Each is sent with its
        idempotency key (default: the digest of its content), so a resend changes nothing."""
        # a pydantic model is itself iterable (over its fields): test for one event first
        single = isinstance(events, BaseModel | Submission)
        items: list[Any] = [events] if single else list(events)  # type: ignore[arg-type]
        body = []
        for item in items:
            submission = item if isinstance(item, Submission) else Submission(item)
            key = submission.idempotency_key or default_idempotency_key(submission.event)
            body.append({"event": submission.event.model_dump(mode="json"), "idempotency_key": key})
        response = exchange(
            self._http, "POST", "/api/v1/events", json=body, retry=self.retry, idempotent=True
        )
        accepted = EventsAccepted.model_validate(response.json())
        self._wrote(max((r.seq for r in accepted.receipts), default=0))
        return accepted

    def batch(self, *, size: int = 500) -> EventBatch:
        """An `EventBatch`: collects events and sends them `size` at a time (and on exit)."""
        return EventBatch(self.submit, size=size)

    def send_openlineage(
        self, events: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> OpenLineageAccepted:
        """Send OpenLineage RunEvents, DatasetEvents or JobEvents (JSON-ready dicts)."""
        body = [dict(e) for e in events] if isinstance(events, Sequence) else dict(events)
        response = exchange(
            self._http, "POST", "/api/v1/lineage", json=body, retry=self.retry, idempotent=True
        )
        accepted = OpenLineageAccepted.model_validate(response.json())
        self._wrote(accepted.seq)
        return accepted

    # --- reading ----------------------------------------------------------------------------

    def lineage(
        self,
        urn: str,
        *,
        direction: Direction = "upstream",
        depth: int = 20,
        as_of: datetime | None = None,
        edge_kinds: Iterable[str] | None = None,
        limit: int = 10_000,
        include_edges: bool = True,
        all_versions: bool = False,
    ) -> LineageResult:
        """Nodes (each with its name and standing) and edges reached from `urn`. Upstream of a
        dataset, feature, model or job walks its newest version at the moment asked, or every
        version with `all_versions`."""
        params = _params(
            urn=urn,
            direction=direction,
            depth=depth,
            as_of=_time(as_of),
            edge_kinds=",".join(edge_kinds) if edge_kinds is not None else None,
            limit=limit,
            include_edges=str(include_edges).lower(),
            all_versions=str(all_versions).lower(),
        )
        return _LINEAGE.validate_python(self._get("/api/v1/lineage", params))

    def impact(self, urn: str, *, as_of: datetime | None = None) -> ImpactResult:
        params = _params(urn=urn, as_of=_time(as_of))
        return _IMPACT.validate_python(self._get("/api/v1/impact", params))

    def paths(
        self, source: str, target: str, *, as_of: datetime | None = None
    ) -> list[LineagePath]:
        params = _params(to=target, as_of=_time(as_of))
        params["from"] = source
        return _PATHS.validate_python(self._get("/api/v1/paths", params))

    def node(self, urn: str) -> Node:
        return _NODE.validate_python(self._get("/api/v1/nodes", {"urn": urn}))

    def recipe(self, model_version: str) -> Recipe:
        """How to train `model_version` again: data and feature versions, training-set
        manifest, params, environment, code; and what changed since."""
        return _RECIPE.validate_python(self._get("/api/v1/recipe", {"urn": model_version}))

    def classifications(
        self, urn: str, *, as_of: datetime | None = None
    ) -> list[ClassificationTrace]:
        params = _params(urn=urn, as_of=_time(as_of))
        return _TRACES.validate_python(self._get("/api/v1/classifications", params))

    def search(
        self,
        query: str = "",
        *,
        kinds: Iterable[str] = (),
        owner: str | None = None,
        classification: str | None = None,
        status: str | None = None,
        updated_after: datetime | None = None,
        in_production: bool | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> SearchPage:
        params = _params(
            q=query,
            kind=list(kinds) or None,
            owner=owner,
            classification=classification,
            status=status,
            updated_after=_time(updated_after),
            in_production=None if in_production is None else str(in_production).lower(),
            first=first,
            after=after,
        )
        return _SEARCH.validate_python(self._get("/api/v1/search", params))

    # --- governance -------------------------------------------------------------------------

    def check_feature_use(
        self,
        *,
        action: Action,
        purpose: str,
        features: Iterable[str] = (),
        model_version: str | None = None,
        deployment: str | None = None,
        run_id: uuid.UUID | str | None = None,
        environment: str | None = None,
    ) -> FeatureUseDecision:
        """Ask the policy gate; the server records the decision. A deny is an answer, not an
        error (see `require_feature_use`)."""
        body = _params(
            action=action,
            purpose=purpose,
            features=list(features),
            model_version=model_version,
            deployment=deployment,
            run_id=None if run_id is None else str(run_id),
            environment=environment,
        )
        response = exchange(
            self._http,
            "POST",
            "/api/v1/policy/feature-use",
            json=body,
            retry=self.retry,
            idempotent=False,
        )
        return FeatureUseDecision.model_validate(response.json())

    def require_feature_use(
        self,
        *,
        action: Action,
        purpose: str,
        features: Iterable[str] = (),
        model_version: str | None = None,
        deployment: str | None = None,
        run_id: uuid.UUID | str | None = None,
        environment: str | None = None,
    ) -> FeatureUseDecision:
        """`check_feature_use`, raising `FeatureUseDeniedError` on a deny."""
        decision = self.check_feature_use(
            action=action,
            purpose=purpose,
            features=features,
            model_version=model_version,
            deployment=deployment,
            run_id=run_id,
            environment=environment,
        )
        if not decision.allow:
            raise FeatureUseDeniedError(decision)
        return decision

    def recheck_compliance(self) -> list[ComplianceEntry]:
        """Re-evaluate every model version and live deployment under the active policies and
        record the decisions (steward role)."""
        response = exchange(
            self._http,
            "POST",
            "/api/v1/policy/recheck",
            retry=self.retry,
            idempotent=False,
        )
        return _ENTRIES.validate_python(response.json())

    def backtest_policies(self, files: Mapping[str, str]) -> Backtest:
        """Replay every recorded decision under a candidate bundle (`files`: name -> Rego
        source) without activating it; records nothing (steward role)."""
        response = exchange(
            self._http,
            "POST",
            "/api/v1/policy/backtest",
            json={"files": dict(files)},
            retry=self.retry,
            idempotent=True,
        )
        return Backtest.model_validate(response.json())

    # --- GraphQL and operations -------------------------------------------------------------

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """Run a GraphQL query or mutation; its `data`, or `GraphQLError` if it has `errors`."""
        body = _params(
            query=query,
            variables=dict(variables) if variables is not None else None,
            operationName=operation_name,
        )
        response = exchange(
            self._http,
            "POST",
            "/graphql",
            json=body,
            params=self._consistency(),
            retry=self.retry,
            idempotent=False,
            accept=frozenset({400}),
        )
        answer: Any = response.json()
        if not isinstance(answer, dict):
            raise GraphQLError([{"message": f"unexpected answer: {answer!r:.200}"}], None)
        data = answer.get("data")
        if answer.get("errors") or response.status_code == 400:
            raise GraphQLError(list(answer.get("errors") or []), data)
        return dict(data or {})

    def health(self) -> bool:
        """Whether the server process answers (`/healthz`)."""
        self._get("/healthz", {})
        return True

    def ready(self) -> Readiness:
        """Whether the server is ready (`/readyz`): store reachable, every logged event applied."""
        response = exchange(
            self._http,
            "GET",
            "/readyz",
            retry=self.retry,
            idempotent=False,
            accept=frozenset({503}),
        )
        return Readiness.model_validate(response.json())
