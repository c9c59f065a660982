#!/usr/bin/env bash
# scripts/dev.sh — owns `npm run dev` on a fresh machine: Node >= 22, node_modules, Docker and
# the test image (no MariaDB: dev uses SQLite), then runs `jobserv dev` with the given arguments.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-node.sh
ensure_node_modules
scripts/ensure-services.sh --no-mariadb --no-browser --no-test-tools
exec node cli/jobserv.js dev "$@"
