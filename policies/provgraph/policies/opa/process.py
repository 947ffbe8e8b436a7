"""The server's side of an engine process (worker.py): start it with its memory bound, ask it
one thing at a time under a deadline, and stop it — killed — when the deadline passes, its
answer is too large, or it dies (out of memory, a crash). Whatever a bundle does, it does it in
that process: the server's own memory and threads are not where it happens."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from provgraph.policies.bundle import ENTRYPOINT, PolicyBundle, PolicyBundleError
from provgraph.policies.opa import frames
from provgraph.policies.opa.native import OpaError, OpaUndefinedError, document_value

DECISION = ENTRYPOINT.replace("/", ".")
"""The document a decision is: `provgraph.feature_use.decision`."""
STDERR_KEPT = 64 * 1024
"""The end of a stopped process's stderr that is read for why it stopped."""
_OUT_OF_MEMORY = ("out of memory", "cannot allocate memory", "MemoryError")
_FATAL = ("fatal error:", "panic:", "Traceback")
_PAGE = os.sysconf("SC_PAGE_SIZE")
WATCH_S = 0.02
"""How often a request that takes longer looks at the process's memory."""
HARD_BOUND = 2
"""RLIMIT_DATA is this many times the memory bound: the resident bound is watched and enforced
from here, and the kernel's limit only stops what grows faster than the watch."""

StopReason = Literal["deadline", "memory", "answer-size", "crashed", "closed"]


@dataclass(frozen=True, slots=True)
class EngineLimits:
    memory_mb: int = 512
    """The engine process's resident memory (Go's heap and Python's) may not pass this."""
    deadline_s: float = 1.0
    """Each request (loading a bundle, one evaluation) must be answered within this."""
    max_answer_bytes: int = 16 * 1024 * 1024


class EngineEvaluationError(Exception):
    """A document could not be evaluated: OPA's error, or EngineStoppedError."""


