"""What each `provgraph` subcommand does; argument parsing and exit codes live in cli.py."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

if TYPE_CHECKING:
    from provgraph.catalog.service.catalog import Catalog

from provgraph.catalog.model.errors import (
    DataDirError,
    DataDirLockedError,
    InvalidArgumentError,
    InvalidEventError,
    NodeNotFoundError,
)
from provgraph.catalog.model.timeutil import parse_timestamp, rfc3339
from provgraph.catalog.service.catalog import rebuild as rebuild_store
from provgraph.catalog.service.intake import parse_submissions
from provgraph.catalog.settings import Settings
from provgraph.client import BacktestChange, ComplianceEntry, NodeSummary, Submission
from provgraph.server.discovery import advertised_url, serving_url
from provgraph.server.http.lineage import parse_edge_kinds
from provgraph.server.listener import bind
from provgraph.server.targets import Target, target_for
from provgraph.server.targets.embedded import EmbeddedTarget
from provgraph.server.targets.port import FeatureUseQuestion

_ENTRIES = TypeAdapter(list[ComplianceEntry])
_CHANGES = TypeAdapter(list[BacktestChange])


def _as_of(text: str | None) -> datetime | None:
    return None if text is None else parse_timestamp(text)


def _moment(as_of: datetime | None) -> str:
    return "the latest state" if as_of is None else rfc3339(as_of)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Check what can fail first (port, data directory, store), then load, then serve."""
    import uvicorn

    from provgraph.catalog.service.catalog import Catalog
    from provgraph.catalog.service.demo import load_demo
    from provgraph.server.app import create_app
    from provgraph.server.protocol import header_timeout_protocol

    listener = bind(settings.host, settings.port)
    try:
        catalog = Catalog(settings)
    except BaseException:
        listener.close()
        raise
    try:
        added = load_demo(catalog) if args.demo else None
    except BaseException:
        catalog.close()
        listener.close()
        raise
    url = advertised_url(settings.host, listener.getsockname()[1])
    app = create_app(settings, catalog=catalog, announce_url=url)
    _banner(catalog, settings, url, added)
    config = uvicorn.Config(
        app,
        log_level="info",
        lifespan="on",
        http=header_timeout_protocol(settings.header_timeout_s),
        # X-Forwarded-For / -Proto are believed only from the configured proxies
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )
    uvicorn.Server(config).run(sockets=[listener])
    return 0


def _banner(catalog: Catalog, settings: Settings, url: str, demo_added: int | None) -> None:
    nodes, edges = catalog.index.counts()
    print(f"provgraph serving {catalog.data_dir.path}")
    print(f"  store     {catalog.store.backend}: {nodes} nodes, {edges} edges")
    if demo_added is not None:
        print(f"  demo      loaded ({demo_added} new events)")
    print(f"  portal    {url}/")
    print(f"  GraphiQL  {url}/graphql")
    print(f"  API docs  {url}/docs  (OpenAPI: {url}/openapi.json)")
    if settings.anonymous_role:
        print(
            f"provgraph: warning: callers without a token act as {settings.anonymous_role} "
            "(--allow-anonymous): fine for a local demo, not for a shared server",
            file=sys.stderr,
        )
    else:
        _warn_without_tokens(settings, catalog.data_dir.path)
    sys.stdout.flush()


def _warn_without_tokens(settings: Settings, data: Path) -> None:
    """Every request needs a token: say so when there is none (a fresh catalog, or one
    restored from a backup taken without tokens), instead of answering 401 unexplained."""
    from provgraph.catalog.access import TokenError, TokenStoreUnavailableError, open_tokens

    try:
        store = open_tokens(settings, data=data)
        try:
            count = store.count()
        finally:
            store.close()
    except (TokenError, TokenStoreUnavailableError, OSError):
        return  # an unreadable token store is reported on the first request (503)
    if count == 0:
        print(
            f"provgraph: warning: no API tokens in {store.where}: every request answers "
            "401 until one is made: provgraph token create NAME --data "
            f"{data} --role admin (or serve with --allow-anonymous ROLE for a local demo)",
            file=sys.stderr,
        )


