#!/usr/bin/env bash
# The main demo: describe a shipped matrix, then compute a few eigenvalues.
set -euo pipefail
bin=${1:-build/spartan}
cd "$(dirname "$0")/.."
echo "== spartan info tests/data/bfwa62.mtx"
"$bin" info tests/data/bfwa62.mtx
echo "== spartan eigs tests/data/bfwa62.mtx --nev 4 --method iram --ncv 10 --tol 1e-12"
"$bin" eigs tests/data/bfwa62.mtx --nev 4 --method iram --ncv 10 --tol 1e-12
echo "== spartan eigs tests/data/west0479.mtx --nev 2 --nested 10,15,20"
"$bin" eigs tests/data/west0479.mtx --nev 2 --nested 10,15,20
