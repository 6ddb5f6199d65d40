#!/usr/bin/env bash
# Installs what spartan needs to build and test on Debian, without asking.
# Idempotent: when every package is already there it does nothing (no apt-get update).
# Usage: scripts/install-deps.sh [--bench]   (--bench adds the peers used by bench/)
set -euo pipefail

packages=(build-essential cmake pkg-config libopenblas-dev liblapacke-dev
          libopenmpi-dev openmpi-bin zlib1g-dev libcmocka-dev python3 gzip)
if [ "${1:-}" = "--bench" ]; then
  packages+=(libarpack2-dev libparpack2-dev hyperfine python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
