"""An engine process: `python -I -m provgraph.policies.opa.worker MEMORY_MIB`.

It bounds its own memory (RLIMIT_DATA, which Go's heap counts: past it OPA's runtime stops the
process), loads one bundle, refusing built-ins outside the capabilities list, then answers
evaluations until its stdin closes. The server gives it its deadline by killing it.

Requests and answers (see frames.py):
  {"op": "load", "modules": {name: source}, "tests": {name: source}, "prepare": "pkg.rule"}
      -> {"ok": true} | {"error": {"kind": "bundle", "message": "file:line: what"}}
  {"op": "eval", "document": "pkg.rule"}, then a frame of the input as JSON (empty: none)
      -> a frame of OPA's answer envelope, unread: {"result": [...]} | {"error": {...}}
"""

from __future__ import annotations

import os
import re
import resource
import sys
from typing import Any, BinaryIO

from provgraph.policies.opa import frames
from provgraph.policies.opa.capabilities import refusals
from provgraph.policies.opa.native import Opa, OpaError, OpaUndefinedError, error_envelope

_LOCATED = re.compile(r"^\s*(?:\d+ errors? occurred:\s*)?([^\s:]+\.rego):(\d+)(?::(\d+))?: (.+)$")


def main(arguments: list[str]) -> int:
    memory = int(arguments[0]) * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else written to stdout must not corrupt the frames
    requests = os.fdopen(0, "rb")
    serve(Opa(), requests, channel, parser=Opa())
    return 0


def serve(opa: Opa, requests: BinaryIO, channel: BinaryIO, *, parser: Opa) -> None:
    """`parser` is an engine with no modules: parsing a module there compiles nothing of it."""
    loaded = False
    while (request := frames.read(requests)) is not None:
        if request.get("op") == "load" and not loaded:
            answer = _load(opa, parser, request)
            loaded = "error" not in answer
        elif request.get("op") == "eval" and loaded:
            input_json = frames.read_frame(requests)
            if input_json is None:
                return
            channel.write(frames.frame(_evaluate(opa, str(request["document"]), input_json)))
            channel.flush()
            continue
        else:
            answer = {"error": {"kind": "protocol", "message": f"unexpected {request.get('op')}"}}
        channel.write(frames.encode(answer))
        channel.flush()


def _load(opa: Opa, parser: Opa, request: dict[str, Any]) -> dict[str, Any]:
    files = {**request["modules"], **request["tests"]}
    try:
        for name, source in files.items():
            opa.add_policy(name, source)  # parses it: syntax errors are said here
        refused = [
            line for name, source in files.items() for line in refusals(parser, name, source)
        ]
        if refused:  # before anything is compiled or evaluated
            return {"error": {"kind": "bundle", "message": "\n".join(refused)}}
        opa.eval_document(request["prepare"], {})  # compiles the whole bundle
    except OpaUndefinedError:
        pass  # it compiles; an empty question may well have no decision
    except OpaError as exc:
        if exc.code != "eval_error":  # it compiles: evaluating an empty question may fail
            return {"error": {"kind": "bundle", "message": describe(exc.message)}}
    except (ValueError, RecursionError) as exc:
        return {"error": {"kind": "bundle", "message": f"the bundle cannot be read: {exc}"}}
    return {"ok": True}


def _evaluate(opa: Opa, document: str, input_json: bytes) -> bytes:
    """OPA's answer envelope, passed on as it is (the server reads it: native.document_value)."""
    try:
        return opa.eval_document_json(document, input_json)
    except (OpaError, ValueError, TypeError, RecursionError) as exc:
        return error_envelope("eval_error", str(exc)[:2000])


def describe(message: str) -> str:
    """OPA's errors as `file:line: what`, one per line, without its source excerpts."""
    located = []
    for line in message.splitlines():
        found = _LOCATED.match(line)
        if found:
            file, row, _, what = found.groups()
            located.append(f"{file}:{row}: {what}")
    if located:
        return "\n".join(located)
    return f"the policy bundle does not compile: {message.strip()[:500]}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
