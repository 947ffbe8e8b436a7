"""Run ArcadeDB with its Bolt plugin on 127.0.0.1 until stdin closes (a test-fixture helper).

Usage: python -m tests.support.arcadedb_server ROOT HTTP_PORT BOLT_PORT PASSWORD DATABASE
Prints "ready" once the Bolt port accepts connections.
"""

from __future__ import annotations

import sys


def main() -> None:
    import arcadedb_embedded

    root, http_port, bolt_port, password, database = sys.argv[1:6]
    server = arcadedb_embedded.create_server(
        root_path=root,
        root_password=password,
        config={
            "host": "127.0.0.1",
            "http_port": int(http_port),
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": int(bolt_port),
        },
    )
    server.start()
    server.create_database(database)
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
