#!/usr/bin/env bash
# scripts/ensure-test-tools.sh — owns the non-npm tools the client and operator tests use, all from
# Debian's packages, offline once installed: Go with the protobuf and gRPC sources, protoc and the
# gRPC Python plugin, Python's grpcio and protobuf (SDK generation in Go and Python), promtool
# (`promtool check metrics`), zsh (completion). protoc-gen-go and protoc-gen-go-grpc are built from
# Debian's golang-google-protobuf-dev / golang-google-grpc-dev sources into /usr/local/bin (Debian's
# own /usr/bin/protoc-gen-go is 1.3, which refuses proto3 `optional`). promtool is taken out of the
# prometheus .deb without installing the package (which would start a Prometheus server).
# Idempotent: only installs or builds what is missing. Called by ensure-services.sh.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
sudo=""; [[ $EUID -eq 0 ]] || sudo=sudo

apt_install() {  # apt_install PKG... (apt-get update only if the first try fails)
  echo "installing $* (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends "$@" >&2 ||
    { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q --no-install-recommends "$@" >&2; }
}

missing=()
# golang-github-golang-protobuf-1-5-dev explicitly: apt would satisfy grpc's "1-3 | 1-5" with 1.3, whose
# proto.Marshal panics on the messages protoc-gen-go 1.2x generates.
for pkg in golang-go golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev golang-google-grpc-dev protobuf-compiler protobuf-compiler-grpc \
           python3-grpcio python3-protobuf zsh curl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
((${#missing[@]} == 0)) || apt_install "${missing[@]}"

# protoc-gen-go >= 1.20 (proto3 optional) and protoc-gen-go-grpc, built offline in GOPATH mode.
go_plugin_ok() { [[ -x /usr/local/bin/protoc-gen-go && -x /usr/local/bin/protoc-gen-go-grpc ]] &&
  /usr/local/bin/protoc-gen-go --version 2>/dev/null | grep -qE 'v1\.([2-9][0-9])'; }
if ! go_plugin_ok; then
  echo "building protoc-gen-go and protoc-gen-go-grpc from Debian's Go sources" >&2
  cache="$(mktemp -d)"
  $sudo env GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOCACHE="$cache" GOBIN=/usr/local/bin \
    go install google.golang.org/protobuf/cmd/protoc-gen-go google.golang.org/grpc/cmd/protoc-gen-go-grpc
  $sudo rm -rf "$cache"
fi

if ! command -v promtool >/dev/null; then
  echo "extracting promtool from Debian's prometheus package" >&2
  work="$(mktemp -d)"
  (cd "$work" && apt-get download prometheus >&2 || { $sudo apt-get update -q >&2 && apt-get download prometheus >&2; })
  dpkg-deb -x "$work"/prometheus_*.deb "$work/x"
  $sudo install -m 0755 "$work/x/usr/bin/promtool" /usr/local/bin/promtool
  rm -rf "$work"
fi
echo "test tools: go $(go env GOVERSION), $(protoc --version), $(/usr/local/bin/protoc-gen-go --version), promtool $(promtool --version 2>&1 | head -1 | awk '{print $3}')"
