#!/usr/bin/env bash
# bench_embdim.sh: throughput of the click-log pipeline and cost of the
# embedding-dimension advisor (issue 5). Not a test: prints Markdown tables.
#   1. reader and co-occurrence builder rows/s on the shared Criteo sample
#      repeated R times (`spartan cooc --verbose` times each pass; the reader
#      alone is pass 1 in hash mode, which keeps only the integer maxima);
#   2. wall time and peak memory (GNU time's max RSS) of `spartan embdim` for
#      k = 16 .. 200 on the sample's co-occurrence matrix;
#   3. with --big: embdim on a generated power-law 200,000-feature matrix.
# usage: bash bench/bench_embdim.sh BUILD_DIR [--repeat R] [--runs N] [--big] [--threads T]
# Environment: SPARTAN_DATA = folder with criteo/criteo_train_8000.txt (default ../shared/data).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bash bench/bench_embdim.sh BUILD_DIR [--repeat R] [--runs N] [--big] [--threads T]}
shift
repeat=50 runs=3 big=0 threads=1
while [ $# -gt 0 ]; do
    case $1 in
    --repeat) repeat=$2; shift ;;
    --runs) runs=$2; shift ;;
    --big) big=1 ;;
    --threads) threads=$2; shift ;;
    *) echo "bench_embdim.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
bin=$build/spartan
sample=${SPARTAN_DATA:-$here/../../shared/data}/criteo/criteo_train_8000.txt
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 2; }
[ -r "$sample" ] || { echo "no $sample" >&2; exit 2; }
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg); threads $threads; $(date -u +%F)"
echo

# ---- 1. rows/s ------------------------------------------------------------------
big_log=$tmp/criteo_x$repeat.txt
for _ in $(seq "$repeat"); do cat "$sample"; done >"$big_log"
rows=$(wc -l <"$big_log")
echo "input: $rows rows ($repeat x $(wc -l <"$sample")), $(du -m "$big_log" | cut -f1) MB"
echo
# best of $runs: "pass1_rows_per_s pass2_rows_per_s merge_s"
measure_cooc() {
    local best1=0 best2=0 merge=0
    for _ in $(seq "$runs"); do
        "$bin" cooc "$big_log" -o "$tmp/c.mtx" --verbose "$@" >/dev/null 2>"$tmp/err"
        local p1 p2 m
        p1=$(sed -n 's/.*pass 1 .*s, \([0-9]*\) rows\/s.*/\1/p' "$tmp/err")
        p2=$(sed -n 's/.*pass 2 .*s, \([0-9]*\) rows\/s.*/\1/p' "$tmp/err")
        m=$(sed -n 's/.*merge: \([0-9.]*\) s.*/\1/p' "$tmp/err")
        [ "${p1:-0}" -gt "$best1" ] && best1=${p1:-0}
        [ "${p2:-0}" -gt "$best2" ] && best2=$p2 && merge=$m
    done
    echo "$best1 $best2 $merge"
}
echo "| what (best of $runs runs) | pass 1 rows/s | pass 2 rows/s | merge s |"
echo "| --- | ---: | ---: | ---: |"
read -r a b c < <(measure_cooc --hash-buckets 1000000)
echo "| hash mode: pass 1 = reader (+ integer maxima), pass 2 = read + map + accumulate | $a | $b | $c |"
read -r a b c < <(measure_cooc --min-count 100)
echo "| vocabulary, min-count 100 (n small): pass 1 = read + count | $a | $b | $c |"
read -r a b c < <(measure_cooc --min-count 2)
echo "| vocabulary, min-count 2 | $a | $b | $c |"
read -r a b c < <(measure_cooc --min-count 2 --weighted --dense log)
echo "| vocabulary, min-count 2, --weighted --dense log | $a | $b | $c |"
echo

# ---- 2. embdim on the sample ------------------------------------------------------
run_embdim() { # run_embdim LABEL INPUT ARGS...
    local label=$1 input=$2
    shift 2
    /usr/bin/time -v "$bin" embdim "$input" --json "$@" >"$tmp/out" 2>"$tmp/time" || true
    local wall rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$tmp/time")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
    python3 - "$tmp/out" "$label" "$wall" "$rss" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
label, wall, rss = sys.argv[2], sys.argv[3], int(sys.argv[4])
print(f"\n{label}: n = {d['n']}, nnz = {d['nnz']}, wall {wall}, peak RSS {rss / 1024:.0f} MiB, "
      f"recommended {d['recommended']}")
print("\n| k | converged | restarts | matvecs | residual | gap | captured | seconds |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
f = lambda v, s: "-" if v is None else format(v, s)
for c in d["candidates"]:
    print(f"| {c['k']} | {'yes' if c['converged'] else 'no'} | {c['restarts']} | {c['matvecs']} | "
          f"{f(c['residual'], '.1e')} | {f(c['gap'], '.4f')} | {f(c['captured'], '.4f')} | {c['seconds']:.2f} |")
for s in d["skipped"]:
    print(f"| {s['k']} | {s['reason']} | | | | | | |")
print(f"\nreason: {d['reason']}")
EOF
}
cands=16,24,32,40,80,120,200
run_embdim "embdim sample, min-count 2 (raw counts)" "$sample" --min-count 2 --candidates $cands
run_embdim "embdim sample, min-count 2, --normalize ppmi" "$sample" --min-count 2 --normalize ppmi --candidates $cands
run_embdim "embdim sample, min-count 0 (every value an id)" "$sample" --min-count 0 --candidates $cands

# ---- 3. generated 200,000-feature matrix ------------------------------------------
if [ "$big" -eq 1 ]; then
    "$bin" gen powerlaw 200000 --nnz-per-row 33 --seed 7 -o "$tmp/pl.mtx" >/dev/null
    run_embdim "embdim generated power-law n = 200000, k = 16, 32, 80" "$tmp/pl.mtx" --candidates 16,32,80
    run_embdim "embdim generated power-law n = 200000, k = 200 (nested 2k, 2.5k)" "$tmp/pl.mtx" \
        --candidates 200 --nested 2k,2.5k
fi
