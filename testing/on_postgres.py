"""Run pytest against a throw-away PostgreSQL 15 cluster (``make test``'s last pass).

    .venv/bin/python -m testing.on_postgres [pytest arguments]

The suite runs on in-memory SQLite; this runs it again with ``DATABASE_URL`` pointing at
a fresh cluster (``testing.servers.PostgresServer``), with the production database
options (prepared statements, server-side binding), so nothing in the API works on one
database only. Without PostgreSQL installed it skips, except under ``CI=true``.
"""

from __future__ import annotations

import os
import subprocess
import sys

from testing.servers import PostgresServer


def main() -> int:
    if not PostgresServer.available():
        message = "PostgreSQL 15 is not installed (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            print(f"required under CI: {message}", file=sys.stderr)
            return 1
        print(f"{message}: the PostgreSQL pass is skipped")
        return 0
    with PostgresServer.temporary(prefix="tandem-pg-suite-") as server:
        command = [sys.executable, "-m", "pytest", *sys.argv[1:]]
        return subprocess.call(command, env={**os.environ, "DATABASE_URL": server.url})


if __name__ == "__main__":
    sys.exit(main())
