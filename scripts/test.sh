#!/usr/bin/env bash
# scripts/test.sh — owns the project's test command (`npm test`): Node >= 22, node_modules,
# services, then buf lint, gen/ reproducibility, tsc, ava. Extra arguments go to ava.
# Ends with a plain "N passed, N failed" line (counted from ava's TAP) and ava's exit code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-node.sh
ensure_node_modules
scripts/ensure-services.sh
# the test tools (promtool, protoc-gen-go*) are installed into /usr/local/bin: on PATH even when it is minimal
[[ ":$PATH:" == *:/usr/local/bin:* ]] || export PATH="$PATH:/usr/local/bin"
export JOBSERV_TEST_MYSQL_URL="${JOBSERV_TEST_MYSQL_URL:-mysql://jobserv:jobserv@127.0.0.1:3306}"

step() { echo "==> $*"; local t=$SECONDS; "$@"; echo "    ($((SECONDS - t)) s)"; }

check_gen() {
  npx buf generate
  local untracked
  untracked="$(git ls-files --others --exclude-standard -- gen/)"
  if ! git diff --exit-code --stat -- gen/ || [[ -n "$untracked" ]]; then
    [[ -z "$untracked" ]] || printf 'untracked in gen/:\n%s\n' "$untracked"
    echo "gen/ is not reproducible: run 'npx buf generate' and commit gen/" >&2
    return 1
  fi
}

step npx buf lint
step check_gen
step npx tsc --noEmit -p tsconfig.json
step npx tsc --noEmit -p web/tsconfig.json       # the front end: DOM, no Node
step npx tsc --noEmit -p test/web/tsconfig.json  # browser tests: Node + DOM (code they run in pages)

echo "==> npx ava --tap $*"
tap="$(mktemp -t jobserv-ava.XXXXXX)"
trap 'rm -f "$tap"' EXIT
set +e
# a hard ceiling: a hang becomes a red run that says so, never a silent CI timeout
timeout --kill-after=30s "${JOBSERV_TEST_TIMEOUT:-40m}" npx ava --tap "$@" | tee "$tap"
rc=${PIPESTATUS[0]}
((rc != 124)) || echo "ava did not finish within ${JOBSERV_TEST_TIMEOUT:-40m}" >&2
set -e
# TAP: skipped tests are "ok ... # SKIP", todo tests "not ok ... # TODO" (neither counts)
count() { grep -E "$1" "$tap" | grep -cvE "$2" || true; }
passed=$(count '^ok ' '# SKIP$')
failed=$(count '^not ok ' '# TODO$')
echo "$passed passed, $failed failed"
exit "$rc"
