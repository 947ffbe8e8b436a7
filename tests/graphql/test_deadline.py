"""The deadline stops the work itself: once it passes, the loaders look nothing more up and no
further field resolves, and the operation answers DEADLINE_EXCEEDED (issue 16 item 2)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from provgraph.catalog.access import Role
from provgraph.catalog.model.events import parse_event
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from provgraph.graphql.context import GraphContext
from provgraph.graphql.deadline import Deadline, stopped_by_deadline
from provgraph.graphql.schema import schema
from tests.support.events import wide_dataset_json

COLUMNS = 3_000
STOP_AFTER = 50
QUERY = (
    '{ dataset(namespace: "probe", name: "wide") { '
    + " ".join(f"a{i}: latestVersion {{ columns {{ upstream {{ urn }} }} }}" for i in range(3))
    + " } }"
)


def test_loaders_and_fields_stop_at_the_deadline(tmp_path: Path) -> None:
    event = wide_dataset_json("probe", "wide", COLUMNS)
    with Catalog(Settings(data=tmp_path / "d")) as catalog:
        catalog.submit([Submission(parse_event(event))], actor="test")
        deadline = Deadline(3600)
        looked_up: list[str] = []
        original = catalog.reader.related

        def related(
            urn: str, kind: EdgeKind, *, outgoing: bool, as_of: datetime | None = None
        ) -> list[EdgeRecord]:
            looked_up.append(urn)
            if len(looked_up) == STOP_AFTER:
                deadline.expire()  # the moment passes in the middle of a batch
            return original(urn, kind, outgoing=outgoing, as_of=as_of)

        catalog.reader.related = related  # type: ignore[method-assign]
        context = GraphContext(catalog, "test", role=Role.READER, deadline=deadline)
        result: Any = asyncio.run(schema.execute(QUERY, context_value=context))
        stopped = stopped_by_deadline(result.errors)
        assert stopped is not None and (stopped.extensions or {}).get("code") == "DEADLINE_EXCEEDED"
        # the dataset's versions, the version's columns, then 3,000 columns' upstream: the
        # batch stopped at the key where the deadline passed
        assert len(looked_up) == STOP_AFTER