def _target(args: argparse.Namespace, settings: Settings) -> Target:
    creates = args.command in {"ingest", "demo"}
    return target_for(settings, url=getattr(args, "url", None), create=creates)


def _edge_kinds(text: str | None) -> list[str] | None:
    kinds = parse_edge_kinds(text)
    return None if kinds is None else sorted(kind.value for kind in kinds)


def _json(answer: object) -> str:
    """A declared answer as the server sends it, so embedded and remote mode print alike."""
    return TypeAdapter(type(answer)).dump_json(answer, indent=2).decode()


def _standing(node: NodeSummary) -> str:
    """A node's name and where it stands: `fraud-detector @fb76a1c2 (stage production)`."""
    marks = [
        f"{label} {value}"
        for label, value in (
            ("status", node.status),
            ("stage", node.stage),
            ("environment", node.environment),
        )
        if value is not None
    ]
    if node.archived:
        marks.append("archived")
    return f"{node.name} ({', '.join(marks)})" if marks else node.name


def lineage(args: argparse.Namespace, settings: Settings) -> int:
    as_of, edge_kinds = _as_of(args.as_of), _edge_kinds(args.edge_kinds)  # arguments first
    target = _target(args, settings)
    try:
        result = target.lineage(
            args.urn,
            direction=args.direction,
            depth=args.depth,
            limit=args.limit,
            as_of=as_of,
            edge_kinds=edge_kinds,
        )
    finally:
        target.close()
    if args.json:
        print(_json(result))
        return 0
    print(f"{result.direction} lineage of {result.root} as of {_moment(result.as_of)}")
    for node in result.nodes:
        print(f"  {node.depth:>3}  {node.kind.value:<16} {node.urn}  {_standing(node)}")
    print(f"{len(result.nodes)} nodes, {len(result.edges or [])} edges", end="")
    if result.is_partial:
        print(f"; PARTIAL ({', '.join(result.partial_reasons)}): raise --depth or --limit")
    else:
        print()
    return 0


def impact(args: argparse.Namespace, settings: Settings) -> int:
    as_of = _as_of(args.as_of)
    target = _target(args, settings)
    try:
        result = target.impact(args.urn, as_of=as_of)
    finally:
        target.close()
    if args.json:
        print(_json(result))
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
            print(f"    {node.urn}  {_standing(node)}")
    return 0


def paths(args: argparse.Namespace, settings: Settings) -> int:
    as_of = _as_of(args.as_of)
    target = _target(args, settings)
    try:
        found = target.paths(args.source, args.target, as_of=as_of)
    finally:
        target.close()
    if not found:
        print(f"no lineage path between {args.source} and {args.target}")
        return 1
    for number, path in enumerate(found, 1):
        print(f"path {number}:")
        print(f"  {path.nodes[0]}")
        for previous, node, edge in zip(path.nodes[:-1], path.nodes[1:], path.edges, strict=True):
            # the edge's own direction: `A -[SERVES]-> B` when it points from the previous node
            arrow = (
                f"-[{edge.kind.value}]->" if edge.source == previous else f"<-[{edge.kind.value}]-"
            )
            print(f"    {arrow} {node}")
    return 0


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    try:
        raw = json.loads(args.file.read_text())
    except OSError as exc:
        raise InvalidEventError(f"cannot read {args.file}: {exc}") from exc
    except ValueError as exc:
        raise InvalidEventError(f"{args.file} is not valid JSON: {exc}") from exc
    try:
        submissions = parse_submissions(raw)
    except InvalidEventError as exc:
        raise InvalidEventError(f"{args.file}: {exc}") from exc
    actor = args.actor or f"cli:{getpass.getuser()}"
    target = _target(args, settings)
    try:
        if args.actor and not isinstance(target, EmbeddedTarget):
            print(
                f"provgraph: note: {target.where} records the token's actor; --actor is ignored",
                file=sys.stderr,
            )
        new, duplicates = target.submit(
            [Submission(s.event, s.idempotency_key) for s in submissions], actor=actor
        )
    finally:
        target.close()
    print(f"{new} events stored, {duplicates} duplicates ignored")
    return 0


