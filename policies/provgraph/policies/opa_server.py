"""The OPA-server engine: asks an OPA (sidecar or service) over its REST API with
opa-python-client. Unreachable, slow, erroring or undefined answers are a deny (fail closed)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import requests
from opa_client import OpaClient
from opa_client.errors import ConnectionsError

from provgraph.policies.bundle import ENTRYPOINT
from provgraph.policies.decision import Decision, decision_from_result, failed, input_digest

PACKAGE, RULE = ENTRYPOINT.rsplit("/", 1)


class OpaServerEngine:
    name = "opa-server"

    def __init__(self, url: str, *, timeout_s: float = 1.0, token: str | None = None) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"OPA_URL must be an http(s) URL with a host, got {url!r}")
        self._url = url
        self._client = OpaClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8181),
            ssl=parsed.scheme == "https",
            timeout=timeout_s,
            retries=0,
            token=token,
        )
        self._revision = f"opa-server:{url}"

    @property
    def revision(self) -> str:
        return self._revision

    def evaluate(self, document: dict[str, Any]) -> Decision:
        digest = input_digest(document)
        try:
            answer = self._client.query_rule(
                document, PACKAGE, RULE, query_params={"provenance": True}
            )
        except (requests.RequestException, ConnectionsError, ValueError) as exc:
            return failed(
                f"OPA at {self._url} did not answer: {exc}", self._revision, digest, self.name
            )
        revision = _revision(answer) or self._revision
        if "result" not in answer:
            return failed(
                "OPA returned no result (the decision is undefined)", revision, digest, self.name
            )
        return decision_from_result(
            answer["result"], revision=revision, digest=digest, engine=self.name
        )

    def close(self) -> None:
        self._client.close_connection()


def _revision(answer: dict[str, Any]) -> str | None:
    bundles = (answer.get("provenance") or {}).get("bundles") or {}
    revisions = sorted(str(b.get("revision")) for b in bundles.values() if b.get("revision"))
    return ",".join(revisions) or None
