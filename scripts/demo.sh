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

# The report's Wide & Deep pipeline on the shipped Criteo sample (8000 rows,
# tests/data/criteo/README.md): the advisor picks embedding dimensions from
# the co-occurrence spectrum, then one model per kept dimension is trained on
# the same vocabulary; ends with the comparison table and SVG plots.
out=$(dirname "$bin")/demo
mkdir -p "$out"
criteo=tests/data/criteo/criteo_train_8000.txt.gz
echo "== spartan embdim $criteo --min-count 10 --dense log --candidates 8,16,24,32"
"$bin" embdim "$criteo" --min-count 10 --dense log --candidates 8,16,24,32 \
    --vocab-out "$out/vocab.bin" --plot "$out/embdim_convergence.svg" | tee "$out/embdim.txt" || true
# kept: candidates that converged within the budget and capture the required share
share=$(sed -n 's/.*min captured share \([0-9.]*\).*/\1/p' "$out/embdim.txt")
kept=$(awk -v s="${share:-0.9}" '$2 == "yes" { c = $7; gsub(/[^0-9.]/, "", c); if (c + 0 >= s) printf "%s%s", n++ ? "," : "", $1 }' "$out/embdim.txt")
kept=${kept:-16}
echo "== spartan sweep $criteo --vocab $out/vocab.bin --emb-dims $kept --epochs 5 --batch 1000"
"$bin" sweep "$criteo" --vocab "$out/vocab.bin" --emb-dims "$kept" --epochs 5 --batch 1000 \
    --deep 1024,512,256,128 --plot "$out/sweep_auc.svg" --history "$out/sweep.csv"
echo "== outputs in $out: embdim.txt, embdim_convergence.svg, sweep_auc.svg, sweep.csv"
