"""The capabilities of every bundle the embedded engine evaluates: OPA's built-ins less those
that reach outside the question or answer differently each time it is asked.

A decision must depend on its input and the bundle alone: a what-if or a backtest replays
recorded inputs and must get what production would have answered, and a candidate bundle is
untrusted code that must not read the network or the server's environment. The check is OPA's
own capabilities check done our way (the bridge has no capabilities option): every module is
parsed by OPA (`rego.parse_module`) and any reference to a refused built-in, wherever it stands
(a call, a `with` replacement, a rule head), refuses the bundle before it is compiled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from provgraph.policies.opa.native import Opa

REFUSED: dict[str, str] = {
    "http.send": "it reaches the network",
    "net.*": "the net built-ins look names up in the DNS (net.lookup_ip_addr)",
    "opa.runtime": "it reveals the server's environment and configuration",
    "time.now_ns": "it reads the clock: a decision's moment belongs in its input",
    "rand.intn": "it is random",
    "uuid.rfc4122": "it is random",
}
"""Refused built-in -> why. `ns.*` refuses every built-in of that namespace."""


def refusals(opa: Opa, name: str, source: str) -> list[str]:
    """`file:line: why` for each refused built-in `source` refers to (none: allowed).
    Raises native.OpaError when the module does not parse."""
    parsed = opa.eval_query(
        "module := rego.parse_module(input.name, input.source)", {"name": name, "source": source}
    )
    found: dict[str, str] = {}
    for bindings in parsed:
        for builtin in _references(bindings.get("module")):
            why = REFUSED.get(builtin) or REFUSED.get(builtin.split(".", 1)[0] + ".*")
            if why is not None:
                found.setdefault(builtin, why)
    return [
        f"{name}:{_line_of(source, builtin)}: {builtin} may not be used in a policy bundle: {why}"
        for builtin, why in found.items()
    ]


def _references(node: Any) -> Iterator[str]:
    """`a.b` for every reference in a parsed module that starts with a variable and a string."""
    if isinstance(node, dict):
        if node.get("type") == "ref" and isinstance(node.get("value"), list):
            parts = node["value"]
            if (
                len(parts) >= 2
                and isinstance(parts[0], dict)
                and parts[0].get("type") == "var"
                and isinstance(parts[1], dict)
                and parts[1].get("type") == "string"
            ):
                yield f"{parts[0].get('value')}.{parts[1].get('value')}"
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _line_of(source: str, builtin: str) -> int:
    head, tail = builtin.split(".", 1)
    written = re.compile(rf"\b{re.escape(head)}\s*(?:\.\s*{re.escape(tail)}|\[)")
    for number, line in enumerate(source.splitlines(), start=1):
        if written.search(line.split("#", 1)[0]):
            return number
    return 1