class EngineStoppedError(EngineEvaluationError):
    """The engine process was stopped, or stopped by itself, before it answered."""

    def __init__(self, reason: StopReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class EngineProcess:
    def __init__(self, *, limits: EngineLimits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stop
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-m",
                "provgraph.policies.opa.worker",
                str(limits.memory_mb * HARD_BOUND),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            # nothing of the server's environment (tokens, URLs) reaches the bundle's process;
            # Go's collector works harder as its heap nears the bound
            env={"GOMEMLIMIT": f"{limits.memory_mb * 3 // 4}MiB"},
            start_new_session=True,
        )
        self._stopped: EngineStoppedError | None = None
        self._resident_mb = 0
        """The process's resident memory when last looked at (a slow request looks)."""

    @classmethod
    def loaded(cls, bundle: PolicyBundle, *, limits: EngineLimits) -> EngineProcess:
        """A process with `bundle` loaded; PolicyBundleError when the bundle is refused, does
        not compile, or stops the process while compiling."""
        process = cls(limits=limits)
        try:
            process.load(bundle)
        except EngineStoppedError as exc:
            raise PolicyBundleError(f"the policy bundle could not be loaded: {exc}") from None
        return process

    def load(self, bundle: PolicyBundle, *, deadline_s: float | None = None) -> None:
        """Load and compile `bundle` (once per process). PolicyBundleError (and the process
        closed) when it is refused or does not compile; EngineStoppedError."""
        request = {"op": "load", "modules": bundle.modules, "tests": bundle.tests}
        answer = self.request({**request, "prepare": DECISION}, deadline_s=deadline_s)
        if "error" in answer:
            self.close()
            raise PolicyBundleError(str(answer["error"]["message"]))

    def evaluate(
        self, document: str, input_json: bytes, *, deadline_s: float | None = None
    ) -> tuple[bool, Any]:
        """(defined, value) of `data.<document>` for an input given as JSON (b"": none);
        EngineEvaluationError."""
        header = frames.encode({"op": "eval", "document": document})
        envelope = self._ask(header + frames.frame(input_json), deadline_s)
        try:
            return True, document_value(envelope, document)
        except OpaUndefinedError:
            return False, None
        except (OpaError, ValueError) as exc:
            raise EngineEvaluationError(
                exc.message if isinstance(exc, OpaError) else str(exc)
            ) from None

    @property
    def alive(self) -> bool:
        return self._stopped is None

    def request(self, message: dict[str, Any], *, deadline_s: float | None = None) -> Any:
        """The answer to `message`; EngineStoppedError, saying why, when there is none."""
        return frames.decode(self._ask(frames.encode(message), deadline_s))

    def _ask(self, request: bytes, deadline_s: float | None) -> bytes:
        limit = self.limits.deadline_s if deadline_s is None else deadline_s
        with self._lock:
            if self._stopped is not None:
                raise EngineStoppedError(self._stopped.reason, str(self._stopped))
            try:
                return self._exchange(request, time.monotonic() + limit, limit)
            except EngineStoppedError as exc:
                self._stop(exc)
                raise

    def close(self) -> None:
        with self._lock:
            if self._stopped is None:
                self._stop(EngineStoppedError("closed", "the policy engine process was closed"))

    def _exchange(self, request: bytes, deadline: float, limit: float) -> bytes:
        pipe_in, pipe_out = self._process.stdin, self._process.stdout
        assert pipe_in is not None and pipe_out is not None
        try:
            pipe_in.write(request)
            pipe_in.flush()
        except OSError:  # a broken pipe: it died
            raise self._died() from None
        (size,) = frames.HEADER.unpack(self._read(frames.HEADER.size, deadline, limit))
        if size > self.limits.max_answer_bytes:
            raise EngineStoppedError(
                "answer-size",
                f"the policy engine's answer ({size} bytes) is larger than the bound of "
                f"{self.limits.max_answer_bytes} bytes",
            )
        return self._read(size, deadline, limit)

    def _read(self, size: int, deadline: float, limit: float) -> bytes:
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        poller = select.poll()  # not select.select: a busy server's descriptors pass 1024
        poller.register(fd, select.POLLIN)
        chunks: list[bytes] = []
        while size:
            left = deadline - time.monotonic()
            if not poller.poll(max(0, int(min(left, WATCH_S) * 1000))):
                if left <= WATCH_S:
                    raise EngineStoppedError(
                        "deadline", f"the policy engine did not answer within {limit:g} s"
                    )
                self._watch_memory()
                continue
            chunk = os.read(fd, min(size, 1024 * 1024))
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _watch_memory(self) -> None:
        """Stop the process when its resident memory passes the bound (checked every WATCH_S
        of a request that takes longer than that)."""
        try:
            resident = int(Path(f"/proc/{self._process.pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return  # it is gone: reading its answer says why
        self._resident_mb = resident * _PAGE // 2**20
        if self._resident_mb > self.limits.memory_mb:
            raise self._out_of_memory()

    def _out_of_memory(self) -> EngineStoppedError:
        return EngineStoppedError(
            "memory",
            f"the policy engine ran out of its memory bound of {self.limits.memory_mb} MiB",
        )

    def _died(self) -> EngineStoppedError:
        code = self._process.wait()
        self._stderr.seek(max(0, self._stderr.seek(0, os.SEEK_END) - STDERR_KEPT))
        tail = self._stderr.read().decode("utf-8", "replace")
        near_the_bound = self._resident_mb * 4 >= self.limits.memory_mb * 3
        if near_the_bound or any(sign in tail for sign in _OUT_OF_MEMORY):
            # past RLIMIT_DATA, Go's runtime fails an allocation: it says so, or it crashes
            return self._out_of_memory()
        said = next((line[:300] for line in tail.splitlines() if line.startswith(_FATAL)), None)
        detail = f"exit status {code}" + (f": {said}" if said else "")
        return EngineStoppedError("crashed", f"the policy engine stopped unexpectedly ({detail})")

    def _stop(self, why: EngineStoppedError) -> None:
        self._stopped = why
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._stderr):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
