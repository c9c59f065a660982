#!/usr/bin/env bash
# scripts/build-test-image.sh — owns the local test image jobserv/busybox:latest (no registry here):
# Debian's static /bin/busybox + a symlink per applet in /bin, /tmp, /etc/passwd, imported with
# `docker import`. Skips the build when the image's jobserv.hash label matches the inputs.
# One build at a time per machine (flock on a lock file outside any per-suite TMPDIR): two
# suites starting together would otherwise import the same tag twice.
set -euo pipefail

lock=/var/lock/jobserv-build-test-image.lock
[[ -w "$(dirname "$lock")" ]] || lock="/tmp/jobserv-build-test-image.$(id -u).lock"
exec 9>"$lock"
flock 9

image="${JOBSERV_TEST_IMAGE:-jobserv/busybox:latest}"
busybox=/bin/busybox   # from the busybox-static package (scripts/ensure-services.sh installs it)

[[ -x "$busybox" ]] || { echo "build-test-image: $busybox missing (apt-get install -y busybox-static)" >&2; exit 1; }
# inputs: the busybox binary and this script
hash="$(cat "$busybox" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
current="$(docker image inspect --format '{{index .Config.Labels "jobserv.hash"}}' "$image" 2>/dev/null || true)"
if [[ "$current" == "$hash" ]]; then
  echo "test image: $image current ($hash)"
  exit 0
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/usr" "$root/root"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [[ "$applet" == busybox ]] || ln -s busybox "$root/bin/$applet"
done
ln -s bin "$root/sbin"; ln -s ../bin "$root/usr/bin"; ln -s ../bin "$root/usr/sbin"   # for #!/usr/bin/env
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP

tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
  docker import --change "LABEL jobserv.hash=$hash" --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
echo "test image: $image built ($hash)"