def demo(args: argparse.Namespace, settings: Settings) -> int:
    target = _target(args, settings)
    try:
        added, nodes, edges = target.load_demo()
    finally:
        target.close()
    print(f"demo catalog loaded into {target.where}: {added} new events, ", end="")
    print(f"{nodes} nodes, {edges} edges")
    print("try: provgraph lineage urn:provgraph:deployment:production:fraud-detector")
    return 0


def rebuild(args: argparse.Namespace, settings: Settings) -> int:
    held_by = serving_url(Path(settings.data))
    if held_by:
        raise DataDirLockedError(
            f"{settings.data} is served by {held_by}: stop that server before a rebuild "
            "(a rebuild needs the store to itself)"
        )
    replayed = rebuild_store(settings)
    print(f"rebuilt the {settings.store} store from {replayed} logged events")
    return 0


def backup(args: argparse.Namespace, settings: Settings) -> int:
    from provgraph.catalog.backup import backup as take_backup
    from provgraph.catalog.backup import read_key

    taken = take_backup(Path(settings.data), args.dest, read_key(settings.backup_key_file))
    tokens = "tokens, " if taken.tokens else ""
    print(
        f"backed up {settings.data} to {taken.path}: the event log up to seq {taken.last_seq}, ",
        end="",
    )
    print(f"{tokens}the marker (the graph is rebuilt from the log on restore)")
    if not taken.signed:
        print(
            "provgraph: warning: the backup is not signed (no --key-file or "
            "PROVGRAPH_BACKUP_KEY_FILE): its digests catch damage, not a forged copy",
            file=sys.stderr,
        )
    return 0


def restore(args: argparse.Namespace, settings: Settings) -> int:
    from provgraph.catalog.backup import read_key
    from provgraph.catalog.backup import restore as restore_backup

    key = read_key(settings.backup_key_file)
    if key is None:
        print(
            "provgraph: warning: restoring without a key: the files are checked against the "
            "manifest's digests, but an unsigned manifest cannot show the backup was not forged",
            file=sys.stderr,
        )
    replayed = restore_backup(args.src, settings, key)
    print(f"restored {args.src} into {settings.data}: rebuilt the {settings.store} store ", end="")
    print(f"from {replayed} logged events")
    return 0


def reproduce(args: argparse.Namespace, settings: Settings) -> int:
    target = _target(args, settings)
    try:
        recipe = target.recipe(args.urn)
    finally:
        target.close()
    if args.json:
        print(_json(recipe))
        return 0
    print(f"recipe of {recipe.model_version}")
    print(f"  artifact     {recipe.artifact_digest}  ({recipe.framework or 'framework unknown'})")
    print(f"  trained by   {recipe.training_run or '(no run recorded)'}  job {recipe.job or '-'}")
    print(f"  code         {recipe.code_version or '(unknown)'}")
    print(f"  code at      {recipe.code_location or '(unknown)'}")
    print(f"  entry point  {recipe.entry_point or '(unknown)'}")
    print(f"  rerun        {recipe.rerun or '(not recorded: no repository and commit)'}")
    for name, value in sorted(recipe.environment.items()):
        print(f"  env          {name} = {value}")
    print(f"  params       {json.dumps(recipe.params, sort_keys=True)}")
    print(f"  training set {recipe.training_set or '(none)'}")
    for name, value in sorted(recipe.manifest.items()):
        print(f"    {name:<12} {value}")
    for dataset in recipe.datasets:
        made = f" <- {dataset.produced_by} ({dataset.code_version or 'code unknown'})"
        print(f"  data         {dataset.urn}{made if dataset.produced_by else ''}")
    for feature in recipe.features:
        kind = "declassifying " if feature.declassifying else ""
        print(f"  feature      {feature.urn}: {kind}{feature.transformation or '-'}")
    if recipe.unpinned:
        print(f"  not pinned   {', '.join(recipe.unpinned)}")
    if not recipe.changes:
        print("unchanged since training")
    for change in recipe.changes:
        print(f"CHANGED  {change.kind:<24} {change.subject}: {change.detail}")
    return 0


