#!/usr/bin/env bash
# bench_embdim.sh: throughput of the click-log pipeline and cost of the
# embedding-dimension advisor (issue 5). Not a test: prints Markdown tables.
#   1. reader and co-occurrence builder rows/s on the shared Criteo sample
#      repeated R times (`spartan cooc --verbose` times each pass; the reader
#      alone is pass 1 in hash mode, which keeps only the integer maxima),
#      and the builder apart from the reader (bench_cooc_build, best of N);
#      then pass 2 on a "varied" log whose pairs keep changing, as a real
#      log's do (the repeated sample brings no new pair after its first copy);
#   2. wall time and peak memory (GNU time's max RSS) of `spartan embdim` for
#      k = 16 .. 200 on the sample's co-occurrence matrix;
#   3. the eigen step against ARPACK-NG on the same matrix in the same run
#      (bench_eigs_arpack, BUILD_DIR/bench: MIRAMns vs dsaupd, nev = k, ncv = 3k);
#   4. with --big: embdim on a generated power-law 200,000-feature matrix,
#      serial and under `mpirun -np 2`, and ARPACK on it.
# usage: bash bench/bench_embdim.sh BUILD_DIR [--repeat R] [--runs N] [--big] [--threads T]
#            [--arpack-k K1,K2] [--big-candidates K1,K2] [--skip-rows] [--skip-sample]
# Environment: SPARTAN_DATA = folder with criteo/criteo_train_8000.txt (default ../shared/data).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bash bench/bench_embdim.sh BUILD_DIR [--repeat R] [--runs N] [--big] [--threads T]}
shift
repeat=50 runs=3 big=0 threads=1 arpack_k=16,32,80 big_cands=16,32,80 skip_rows=0 skip_sample=0
while [ $# -gt 0 ]; do
    case $1 in
    --arpack-k) arpack_k=$2; shift ;;
    --big-candidates) big_cands=$2; shift ;;
    --skip-rows) skip_rows=1 ;;
    --skip-sample) skip_sample=1 ;;
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
if [ "$skip_rows" -eq 0 ]; then
big_log=$tmp/criteo_x$repeat.txt
for _ in $(seq "$repeat"); do cat "$sample"; done >"$big_log"
rows=$(wc -l <"$big_log")
echo "input: $rows rows ($repeat x $(wc -l <"$sample")), $(du -m "$big_log" | cut -f1) MB"
echo
# measure_cooc LOG ARGS...: best of $runs, "p1_wall p1_cpu p2_wall p2_cpu assemble_s"
# (rows/s; per core = against CPU time)
measure_cooc() {
    local log=$1 b1=0 c1=0 b2=0 c2=0 merge=0
    shift
    for _ in $(seq "$runs"); do
        "$bin" cooc "$log" -o "$tmp/c.mtx" --verbose "$@" >/dev/null 2>"$tmp/err"
        local p1 q1 p2 q2 m
        p1=$(sed -n 's/.*pass 1 .* s, \([0-9]*\) rows\/s; cpu.*/\1/p' "$tmp/err")
        q1=$(sed -n 's/.*pass 1 .*, \([0-9]*\) rows\/s per core.*/\1/p' "$tmp/err")
        p2=$(sed -n 's/.*pass 2 .*: [0-9.]* s, \([0-9]*\) rows\/s; cpu.*/\1/p' "$tmp/err")
        q2=$(sed -n 's/.*pass 2 .*, \([0-9]*\) rows\/s per core.*/\1/p' "$tmp/err")
        m=$(sed -n 's/.*assemble (merge + CSR): \([0-9.]*\) s.*/\1/p' "$tmp/err")
        [ "${p1:-0}" -gt "$b1" ] && b1=${p1:-0}
        [ "${q1:-0}" -gt "$c1" ] && c1=${q1:-0}
        [ "${p2:-0}" -gt "$b2" ] && b2=${p2:-0} && merge=$m
        [ "${q2:-0}" -gt "$c2" ] && c2=${q2:-0}
    done
    echo "$b1 $c1 $b2 $c2 $merge"
}
cooc_header() { # cooc_header WHAT
    echo "| $1 (best of $runs runs) | pass 1 rows/s (wall) | pass 1 rows/s per core (cpu) | pass 2 rows/s (wall) | pass 2 rows/s per core (cpu) | assemble s |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
}
cooc_row() { # cooc_row LABEL LOG ARGS...: one table row from measure_cooc
    local label=$1 a b c d e
    shift
    read -r a b c d e < <(measure_cooc "$@")
    echo "| $label | $a | $b | $c | $d | $e |"
}
cooc_header what
cooc_row "hash mode: pass 1 = reader (+ integer maxima), pass 2 = read + map + accumulate" "$big_log" --hash-buckets 1000000
cooc_row "vocabulary, min-count 100: pass 1 = read + count" "$big_log" --min-count 100
cooc_row "vocabulary, min-count 2" "$big_log" --min-count 2
cooc_row "vocabulary, min-count 2, --weighted --dense log" "$big_log" --min-count 2 --weighted --dense log
echo
builder=$build/bench/bench_cooc_build
if [ -x "$builder" ]; then
    echo "The builder apart from the reader (bench_cooc_build: rows mapped once, then built $runs times in one process):"
    echo
    "$builder" "$big_log" --min-count 100 --repeat "$runs" --header
    "$builder" "$big_log" --min-count 2 --repeat "$runs"
    "$builder" "$big_log" --min-count 2 --weighted --repeat "$runs"
    "$builder" "$big_log" --hash-buckets 1000000 --repeat "$runs"
    echo
