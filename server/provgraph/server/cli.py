"""The `provgraph` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from provgraph import client
from provgraph.catalog.settings import Settings
from provgraph.server.error_codes import DEFINED, EXIT_INVALID, exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provgraph", description="Lineage and governance catalog for machine learning."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, *, remote: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--data", type=Path, help="data directory (default ./provgraph-data)")
        if remote:
            sub.add_argument(
                "--url",
                help="a running server to talk to (default $PROVGRAPH_URL, else the server "
                "holding --data, else --data itself); token from $PROVGRAPH_TOKEN",
            )
        return sub

    serve = command("serve", "Run the HTTP server (GraphQL, REST, OpenLineage, portal).")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--demo", action="store_true", help="load the demo catalog first")
    serve.add_argument(
        "--allow-anonymous",
        metavar="ROLE",
        choices=["reader", "producer", "steward", "admin"],
        help="let requests without a token in with this role (off by default)",
    )

    token = command("token", "Create or revoke an API token (works while a server runs).")
    token.add_argument("action", choices=["create", "revoke"])
    token.add_argument("name")
    token.add_argument(
        "--role", choices=["reader", "producer", "steward", "admin"], default="reader"
    )

    command("demo", "Load the demo catalog (ride-sharing fraud detection).", remote=True)

    lineage = command("lineage", "Print the lineage of a node.", remote=True)
    lineage.add_argument("urn")
    lineage.add_argument(
        "--direction", choices=["upstream", "downstream", "both"], default="upstream"
    )
    lineage.add_argument("--depth", type=int, default=20)
    lineage.add_argument("--limit", type=int, default=10_000)
    lineage.add_argument(
        "--as-of", help="ISO-8601 timestamp with timezone, e.g. 2026-02-01T00:00:00Z"
    )
    lineage.add_argument("--edge-kinds", help="comma-separated edge kinds to follow")
    lineage.add_argument("--json", action="store_true", help="print JSON")

    impact = command(
        "impact", "Print what depends on a node: features, models, deployments.", remote=True
    )
    impact.add_argument("urn")
    impact.add_argument("--as-of")
    impact.add_argument("--json", action="store_true")

    paths = command("paths", "Print the shortest lineage paths between two nodes.", remote=True)
    paths.add_argument("source")
    paths.add_argument("target")
    paths.add_argument("--as-of")

    ingest = command(
        "ingest",
        "Submit catalog events from a JSON file: an event, {event, idempotency_key}, or an "
        "array of either.",
        remote=True,
    )
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--actor", default=None, help="who submits (default: cli:$USER)")

    command("rebuild", "Replay the event log into a fresh graph store.")

    backup = command(
        "backup",
        "Copy the event log, tokens and marker of --data to DEST, consistently, while a "
        "server runs.",
    )
    backup.add_argument("dest", type=Path, help="a new or empty directory")
    key_help = "file holding the HMAC key that signs (backup) or verifies (restore) the manifest "
    key_help += "(default $PROVGRAPH_BACKUP_KEY_FILE)"
    backup.add_argument("--key-file", type=Path, help=key_help)
    restore = command(
        "restore", "Restore a backup into --data (new or empty) and rebuild the graph from it."
    )
    restore.add_argument("src", type=Path, help="a directory written by `provgraph backup`")
    restore.add_argument("--key-file", type=Path, help=key_help)

    reproduce = command(
        "reproduce",
        "Print the exact recipe of a model version and what changed since it was trained.",
        remote=True,
    )
    reproduce.add_argument("urn", help="a model-version URN")
    reproduce.add_argument("--json", action="store_true")

    policy = command(
        "policy",
        "Ask whether a use is allowed (check: exit 0 allowed, 1 denied), re-check compliance, "
        "or backtest a candidate policy bundle.",
        remote=True,
    )
    policy.add_argument("action", choices=["check", "recheck", "backtest"])
    policy.add_argument("--model-version", help="check: the model version (URN) that would use")
    policy.add_argument("--purpose", help="check: what for (required)")
    policy.add_argument(
        "--feature",
        action="append",
        default=[],
        help="check: a feature (group:name or URN), repeatable; default the model version's "
        "training set",
    )
    policy.add_argument(
        "--use",
        choices=["train", "deploy", "serve", "materialize"],
        default="serve",
        help="check: the use asked about (default serve)",
    )
    policy.add_argument("--environment", help="check: where, e.g. production")
    policy.add_argument("--bundle", type=Path, help="candidate bundle directory (backtest)")
    policy.add_argument("--actor", default=None, help="who runs the re-check (default: cli:$USER)")
    policy.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    overrides = {k: v for k, v in (("data", args.data),) if v is not None}
    if args.command == "serve":
        given = (("host", args.host), ("port", args.port), ("anonymous_role", args.allow_anonymous))
        overrides.update({k: v for k, v in given if v is not None})
    if getattr(args, "key_file", None) is not None:
        overrides["backup_key_file"] = args.key_file
    try:
        settings = Settings(**overrides)
        return _run(args, settings)
    except ValidationError as exc:  # settings from the environment or the arguments
        return _fail(str(exc), EXIT_INVALID)
    except DEFINED as exc:
        return _fail(_message(exc), exit_code(exc) or EXIT_INVALID)


def _message(exc: Exception) -> str:
    if isinstance(exc, client.AuthenticationError):
        return f"{exc.detail} (set PROVGRAPH_TOKEN; see `provgraph token`)"
    return exc.detail if isinstance(exc, client.ApiError) else str(exc)


def _fail(message: str, code: int) -> int:
    print(f"provgraph: error: {message}", file=sys.stderr)
    return code


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from provgraph.server import commands

    handler = getattr(commands, args.command)
    result: int = handler(args, settings)
    return result


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
