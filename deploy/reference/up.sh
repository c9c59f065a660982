#!/usr/bin/env bash
# deploy/reference/up.sh — owns the reference deployment on one machine: the multi-instance
# shape of production with host networking only (each part on its own 127.0.0.1 port):
#   HAProxy (Debian's package) :LB_PORT  ->  jobserv/server containers :SERVER_PORTS (2 by default)
#   MariaDB (this machine's, a database of its own), an S3-compatible store (s3rver on :S3_PORT)
#   a jobserv/worker container driving this machine's Docker engine (socket mounted)
# Migrations run once as their own step (`jobserv migrate`); servers start with JOBSERV_MIGRATE=off.
# Settings (environment, defaults in brackets):
#   JOBSERV_REF_NAME [jobserv-ref]  container / database / state names
#   JOBSERV_REF_LB_PORT [18080]  JOBSERV_REF_SERVER_PORTS ["18081 18082"]  JOBSERV_REF_S3_PORT [18090]
#   JOBSERV_REF_DB_ADMIN_URL [mysql://jobserv:jobserv@127.0.0.1:3306]  JOBSERV_REF_STATE [/tmp/<name>]
#   JOBSERV_REF_WORKER_TAGS [amd64]  JOBSERV_REF_WORKER_NETWORK [host]  JOBSERV_REF_ADMIN_TOKEN [generated]
# Prints KEY=VALUE lines (LB_URL, SERVER_URLS, ADMIN_TOKEN, DATABASE, S3_ENDPOINT, STATE) on stdout.
# Tear down with deploy/reference/down.sh (same JOBSERV_REF_NAME).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
name="${JOBSERV_REF_NAME:-jobserv-ref}"
lb_port="${JOBSERV_REF_LB_PORT:-18080}"
read -r -a server_ports <<<"${JOBSERV_REF_SERVER_PORTS:-18081 18082}"
s3_port="${JOBSERV_REF_S3_PORT:-18090}"
db_admin="${JOBSERV_REF_DB_ADMIN_URL:-mysql://jobserv:jobserv@127.0.0.1:3306}"
state="${JOBSERV_REF_STATE:-/tmp/$name}"
db_name="$(echo "$name" | tr -c 'A-Za-z0-9_\n' '_')"
database="${db_admin%/}/$db_name"
admin_token="${JOBSERV_REF_ADMIN_TOKEN:-jst_$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"
worker_secret="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
secrets_key="$(head -c 32 /dev/urandom | base64)"
log() { echo "up.sh: $*" >&2; }

wait_for() {  # wait_for SECONDS WHAT CMD...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "$what did not come up within the time allowed"; return 1; }
    sleep 0.3
  done
}

mkdir -p "$state/s3" "$state/worker"
images="$("$root/deploy/images/build.sh")"
server_image="$(awk '$1 ~ /\/server:/ {print $1}' <<<"$images")"
worker_image="$(awk '$1 ~ /\/worker:/ {print $1}' <<<"$images")"

# MariaDB: a database of our own on this machine's server
db_url="${db_admin#mysql://}"; db_user="${db_url%%:*}"; db_rest="${db_url#*:}"; db_pass="${db_rest%%@*}"
db_hostport="${db_rest#*@}"; db_host="${db_hostport%%:*}"; db_port="${db_hostport#*:}"
mariadb -h"$db_host" -P"${db_port%/}" -u"$db_user" -p"$db_pass" -e "CREATE DATABASE IF NOT EXISTS \`$db_name\`"

# The S3-compatible store (s3rver, the project's test dependency; in production: MinIO, Ceph, R2, S3...)
s3rver="$(cd "$root" && node -p 'require.resolve("s3rver/bin/s3rver.js")')"
setsid node "$s3rver" -d "$state/s3" -a 127.0.0.1 -p "$s3_port" --silent --configure-bucket jobserv </dev/null >"$state/s3rver.log" 2>&1 &
echo $! >"$state/s3rver.pid"
wait_for 20 "s3rver" bash -c "exec 3<>/dev/tcp/127.0.0.1/$s3_port"

