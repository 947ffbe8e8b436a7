"""The policy input's JSON Schema, published beside the bundle (rego/input.schema.json).

`python -m provgraph.policies.input_schema --write` regenerates it from the typed model
(provgraph.policies.input); without `--write` it exits 1 when the published file is stale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from provgraph.policies.input import PolicyInput

SCHEMA_PATH = Path(__file__).resolve().parent / "rego" / "input.schema.json"


def schema_text() -> str:
    schema = PolicyInput.model_json_schema(mode="validation")
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the schema file")
    arguments = parser.parse_args(argv)
    text = schema_text()
    if arguments.write:
        SCHEMA_PATH.write_text(text)
        return 0
    if not SCHEMA_PATH.is_file() or SCHEMA_PATH.read_text() != text:
        print(f"{SCHEMA_PATH} is stale: run python -m provgraph.policies.input_schema --write")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
