"""strawberry's DataLoader, without its per-future cancellation callback.

strawberry 0.341 adds a done-callback to every future of a batch that, when the future is
cancelled, scans the whole batch to see whether all its futures are cancelled: cancelling a
batch of n futures one by one costs n^2/2 checks. An operation stopped at its deadline cancels
the tasks still waiting on the loaders; with 20,000 keys in a batch that scan took minutes
(issue 16 item 2). Here the keys join the batch without the callback; a cancelled future is
skipped when the batch is answered (strawberry does that itself), and no batch needs
cancelling: our load functions are synchronous and check the request's deadline.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from strawberry.dataloader import DataLoader, LoaderTask, get_current_batch

K = TypeVar("K")
V = TypeVar("V")


class BatchLoader(DataLoader[K, V]):
    def load(self, key: K) -> Awaitable[V]:
        if self.cache:
            cached = self.cache_map.get(key)
            if cached is not None and not cached.cancelled():
                return cached
        future = self.loop.create_future()
        if self.cache:
            self.cache_map.set(key, future)
        get_current_batch(self).tasks.append(LoaderTask(key, future))
        return future
