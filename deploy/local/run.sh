#!/usr/bin/env bash
# Run the all-in-one local server (region + edge + web client + dev token issuer) on the
# embedded defaults: builds the web client if needed, then the server, then runs it.
# Extra arguments go to `starlane-local run` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v npm >/dev/null || { echo "npm (Node.js 20+) is required to build the web client" >&2; exit 1; }
if [ ! -d clients/web/node_modules ]; then npm --prefix clients/web ci --no-audit --no-fund; fi
npm --prefix clients/web run build
exec cargo run --release --locked -p starlane-local -- run "$@"
