#!/usr/bin/env bash
# Installs the Debian packages the project needs (speech synthesiser, recorded
# prompts, libsndfile) when they are missing and the machine allows it.
# It never fails the build by itself: a missing package is reported, and the
# features that need it raise a clear error naming the package.
set -u
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_system_deps: apt-get not available; please install: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "install_system_deps: not root and no passwordless sudo; please install: ${missing[*]}" >&2
    exit 0
  fi
fi
echo "install_system_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || echo "install_system_deps: apt-get install failed for: ${missing[*]}" >&2
exit 0