def policy(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "check":
        return _policy_check(args, settings)
    if args.action == "backtest" and args.bundle is None:
        raise InvalidArgumentError("policy backtest needs --bundle DIR (the candidate bundle)")
    target = _target(args, settings)
    try:
        if args.action == "backtest":
            result = target.backtest(args.bundle)
        else:
            entries = target.recheck(actor=args.actor or f"cli:{getpass.getuser()}")
    finally:
        target.close()
    if args.action == "backtest":
        if args.json:
            print(_CHANGES.dump_json(result.changes, indent=2).decode())
            return 0
        print(f"replayed {result.replayed} recorded decisions under {args.bundle}: ", end="")
        print(f"{len(result.changes)} would change")
        for change in result.changes:
            verdict = "allow" if change.would_allow else "deny: " + "; ".join(change.would_deny)
            print(
                f"  {change.decision_urn} ({change.action}, {change.purpose}): "
                f"{'allow' if change.was_allowed else 'deny'} -> {verdict}"
            )
        return 0
    newly = [e for e in entries if e.newly_non_compliant]
    if args.json:
        print(_ENTRIES.dump_json(entries, indent=2).decode())
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


def _policy_check(args: argparse.Namespace, settings: Settings) -> int:
    """The central question, asked of the gate itself: exit 0 allowed, 1 denied."""
    if not args.purpose:
        raise InvalidArgumentError("policy check needs --purpose")
    if not args.feature and not args.model_version:
        raise InvalidArgumentError("policy check needs --feature (repeatable) or --model-version")
    question = FeatureUseQuestion(
        action=args.use,
        purpose=args.purpose,
        features=list(args.feature),
        model_version=args.model_version,
        environment=args.environment,
    )
    target = _target(args, settings)
    try:
        decision = target.check_feature_use(
            question, actor=args.actor or f"cli:{getpass.getuser()}"
        )
    finally:
        target.close()
    if args.json:
        print(decision.model_dump_json(indent=2))
        return 0 if decision.allow else 1
    subject = args.model_version or "these features"
    print(f"{'ALLOWED' if decision.allow else 'DENIED'}: {args.use} {subject} for {args.purpose}")
    for reason in decision.deny:
        print(f"  - {reason}")
    for obligation in decision.obligations:
        print(f"  obligation: {obligation}")
    for feature, traces in sorted(decision.explanations.items()):
        for trace in traces:
            print(f"  {feature} is {trace.tag} (from {trace.source})")
    print(f"  decision {decision.decision_urn} (bundle {decision.bundle_revision})")
    return 0 if decision.allow else 1


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def token(args: argparse.Namespace, settings: Settings) -> int:
    from provgraph.catalog.access import Role, open_tokens
    from provgraph.catalog.datadir import MARKER

    if not (settings.data / MARKER).exists():
        raise DataDirError(f"{settings.data} is not a provgraph data directory (no {MARKER})")
    store = open_tokens(settings, data=settings.data)
    try:
        if args.action == "revoke":
            if not store.revoke(args.name):
                raise NodeNotFoundError(args.name, f"no token named {args.name!r}")
            print(f"revoked the token of {args.name}")
            return 0
        print(store.create(args.name, Role.named(args.role)))
    finally:
        store.close()
    print(
        f"({_article(args.role)} {args.role} token for {args.name}; "
        "shown once, only its hash is kept)",
        file=sys.stderr,
    )
    return 0
