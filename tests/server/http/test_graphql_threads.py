"""GraphQL executes on its own threads, each with an event loop, under a deadline: the
server's event loop only hands work over, so a blocking resolver cannot starve it."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from provgraph.graphql.deadline import Deadline, DeadlineExceededError
from provgraph.server.http.graphql_api import _GraphQLThreads


def test_work_runs_off_the_event_loop_under_a_deadline() -> None:
    threads = _GraphQLThreads(2)

    async def main() -> None:
        async def where() -> str:
            return threading.current_thread().name

        assert (await threads.run(where, Deadline(5))).startswith("graphql")

        async def blocking() -> str:
            time.sleep(0.3)  # a resolver that blocks (fsync, store apply, policy evaluation)
            return "done"

        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        beat = asyncio.create_task(ticker())
        assert await threads.run(blocking, Deadline(5)) == "done"
        beat.cancel()
        assert ticks > 5  # the server's loop kept running while the resolver blocked

        async def endless() -> None:
            await asyncio.sleep(60)

        with pytest.raises(DeadlineExceededError):
            await threads.run(endless, Deadline(0.05))

    try:
        asyncio.run(main())
    finally:
        threads.close()
