"""What each `provgraph` subcommand does; argument parsing and exit codes live in cli.py."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from provgraph.catalog.model.errors import (
    DataDirError,
    InvalidArgumentError,
    InvalidEventError,
    NodeNotFoundError,
)
from provgraph.catalog.model.events import parse_event
from provgraph.catalog.model.timeutil import parse_timestamp
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.catalog import rebuild as rebuild_store
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.service.lineage import ImpactResult, LineageResult
from provgraph.catalog.service.traversal import Direction
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from provgraph.policies.compliance import BacktestChange, ComplianceEntry
from provgraph.server.http.lineage import parse_edge_kinds


def _as_of(text: str | None) -> datetime | None:
    return None if text is None else parse_timestamp(text)


def _moment(as_of: datetime | None) -> str:
    return "the latest state" if as_of is None else as_of.isoformat()


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from provgraph.catalog.service.catalog import check_data
    from provgraph.server.app import create_app

    check_data(settings)  # a refused start exits with its reason, before the server starts
    app = create_app(settings, demo=args.demo)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


def demo(args: argparse.Namespace, settings: Settings) -> int:
    with Catalog(settings) as catalog:
        added = load_demo(catalog)
        nodes, edges = catalog.index.counts()
    print(f"demo catalog loaded into {settings.data}: {added} new events, ", end="")
    print(f"{nodes} nodes, {edges} edges")
    print("try: provgraph lineage urn:provgraph:deployment:production:fraud-detector")
    return 0


def lineage(args: argparse.Namespace, settings: Settings) -> int:
    with Catalog(settings) as catalog:
        result = catalog.lineage.lineage(
            args.urn,
            direction=Direction(args.direction),
            depth=args.depth,
            limit=args.limit,
            as_of=_as_of(args.as_of),
            edge_kinds=parse_edge_kinds(args.edge_kinds),
        )
    if args.json:
        print(TypeAdapter(LineageResult).dump_json(result, indent=2).decode())
        return 0
    print(f"{result.direction} lineage of {result.root} as of {_moment(result.as_of)}")
    for node in result.nodes:
        print(f"  {node.depth:>3}  {node.kind.value:<16} {node.urn}")
    print(f"{len(result.nodes)} nodes, {len(result.edges or [])} edges", end="")
    if result.is_partial:
        print(f"; PARTIAL ({', '.join(result.partial_reasons)}): raise --depth or --limit")
    else:
        print()
    return 0


def impact(args: argparse.Namespace, settings: Settings) -> int:
    with Catalog(settings) as catalog:
        result = catalog.lineage.impact(args.urn, as_of=_as_of(args.as_of))
    if args.json:
        print(TypeAdapter(ImpactResult).dump_json(result, indent=2).decode())
        return 0
    print(f"impact of {result.root} as of {_moment(result.as_of)}")
    for title, nodes in (
        ("deployments", result.deployments),
        ("model versions", result.model_versions),
        ("training sets", result.training_sets),
        ("feature versions", result.feature_versions),
    ):
        print(f"  {title}: {len(nodes)}")
        for node in nodes:
            print(f"    {node.urn}")
    return 0


def paths(args: argparse.Namespace, settings: Settings) -> int:
    with Catalog(settings) as catalog:
        found = catalog.lineage.paths(args.source, args.target, as_of=_as_of(args.as_of))
    if not found:
        print(f"no lineage path between {args.source} and {args.target}")
        return 1
    for number, path in enumerate(found, 1):
        print(f"path {number}:")
        for node, edge in zip(path.nodes, [None, *path.edges], strict=True):
            print(f"  {'  ' if edge is None else '<- ' + edge.kind.value + ' -'} {node}")
    return 0


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    try:
        raw = json.loads(args.file.read_text())
    except OSError as exc:
        raise InvalidEventError(f"cannot read {args.file}: {exc}") from exc
    except ValueError as exc:
        raise InvalidEventError(f"{args.file} is not valid JSON: {exc}") from exc
    items = raw if isinstance(raw, list) else [raw]
    try:
        events = [parse_event(item) for item in items]
    except ValidationError as exc:
        raise InvalidEventError(f"{args.file}: {exc}") from exc
    actor = args.actor or f"cli:{getpass.getuser()}"
    with Catalog(settings) as catalog:
        receipts = catalog.submit([Submission(e) for e in events], actor=actor)
    new = sum(not r.duplicate for r in receipts)
    print(f"{new} events stored, {len(receipts) - new} duplicates ignored")
    return 0


def rebuild(args: argparse.Namespace, settings: Settings) -> int:
    replayed = rebuild_store(settings)
    print(f"rebuilt the {settings.store} store from {replayed} logged events")
    return 0


def policy(args: argparse.Namespace, settings: Settings) -> int:
    from provgraph.policies.compliance import backtest, recheck
    from provgraph.policies.factory import policy_engine
    from provgraph.policies.gate import FeatureUseGate

    with Catalog(settings) as catalog:
        if args.action == "backtest":
            if args.bundle is None:
                raise InvalidArgumentError(
                    "policy backtest needs --bundle DIR (the candidate bundle)"
                )
            replayed, changes = backtest(catalog, policy_engine(None, bundle_dir=args.bundle))
            if args.json:
                print(TypeAdapter(list[BacktestChange]).dump_json(changes, indent=2).decode())
                return 0
            print(f"replayed {replayed} recorded decisions under {args.bundle}: ", end="")
            print(f"{len(changes)} would change")
            for change in changes:
                verdict = "allow" if change.would_allow else "deny: " + "; ".join(change.would_deny)
                print(
                    f"  {change.decision} ({change.action}, {change.purpose}): "
                    f"{'allow' if change.was_allowed else 'deny'} -> {verdict}"
                )
            return 0
        gate = FeatureUseGate(catalog, policy_engine(settings.opa_url))
        entries = recheck(catalog, gate, actor=args.actor or f"cli:{getpass.getuser()}")
    newly = [e for e in entries if e.newly_non_compliant]
    if args.json:
        print(TypeAdapter(list[ComplianceEntry]).dump_json(entries, indent=2).decode())
        return 1 if newly else 0
    print(
        f"re-checked {len(entries)} model versions and live deployments: "
        f"{sum(not e.allow for e in entries)} non-compliant, {len(newly)} newly"
    )
    for entry in entries:
        flag = (
            "NEWLY NON-COMPLIANT"
            if entry.newly_non_compliant
            else ("ok" if entry.allow else "non-compliant")
        )
        print(f"  [{flag}] {entry.subject} ({entry.action} for {entry.purpose})")
        for reason in entry.deny:
            print(f"      - {reason}")
    return 1 if newly else 0


def token(args: argparse.Namespace, settings: Settings) -> int:
    from provgraph.catalog.access import TOKENS_FILE, Role, TokenStore
    from provgraph.catalog.datadir import MARKER

    if not (settings.data / MARKER).exists():
        raise DataDirError(f"{settings.data} is not a provgraph data directory (no {MARKER})")
    store = TokenStore(settings.data / TOKENS_FILE)
    if args.action == "revoke":
        if not store.revoke(args.name):
            raise NodeNotFoundError(args.name, f"no token named {args.name!r}")
        print(f"revoked the token of {args.name}")
        return 0
    print(store.create(args.name, Role.named(args.role)))
    print(
        f"(a {args.role} token for {args.name}; shown once, only its hash is kept)", file=sys.stderr
    )
    return 0
