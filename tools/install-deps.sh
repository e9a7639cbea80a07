#!/bin/sh
# Installs Persona's build dependencies (Debian package names) when missing.
# As root (or with sudo) it runs apt-get; otherwise it prints the exact command and fails.
pkgs="gcc make pkg-config libseccomp-dev liburing-dev libffi-dev check strace procps busybox-static python3"
# `install-deps.sh fuzz`: also clang, whose libFuzzer `make fuzz` uses (not needed otherwise)
[ "$1" = fuzz ] && pkgs="$pkgs clang"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y$missing"
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
  echo "persona: missing build dependencies:$missing" >&2
  echo "persona: run as root: apt-get update && $cmd" >&2
  exit 1
fi
echo "persona: installing$missing" >&2
$sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo $cmd -qq >/dev/null || {
  echo "persona: '$cmd' failed" >&2; exit 1; }
