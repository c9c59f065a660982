#!/usr/bin/env bash
# deploy/reference/down.sh — owns tearing the reference deployment down (see up.sh): its
# containers, HAProxy and s3rver (by their pid files), its database and its state folder.
#   JOBSERV_REF_NAME [jobserv-ref]  JOBSERV_REF_DB_ADMIN_URL  JOBSERV_REF_STATE  as for up.sh
#   --keep-data: keep the database and the state folder (bucket files, worker folder)
set -uo pipefail
name="${JOBSERV_REF_NAME:-jobserv-ref}"
state="${JOBSERV_REF_STATE:-/tmp/$name}"
db_admin="${JOBSERV_REF_DB_ADMIN_URL:-mysql://jobserv:jobserv@127.0.0.1:3306}"
keep=0; [[ "${1:-}" == "--keep-data" ]] && keep=1

mapfile -t containers < <(docker ps -aq --filter "name=^$name-(server-[0-9]+|worker)\$")
((${#containers[@]} == 0)) || docker rm -f "${containers[@]}" >/dev/null
# run containers the worker left (it was removed without draining)
mapfile -t runs < <(docker ps -aq --filter "label=io.jobserv.worker=$name-worker")
((${#runs[@]} == 0)) || docker rm -f "${runs[@]}" >/dev/null
for daemon in haproxy s3rver; do
  if [[ -s "$state/$daemon.pid" ]]; then
    kill "$(cat "$state/$daemon.pid")" 2>/dev/null
    rm -f "$state/$daemon.pid"
  fi
done
if ((keep == 0)); then
  db_name="$(echo "$name" | tr -c 'A-Za-z0-9_\n' '_')"
  db_url="${db_admin#mysql://}"; db_user="${db_url%%:*}"; db_rest="${db_url#*:}"; db_pass="${db_rest%%@*}"
  db_hostport="${db_rest#*@}"; db_host="${db_hostport%%:*}"; db_port="${db_hostport#*:}"
  mariadb -h"$db_host" -P"${db_port%/}" -u"$db_user" -p"$db_pass" -e "DROP DATABASE IF EXISTS \`$db_name\`"
  rm -rf "$state"
fi
echo "down.sh: $name removed" >&2
