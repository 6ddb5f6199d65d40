#!/usr/bin/env bash
# bench_widedeep.sh: Wide & Deep, spartan vs PyTorch, in one run on the same
# data, split, initial weights, layer sizes, batch, epochs, optimizers and
# batch order (the PyTorch script replays spartan's shuffle, so the AUC
# difference measures the implementations, not two shuffles).
# spartan exports its mapped train/validation arrays and its initial model
# (--epochs 0); bench_widedeep_torch.py trains from exactly those. Both run
# under /usr/bin/time -v (peak RSS of the whole process); samples/s count
# training time only (the validation pass excluded), best of --repeat runs.
# Prints a Markdown table with the ratios.
#
# usage: bash bench/bench_widedeep.sh BUILD_DIR [--data FILE] [--emb-dims 16,32,80,200]
#            [--batch 1000] [--epochs 5] [--threads 2] [--repeat 3] [--min-count 10]
#            [--dense log|scale] [--hash-buckets B]
# Defaults (the benchmark configuration of bench/RESULTS.md): vocabulary of
# the values seen more than 10 times (1459 ids on the 8000 rows) and integer
# weights log(1 + v).
# Needs Debian's python3-torch (scripts/install-deps.sh --bench) in /usr/bin/python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bash bench/bench_widedeep.sh BUILD_DIR [options]}
shift
data=$here/../../shared/data/criteo/criteo_train_8000.txt
dims=16 batch=1000 epochs=5 threads=2 repeat=3 min_count=10 dense=log buckets=0 deep=1024,512,256,128
while [ $# -gt 0 ]; do
    case $1 in
    --data) data=$2; shift ;;
    --emb-dims) dims=$2; shift ;;
    --batch) batch=$2; shift ;;
    --epochs) epochs=$2; shift ;;
    --threads) threads=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --min-count) min_count=$2; shift ;;
    --dense) dense=$2; shift ;;
    --hash-buckets) buckets=$2; shift ;;
    --deep) deep=$2; shift ;;
    *) echo "bench_widedeep.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
spartan=$build/spartan
py=/usr/bin/python3
[ -x "$spartan" ] || { echo "bench_widedeep.sh: $spartan not built" >&2; exit 2; }
if ! $py -c 'import torch' 2>/dev/null; then
    echo "bench_widedeep.sh: PyTorch missing for $py (run scripts/install-deps.sh --bench)" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Same threading for both: OpenMP threads = T, BLAS single-threaded inside
# spartan's blocks (sp_set_threads), passive waiting (the machine may be shared).
export OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=passive

# peak RSS in MiB from /usr/bin/time -v output
rss_mib() { awk -F: '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$1"; }
# field of a JSON object on stdin: samples_per_s, or last epoch's valid_auc / valid_logloss
jget() { $py -c 'import json,sys; d=json.load(sys.stdin); k=sys.argv[1]
print(d[k] if k in d else d["epochs"][-1][k])' "$1"; }
# spartan's samples/s over all epochs (training time only)
sp_rate() { $py -c 'import json,sys; d=json.load(sys.stdin); e=d["epochs"]
print(sum(d["train_rows"] for _ in e) / sum(x["seconds"] for x in e))'; }

echo "## Wide & Deep vs PyTorch ($(date -u +%Y-%m-%d), $(nproc) cores, threads = $threads, batch $batch, $epochs epochs, deep $deep, min-count $min_count, dense $dense, hash buckets $buckets)"
echo
echo "data: $(basename "$data"); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| emb_dim | spartan samples/s | PyTorch samples/s | speed ratio | spartan AUC | PyTorch AUC | AUC diff | spartan logloss | PyTorch logloss | spartan peak MiB | PyTorch peak MiB | memory ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for dim in ${dims//,/ }; do
    common=(train widedeep "$data" --emb-dim "$dim" --deep "$deep" --batch "$batch" --min-count "$min_count" --dense "$dense" --hash-buckets "$buckets" --threads "$threads")
    "$spartan" "${common[@]}" --epochs 0 --export-data "$tmp/data.st" -o "$tmp/init.st" >/dev/null
    best_sp=0 best_pt=0 sp_rss=0 pt_rss=0
    for ((r = 0; r < repeat; r++)); do
        /usr/bin/time -v "$spartan" "${common[@]}" --epochs "$epochs" --json >"$tmp/sp.json" 2>"$tmp/sp.time"
        /usr/bin/time -v $py "$here/bench_widedeep_torch.py" --data "$tmp/data.st" --init "$tmp/init.st" \
            --epochs "$epochs" --batch "$batch" --threads "$threads" >"$tmp/pt.json" 2>"$tmp/pt.time"
        s=$(sp_rate <"$tmp/sp.json"); p=$(jget samples_per_s <"$tmp/pt.json")
        best_sp=$($py -c "print(max($best_sp, $s))"); best_pt=$($py -c "print(max($best_pt, $p))")
        sp_rss=$(rss_mib "$tmp/sp.time"); pt_rss=$(rss_mib "$tmp/pt.time")
    done
    sa=$(jget valid_auc <"$tmp/sp.json"); pa=$(jget valid_auc <"$tmp/pt.json")
    sl=$(jget valid_logloss <"$tmp/sp.json"); pl=$(jget valid_logloss <"$tmp/pt.json")
    $py - "$dim" "$best_sp" "$best_pt" "$sa" "$pa" "$sl" "$pl" "$sp_rss" "$pt_rss" <<'EOF'
import sys
d, s, p, sa, pa, sl, pl, sr, pr = sys.argv[1:]
s, p, sa, pa, sl, pl, sr, pr = map(float, (s, p, sa, pa, sl, pl, sr, pr))
print(f"| {d} | {s:.0f} | {p:.0f} | {s / p:.2f}x | {sa:.4f} | {pa:.4f} | {sa - pa:+.4f} | {sl:.4f} | {pl:.4f} | {sr:.0f} | {pr:.0f} | {sr / pr:.2f} |")
EOF
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