common_env=(
  -e "JOBSERV_DATABASE=$database" -e "JOBSERV_SECRETS_KEY=$secrets_key" -e "JOBSERV_WORKER_SECRET=$worker_secret"
  -e "JOBSERV_ADMIN_TOKEN=$admin_token" -e "JOBSERV_PUBLIC_URL=http://127.0.0.1:$lb_port"
  -e "JOBSERV_S3_BUCKET=jobserv" -e "JOBSERV_S3_PREFIX=$name/" -e "JOBSERV_S3_ENDPOINT=http://127.0.0.1:$s3_port"
  -e "AWS_ACCESS_KEY_ID=S3RVER" -e "AWS_SECRET_ACCESS_KEY=S3RVER" -e "AWS_REGION=us-east-1"
  -e "JOBSERV_LOG_ARCHIVE_DELAY_MS=${JOBSERV_REF_LOG_ARCHIVE_DELAY_MS:-10000}"
)
log "migrating $db_name"
docker run --rm --network host "${common_env[@]}" "$server_image" migrate >&2

servers_h1="" servers_h2="" urls=""
for i in "${!server_ports[@]}"; do
  port="${server_ports[$i]}"
  docker run -d --name "$name-server-$((i + 1))" --network host --restart no "${common_env[@]}" \
    -e JOBSERV_HOST=127.0.0.1 -e "JOBSERV_PORT=$port" -e JOBSERV_MIGRATE=off -e JOBSERV_DRAIN_DELAY_MS=3000 \
    --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
    --stop-timeout 30 "$server_image" >/dev/null
  servers_h1+="    server s$((i + 1)) 127.0.0.1:$port"$'\n'
  servers_h2+="    server s$((i + 1)) 127.0.0.1:$port proto h2 check-proto h1"$'\n'
  urls+="http://127.0.0.1:$port "
done
for port in "${server_ports[@]}"; do
  wait_for 60 "the server on :$port" curl -sf "http://127.0.0.1:$port/readyz"
done

sed -e "s|@STATE@|$state|g" -e "s|@LB_PORT@|$lb_port|g" "$here/haproxy.cfg.in" |
  awk -v h1="$servers_h1" -v h2="$servers_h2" '{ if ($0 == "@SERVERS_H1@") printf "%s", h1; else if ($0 == "@SERVERS_H2@") printf "%s", h2; else print }' >"$state/haproxy.cfg"
haproxy -c -q -f "$state/haproxy.cfg"
haproxy -D -f "$state/haproxy.cfg"
wait_for 20 "HAProxy" curl -sf "http://127.0.0.1:$lb_port/readyz"

# The worker: its folder has the same path inside and outside (run containers bind-mount its subfolders)
chown 10001:10001 "$state/worker"
docker run -d --name "$name-worker" --network host --restart no \
  --group-add "$(stat -c %g /var/run/docker.sock)" -v /var/run/docker.sock:/var/run/docker.sock -v "$state/worker:$state/worker" \
  -e "JOBSERV_URL=http://127.0.0.1:$lb_port" -e "JOBSERV_WORKER_NAME=$name-worker" -e "JOBSERV_WORKER_DIR=$state/worker" \
  -e "JOBSERV_WORKER_TAGS=${JOBSERV_REF_WORKER_TAGS:-amd64}" -e "JOBSERV_WORKER_SECRET=$worker_secret" \
  -e "JOBSERV_WORKER_NETWORK=${JOBSERV_REF_WORKER_NETWORK:-host}" \
  -e "JOBSERV_WORKER_PULL_POLICY=${JOBSERV_REF_WORKER_PULL_POLICY:-if-not-present}" --stop-timeout 60 "$worker_image" >/dev/null

cat <<OUT
LB_URL=http://127.0.0.1:$lb_port
SERVER_URLS=${urls% }
ADMIN_TOKEN=$admin_token
DATABASE=$database
S3_ENDPOINT=http://127.0.0.1:$s3_port
STATE=$state
OUT
log "up: http://127.0.0.1:$lb_port (servers ${urls% }); down: JOBSERV_REF_NAME=$name $here/down.sh"
