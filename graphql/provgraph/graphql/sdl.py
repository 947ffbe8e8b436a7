"""The committed SDL (graphql/schema.graphql): print it, or check/write it.

python -m provgraph.graphql.sdl --check   # exit 1 when the committed file is stale
python -m provgraph.graphql.sdl --write   # rewrite the committed file
"""

from __future__ import annotations

import sys
from pathlib import Path

from provgraph.graphql.schema import schema

SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def current_sdl() -> str:
    return schema.as_str() + "\n"


def main(argv: list[str]) -> int:
    if "--write" in argv:
        SDL_PATH.write_text(current_sdl())
        return 0
    if "--check" in argv:
        if not SDL_PATH.exists() or SDL_PATH.read_text() != current_sdl():
            print(
                f"{SDL_PATH} is stale: run python -m provgraph.graphql.sdl --write", file=sys.stderr
            )
            return 1
        return 0
    print(current_sdl(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
