"""How far a server's lineage and search indexes have followed the log: what `min_seq` waits on."""

from __future__ import annotations

import threading
import time


class Progress:
    def __init__(self, seq: int = 0) -> None:
        self._seq = seq
        self._changed = threading.Condition()
        self.caught_up_once = False
        """True once the indexes held everything logged when they last looked (readiness)."""

    @property
    def seq(self) -> int:
        with self._changed:
            return self._seq

    def reached(self, seq: int) -> None:
        with self._changed:
            if seq > self._seq:
                self._seq = seq
                self._changed.notify_all()

    def wait(self, seq: int, timeout: float) -> int:
        """Wait until the indexes reflect `seq`, at most `timeout` seconds; the seq reached."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._seq < seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return self._seq
