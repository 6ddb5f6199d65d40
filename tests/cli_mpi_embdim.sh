#!/usr/bin/env bash
# cli_mpi_embdim.sh: end-to-end test of `mpirun -np P spartan embdim` (issue 5):
# at P = 1..4 the recommended k, convergence, restarts and every converged
# eigenvalue (1e-10 relative) equal the serial run's, on a click log (raw
# counts, --normalize sym and ppmi, --weighted; Criteo and libsvm) and on Matrix Market and
# binary CSR files; output printed once (rank 0); bad input fails on every
# rank with exit 2 and one message, never a hang. Skipped (exit 77, reported by CTest as skipped) only when
# spartan was built without MPI.
# usage: cli_mpi_embdim.sh SPARTAN_BIN DATA_DIR
set -u
bin=$1
data=$2
if ! "$bin" --version | grep -q "MPI: yes"; then
    echo "SKIP: $bin was built without MPI ('spartan --version' says MPI: no)"
    exit 77
fi
if ! command -v mpirun >/dev/null || ! command -v python3 >/dev/null; then
    echo "FAIL: spartan has MPI but mpirun or python3 is missing"
    exit 1
fi
mpirun=(timeout 120 mpirun --allow-run-as-root --oversubscribe -q)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
planted="$data/advisor/planted_k4.tsv.gz"
slice="$data/criteo/criteo_train_2000.txt.gz"

pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# Two --json outputs give the same advice: n, nnz, recommended, per candidate
# converged / restarts / nconv, eigenvalues to 1e-10 relative.
same_advice() { # same_advice SERIAL.json MPI.json RANKS
    python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b.get("ranks") == int(sys.argv[3]), "ranks %s" % b.get("ranks")
for key in ("n", "nnz", "recommended", "rule_met"):
    assert a[key] == b[key], "%s: %s vs %s" % (key, a[key], b[key])
worst = 0.0
for x, y in zip(a["candidates"], b["candidates"]):
    for key in ("k", "converged", "restarts", "nconv"):
        assert x[key] == y[key], "k = %d: %s %s vs %s" % (x["k"], key, x[key], y[key])
    for u, v in zip(x["values"], y["values"]):
        worst = max(worst, abs(u - v) / max(abs(u), abs(v), 1e-300))
assert len(a["candidates"]) == len(b["candidates"])
assert abs(a["fro_norm"] - b["fro_norm"]) <= 1e-10 * a["fro_norm"], "fro_norm"
print("  max relative eigenvalue difference %.1e (tolerance 1e-10)" % worst)
assert worst <= 1e-10
EOF
}

compare_runs() { # compare_runs WHAT ARGS...: serial, then P = 1..4
    local what=$1
    shift
    "$bin" embdim "$@" --json >"$tmp/serial.json" 2>"$tmp/err"
    local scode=$?
    if [ "$scode" -gt 1 ]; then fail "$what: serial run failed (exit $scode)"; cat "$tmp/err"; return; fi
    for np in 1 2 3 4; do
        "${mpirun[@]}" -np "$np" "$bin" embdim "$@" --json >"$tmp/mpi.json" 2>"$tmp/err"
        local code=$?
        if [ "$code" -ne "$scode" ]; then fail "$what: P = $np exit $code, serial $scode"; cat "$tmp/err"; continue; fi
        if [ "$(wc -l <"$tmp/mpi.json")" -ne 1 ]; then fail "$what: P = $np printed more than one line"; continue; fi
        if same_advice "$tmp/serial.json" "$tmp/mpi.json" "$np"; then pass "$what: P = $np same advice"
        else fail "$what: P = $np differs from serial"; fi
    done
}

"$bin" cooc "$planted" -o "$tmp/planted.mtx" --min-count 5 >/dev/null || fail "cooc planted mtx"
"$bin" cooc "$slice" -o "$tmp/slice.csr" --min-count 5 --format csr >/dev/null || fail "cooc slice csr"

compare_runs "planted log" "$planted" --min-count 5 --candidates 2,3,4,5,6,8
compare_runs "criteo slice, raw counts" "$slice" --min-count 5 --candidates 4,8,16
compare_runs "criteo slice, sym" "$slice" --min-count 5 --normalize sym --candidates 4,8
compare_runs "criteo slice, ppmi weighted, spilling" "$slice" --min-count 5 --normalize ppmi --weighted \
    --memory 1 --candidates 4,8
compare_runs "criteo slice, hash buckets" "$slice" --hash-buckets 500 --dense log --candidates 4,8
compare_runs "planted libsvm log" "$data/advisor/planted_k4.svm.gz" --input-format libsvm \
    --candidates 2,3,4,5,6,8
compare_runs "planted libsvm log, weighted, sym" "$data/advisor/planted_k4.svm.gz" --input-format libsvm \
    --weighted --normalize sym --candidates 4,8
compare_runs "planted mtx" "$tmp/planted.mtx" --candidates 2,3,4,5,6,8
compare_runs "slice binary csr" "$tmp/slice.csr" --candidates 4,8,16

# table output once, with the distribution line
"${mpirun[@]}" -np 2 "$bin" embdim "$tmp/planted.mtx" --candidates 4 >"$tmp/out" 2>"$tmp/err"
if [ "$(grep -c '^recommended k = 4:' "$tmp/out")" -eq 1 ] && grep -q "distributed over 2 ranks" "$tmp/out"; then
    pass "table printed once by rank 0"
else fail "table output"; cat "$tmp/out" "$tmp/err"; fi
"${mpirun[@]}" -np 2 "$bin" embdim "$planted" --min-count 5 --candidates 4 --plot "$tmp/conv.svg" >/dev/null 2>&1
if grep -q "k = 4" "$tmp/conv.svg" 2>/dev/null; then pass "plot written"; else fail "plot"; fi

# bad input: exit 2 on every rank, one message, no hang
expect_usage() { # expect_usage WHAT PATTERN ARGS...
    local what=$1 pattern=$2
    shift 2
    "${mpirun[@]}" -np 3 "$bin" embdim "$@" >"$tmp/out" 2>"$tmp/err"
    local code=$?
    local count
    count=$(grep -c "$pattern" "$tmp/err")
    if [ "$code" -eq 2 ] && [ "$count" -eq 1 ]; then pass "$what (exit 2, one message)"
    else fail "$what: exit $code, $count message(s)"; cat "$tmp/err"; fi
}
expect_usage "malformed log" "bad_hex.tsv:" "$data/criteo/bad_hex.tsv" --min-count 0 --candidates 1
expect_usage "missing file" "cannot open" "$tmp/none.mtx"
expect_usage "malformed libsvm log" "bad.svm:2:" "$data/criteo/bad.svm" --input-format libsvm --candidates 1
expect_usage "all candidates too large" "every candidate exceeds n - 2 = 141" "$tmp/planted.mtx" --candidates 142
expect_usage "log option on a matrix" "applies to click logs" "$tmp/planted.mtx" --min-count 5
printf '%%%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 1.0\n3 3 1.0\n' >"$tmp/ns.mtx"
expect_usage "nonsymmetric matrix" "not symmetric" "$tmp/ns.mtx" --candidates 1
expect_usage "bad option" "unknown option" "$tmp/planted.mtx" --frobnicate

if [ "$fails" -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "all passed"
