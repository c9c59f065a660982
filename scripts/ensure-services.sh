#!/usr/bin/env bash
# scripts/ensure-services.sh — owns the local services tests and `dev` need: Docker engine
# (installs docker.io / starts dockerd), busybox-static + the test image (build-test-image.sh),
# docker-registry + apache2-utils (htpasswd) for the private-registry test,
# MariaDB with the 'jobserv'@'127.0.0.1' / 'jobserv'@'localhost' user (password jobserv),
# the deployment tools (mmdebstrap and haproxy for deploy/, rclone, sqlite3, openssl, systemd-analyze
# for the deploy and backup tests), checks that s3rver (the S3-compatible test server, npm) resolves,
# (not for --no-browser) installs Debian's chromium for the browser tests (test/web/),
# and (not for --no-test-tools) the SDK/operator test tools (ensure-test-tools.sh: Go, protoc,
# gRPC Python, promtool, zsh).
# Idempotent: only installs/starts what is missing, never restarts a running service.
#   scripts/ensure-services.sh [--no-mariadb] [--no-docker] [--no-browser] [--no-test-tools]
set -euo pipefail

want_docker=1 want_mariadb=1 want_browser=1 want_test_tools=1
for arg in "$@"; do
  case "$arg" in
    --no-docker) want_docker=0 ;;
    --no-mariadb) want_mariadb=0 ;;
    --no-browser) want_browser=0 ;;
    --no-test-tools) want_test_tools=0 ;;
    *) echo "usage: $0 [--no-docker] [--no-mariadb] [--no-browser] [--no-test-tools]" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"   # dockerd and mariadbd live in sbin
sudo=""; [[ $EUID -eq 0 ]] || sudo=sudo
logdir=/var/log; [[ -w $logdir ]] || logdir="${TMPDIR:-/tmp}"

# serialize concurrent callers (two test runs must not both start a dockerd). Daemons started
# below get `9>&-`: a daemon that inherited fd 9 would hold this lock for its whole life and
# every later caller would wait forever (CI hung 90 min on exactly that).
lock="${TMPDIR:-/tmp}/jobserv-ensure-services.lock"
exec 9>"$lock"
flock -w 300 9 || { echo "ensure-services: $lock still locked after 300 s (held by: $(fuser "$lock" 2>/dev/null))" >&2; exit 1; }

apt_install() {  # apt_install PKG... (apt-get update only if the first try fails)
  echo "installing $* (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "$@" >&2 || { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q "$@" >&2; }
}

wait_for() {  # wait_for SECONDS CMD... : retry CMD every 0.5 s
  local tries=$(($1 * 2)); shift
  until "$@" >/dev/null 2>&1; do
    ((--tries > 0)) || return 1
    sleep 0.5
  done
}

if ((want_docker)); then
  state=up
  if ! docker info >/dev/null 2>&1; then
    command -v dockerd >/dev/null || apt_install docker.io
    if pgrep -x dockerd >/dev/null; then
      state="up (was starting)"
    else
      $sudo setsid dockerd --bridge=none --iptables=false </dev/null >>"$logdir/jobserv-dockerd.log" 2>&1 9>&- &
      state="started (log $logdir/jobserv-dockerd.log)"
    fi
    wait_for 60 docker info || { echo "docker: not reachable, see $logdir/jobserv-dockerd.log" >&2; exit 1; }
  fi
  echo "docker: $state, server $(docker version --format '{{.Server.Version}}')"

  dpkg -s busybox-static >/dev/null 2>&1 || apt_install busybox-static
  # the container-auth test runs a private registry (Debian's docker-registry, htpasswd auth)
  missing=()
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
  "$here/build-test-image.sh"
  # deploy/: the image base (mmdebstrap) and the reference deployment's balancer (haproxy)
  missing=()
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v haproxy >/dev/null || missing+=(haproxy)
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
fi

# backup/restore, TLS and unit-file tests
missing=()
command -v rclone >/dev/null || missing+=(rclone)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v openssl >/dev/null || missing+=(openssl)
command -v systemd-analyze >/dev/null || missing+=(systemd)
((${#missing[@]} == 0)) || apt_install "${missing[@]}"
# the S3-compatible server of the tests is the npm package s3rver (a devDependency)
(cd "$here/.." && node -e 'require.resolve("s3rver/bin/s3rver.js")' 2>/dev/null) ||
  echo "ensure-services: s3rver not found (a devDependency: npm ci); S3 tests will fail" >&2

if ((want_mariadb)); then
  root_sql() { $sudo mariadb -uroot "$@"; }   # root authenticates over the unix socket
  state=up
  if ! root_sql -e 'select 1' >/dev/null 2>&1; then
    [[ -x /usr/sbin/mariadbd ]] || apt_install mariadb-server
    if pgrep -x mariadbd >/dev/null; then
      state="up (was starting)"
    else
      $sudo install -d -o mysql -g mysql /run/mysqld
      $sudo setsid /usr/sbin/mariadbd --user=mysql </dev/null >>"$logdir/jobserv-mariadbd.log" 2>&1 9>&- &
      state="started (log $logdir/jobserv-mariadbd.log)"
    fi
    wait_for 30 root_sql -e 'select 1' || { echo "mariadb: not reachable, see $logdir/jobserv-mariadbd.log" >&2; exit 1; }
  fi
  root_sql -e "
    CREATE USER IF NOT EXISTS 'jobserv'@'127.0.0.1' IDENTIFIED BY 'jobserv';
    GRANT ALL PRIVILEGES ON *.* TO 'jobserv'@'127.0.0.1';
    CREATE USER IF NOT EXISTS 'jobserv'@'localhost' IDENTIFIED BY 'jobserv';
    GRANT ALL PRIVILEGES ON *.* TO 'jobserv'@'localhost';"
  version="$(mariadb -h127.0.0.1 -P3306 -ujobserv -pjobserv -N -e 'select version()')" ||
    { echo "mariadb: user jobserv cannot connect to 127.0.0.1:3306" >&2; exit 1; }
  echo "mariadb: $state, server $version, user jobserv@127.0.0.1:3306 ok"
fi

# Workers fetch Git LFS objects of checkouts with it (test/worker/runner/git-submodules-lfs.test.ts)
command -v git-lfs >/dev/null || apt_install git-lfs
echo "git-lfs: $(git lfs version 2>/dev/null || echo 'installed')"

if ((want_browser)); then
  # puppeteer-core drives it; puppeteer's own browser download cannot work here
  [[ -x /usr/bin/chromium ]] || apt_install chromium
  echo "browser: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
fi

if ((want_test_tools)); then
  "$here/ensure-test-tools.sh" 9>&-
fi
