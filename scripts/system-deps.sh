#!/usr/bin/env bash
# Install Debian's PostgreSQL server and Chromium when they are missing.
# Needs root (or sudo); without it the tests that need them are skipped with a reason.
set -euo pipefail
need=()
command -v pg_virtualenv >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql postgresql-common)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ((${#need[@]} == 0)); then
    exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "system-deps: not root and no sudo: ${need[*]} not installed; their tests will be skipped" >&2
        exit 0
    fi
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
