#!/usr/bin/env bash
# The main demo: describe a shipped matrix, then compute a few eigenvalues.
set -euo pipefail
bin=${1:-build/spartan}
cd "$(dirname "$0")/.."
echo "== spartan info tests/data/bfwa62.mtx"
"$bin" info tests/data/bfwa62.mtx