else
    echo "no $builder: configure with -DSPARTAN_BENCH=ON for the builder alone"
fi

# The repeated sample holds the sample's 2.9 M distinct pairs whatever R is:
# every chunk finds the same pairs. A real log keeps bringing new ones. Copy c
# of the "varied" log gives 9 of the 26 hash fields (C3, C4, C10, C12, C16,
# C19, C23, C25, C26: those with many values) a value of their own (the last
# 3 hex digits replaced by c's), so pairs stop repeating across copies.
var_log=$tmp/criteo_varied_x$repeat.txt
awk -F'\t' -v R="$repeat" 'BEGIN { OFS = "\t"; nv = split("17 18 24 26 30 33 37 39 40", vary, " ") }
    { r[NR] = $0 }
    END { for (c = 0; c < R; c++) for (i = 1; i <= NR; i++) {
        n = split(r[i], f, "\t")
        for (v = 1; v <= nv; v++) {
            j = vary[v] + 0
            if (f[j] != "") f[j] = substr(f[j], 1, 5) sprintf("%03x", (c * 7 + j) % 4096)
        }
        out = f[1]
        for (j = 2; j <= n; j++) out = out OFS f[j]
        print out } }' "$sample" >"$var_log"
echo "varied input: $(wc -l <"$var_log") rows, 9 hash fields new in every copy of the sample"
echo
cooc_header "what, varied input"
cooc_row "hash mode" "$var_log" --hash-buckets 1000000
cooc_row "vocabulary, min-count 2" "$var_log" --min-count 2
cooc_row "vocabulary, min-count 2, --memory 4096 (no spill)" "$var_log" --min-count 2 --memory 4096
echo
fi

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
# ---- 3. the eigen step against ARPACK-NG on the same matrix ------------------------
arpack=$build/bench/bench_eigs_arpack
arpack_table() { # arpack_table MATRIX: MIRAMns and ARPACK dsaupd, nev = k, ncv = 3k, tol 1e-8
    local first=1
    for k in ${arpack_k//,/ }; do
        local hdr=()
        [ "$first" -eq 1 ] && hdr=(--header)
        "$arpack" --matrix "$1" --nev "$k" --ncv $((3 * k)) --which LM --tol 1e-8 \
            --methods arpack,miramns "${hdr[@]}" || echo "| $1 | nev $k: bench_eigs_arpack failed |"
        first=0
    done
}

cands=16,24,32,40,80,120,200
if [ "$skip_sample" -eq 0 ]; then
    run_embdim "embdim sample, min-count 2 (raw counts)" "$sample" --min-count 2 --candidates $cands
    run_embdim "embdim sample, min-count 2, --normalize ppmi" "$sample" --min-count 2 --normalize ppmi --candidates $cands
    run_embdim "embdim sample, min-count 0 (every value an id)" "$sample" --min-count 0 --candidates $cands
fi
if [ -x "$arpack" ]; then
    "$bin" cooc "$sample" --min-count 2 -o "$tmp/sample.mtx" >/dev/null
    echo
    echo "Eigen step vs ARPACK-NG on the sample's co-occurrence matrix (min-count 2), same run:"
    echo
    arpack_table "$tmp/sample.mtx"
else
    echo "no $arpack: configure with -DSPARTAN_BENCH=ON for the ARPACK comparison"
fi

# ---- 4. generated 200,000-feature matrix, serial and P = 2 --------------------------
if [ "$big" -eq 1 ]; then
    "$bin" gen powerlaw 200000 --nnz-per-row 33 --seed 7 -o "$tmp/pl.mtx" >/dev/null
    "$bin" convert "$tmp/pl.mtx" "$tmp/pl.csr" >/dev/null
    run_embdim "embdim generated power-law n = 200000, serial, k = $big_cands" "$tmp/pl.csr" --candidates "$big_cands"
    if command -v mpirun >/dev/null; then
        /usr/bin/time -v mpirun --allow-run-as-root --oversubscribe -np 2 "$bin" embdim "$tmp/pl.csr" --json \
            --candidates "$big_cands" >"$tmp/out" 2>"$tmp/time" || true
        python3 - "$tmp/out" "$tmp/time" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1])); t = open(sys.argv[2]).read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", t).group(1)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"\nembdim generated power-law n = 200000, mpirun -np {d['ranks']}: wall {wall}, peak RSS of the "
      f"largest process {rss / 1024:.0f} MiB, recommended {d['recommended']}; matvec compute "
      f"{d['matvec_compute_seconds']:.2f} s, communication {d['matvec_comm_seconds']:.2f} s, "
      f"{d['allreduces']} allreduces ({d['allreduce_seconds']:.2f} s)")
print("\n| k | converged | restarts | matvecs | residual | captured | seconds |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
for c in d["candidates"]:
    print(f"| {c['k']} | {'yes' if c['converged'] else 'no'} | {c['restarts']} | {c['matvecs']} | "
          f"{c['residual']:.1e} | {c['captured']:.4f} | {c['seconds']:.2f} |")
EOF
    fi
    if [ -x "$arpack" ]; then
        echo
        echo "Eigen step vs ARPACK-NG on the generated matrix, same run:"
        echo
        arpack_table "$tmp/pl.mtx"
    fi
fi
