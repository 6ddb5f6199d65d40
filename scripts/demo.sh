#!/usr/bin/env bash
# The main demo: describe a shipped matrix, compute a few eigenvalues (IRAM,
# MIRAMns), then the report's pipeline: embedding-dimension advisor, then
# Wide & Deep trained at the dimensions it kept.
set -euo pipefail
bin=${1:-build/spartan}
cd "$(dirname "$0")/.."
echo "== spartan info tests/data/bfwa62.mtx"
"$bin" info tests/data/bfwa62.mtx
echo "== spartan eigs tests/data/bfwa62.mtx --nev 4 --method iram --ncv 10 --tol 1e-12"
"$bin" eigs tests/data/bfwa62.mtx --nev 4 --method iram --ncv 10 --tol 1e-12
echo "== spartan eigs tests/data/west0479.mtx --nev 2 --nested 10,15,20"
"$bin" eigs tests/data/west0479.mtx --nev 2 --nested 10,15,20

# The report's Wide & Deep pipeline on the shipped Criteo sample (8000 rows,
# tests/data/criteo/README.md): the advisor picks embedding dimensions from
# the co-occurrence spectrum, then one model per kept dimension is trained on
# the same vocabulary; ends with the comparison table and SVG plots.
out=$(dirname "$bin")/demo
mkdir -p "$out"
criteo=tests/data/criteo/criteo_train_8000.txt.gz
echo "== spartan embdim $criteo --min-count 10 --dense log --candidates 8,16,24,32 --train ..."
"$bin" embdim "$criteo" --min-count 10 --dense log --candidates 8,16,24,32 \
    --vocab-out "$out/vocab.bin" --plot "$out/embdim_convergence.svg" \
    --train --epochs 5 --batch 1000 --deep 1024,512,256,128 \
    --plot "$out/sweep_auc.svg" --history "$out/sweep.csv"
echo "== outputs in $out: vocab.bin, embdim_convergence.svg, sweep_auc.svg, sweep.csv"
