"""A GraphQL request's deadline, carried in its context and checked where work is done.

The server starts one per request when it arrives. The loaders check it between the keys of a
batch and the shared resolver helpers before each relation they follow, so an operation past
its deadline stops doing work (it does not merely have its answer dropped). Past the moment,
the first resolver to check raises DeadlineExceededError (so the operation's errors say why it
stopped) and every later check skips its work, answering nothing: raising in each of the
thousands of resolvers already scheduled would cost more than the work it saves. The server
then answers one `DEADLINE_EXCEEDED` error and none of the data. The executing thread's
`asyncio.wait_for` on `remaining()` is the backstop for an await that never returns.
"""

from __future__ import annotations

import math
import time

from graphql import GraphQLError

CODE = "DEADLINE_EXCEEDED"


class DeadlineExceededError(GraphQLError):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the request ran past its deadline of {seconds:g} s and was stopped",
            extensions={"code": CODE, "deadlineSeconds": seconds},
        )


class Deadline:
    """`seconds` from now (monotonic clock); `math.inf` for none."""

    __slots__ = ("_expires_at", "_reported", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._expires_at = time.monotonic() + seconds
        self._reported = False

    @classmethod
    def unbounded(cls) -> Deadline:
        return cls(math.inf)

    def remaining(self) -> float:
        return max(self._expires_at - time.monotonic(), 0.0)

    def timeout(self) -> float | None:
        """`remaining()` as asyncio's timeouts take it (None: no deadline)."""
        return None if math.isinf(self.seconds) else self.remaining()

    def expired(self) -> bool:
        return time.monotonic() >= self._expires_at

    def expire(self) -> None:
        """Stop now (the caller has gone, or a test wants the moment to be exact)."""
        self._expires_at = -math.inf

    def check(self) -> None:
        """Raise DeadlineExceededError once the deadline has passed."""
        if time.monotonic() >= self._expires_at:
            raise self.error()

    def stopped(self) -> bool:
        """True once the deadline has passed: the caller skips its work. The first caller to
        find it passed gets DeadlineExceededError raised instead."""
        if time.monotonic() < self._expires_at:
            return False
        if not self._reported:
            self._reported = True
            raise self.error()
        return True

    def error(self) -> DeadlineExceededError:
        return DeadlineExceededError(self.seconds)


def stopped_by_deadline(errors: list[GraphQLError] | None) -> DeadlineExceededError | None:
    """The deadline error among an operation's errors, if its deadline stopped it."""
    for error in errors or ():
        if isinstance(error.original_error, DeadlineExceededError):
            return error.original_error
        extensions = error.extensions or {}
        if extensions.get("code") == CODE:
            return DeadlineExceededError(float(extensions["deadlineSeconds"]))
    return None
