#!/usr/bin/env bash
# Sets up a fresh Debian machine for this repository: the Debian packages the tests and the
# queue-mode e2e start privately on 127.0.0.1 (PostgreSQL for n8n's processed-data store, Redis
# for n8n's queue mode), then the npm dependencies. Packages already there are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
