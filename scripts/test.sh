#!/usr/bin/env bash
# Run the whole test suite. When Debian's pg_virtualenv is there, the suite runs inside a
# throwaway PostgreSQL cluster (it exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE),
# so the store is tested on SQLite and on a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
args=(-q -n 2 --dist loadgroup "$@")
# Lint and types first: a failure here names the file and line in seconds.
"$BIN/ruff" check livinglab tests benchmarks
"$BIN/mypy" livinglab
if command -v pg_virtualenv >/dev/null 2>&1; then
    exec pg_virtualenv -- "$BIN/python" -m pytest "${args[@]}"
fi
echo "test.sh: pg_virtualenv not found: PostgreSQL tests will be skipped" >&2
exec "$BIN/python" -m pytest "${args[@]}"
