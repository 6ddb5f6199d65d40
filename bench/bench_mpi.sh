#!/usr/bin/env bash
# bench_mpi.sh: strong scaling of the distributed eigensolver against PARPACK
# (bench_parpack, both in the same mpirun) at P = 1 and 2, one thread per rank:
#   power-law co-occurrence-like n = 10^6 and 10^7 (~10 nnz/row, nev 10),
#   2D Laplacian n = 10^6 (nev 4, tol 1e-4: clustered, thousands of matvecs).
# Rows go to ranks as spartan eigs does (--balance auto: the power-law
# matrices have their rows dealt by length, the Laplacian is balanced by
# measured time); the n = 10^7 power-law matrix is also run with the
# contiguous partitions for comparison (--balance measured, --balance model).
# Prints each run's report and a Markdown table of the RESULT lines at the end.
# Not a test: nothing is asserted. Every rank generates only its own rows.
#
# usage: bash bench/bench_mpi.sh BUILD_DIR [--quick] [--timeout SECONDS]
#   --quick      n = 10^5 instead of 10^6 / 10^7 (a minute)
#   --timeout    per run (default 1800); a run that exceeds it is reported as such
set -uo pipefail

build=${1:?usage: bash bench/bench_mpi.sh BUILD_DIR [--quick] [--timeout SECONDS]}
shift
quick=0 limit=1800
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --timeout) limit=$2; shift ;;
    *) echo "bench_mpi.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
bench=${BENCH_PARPACK:-$build/bench/bench_parpack} # BENCH_PARPACK: a frozen copy, if the tree changes meanwhile
[ -x "$bench" ] || { echo "bench_mpi.sh: $bench not built (needs MPI and libparpack2-dev; cmake -DSPARTAN_BENCH=ON)" >&2; exit 2; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

if [ $quick -eq 1 ]; then
    runs=("--gen powerlaw:100000:10 --nev 10" "--gen laplace2d:300 --nev 4 --tol 1e-4")
else
    runs=("--gen powerlaw:1000000:10 --nev 10"
          "--gen powerlaw:10000000:10 --nev 10"
          "--gen powerlaw:10000000:10 --nev 10 --balance measured"
          "--gen powerlaw:10000000:10 --nev 10 --balance model"
          "--gen laplace2d:1000 --nev 4 --tol 1e-4")
fi

echo "# bench_mpi.sh on $(hostname), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc --all) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for r in "${runs[@]}"; do
    for np in 1 2; do
        echo "\$ mpirun -np $np bench_parpack $r"
        # shellcheck disable=SC2086
        out=$(timeout "$limit" mpirun --allow-run-as-root --oversubscribe -q --bind-to core -np $np "$bench" $r 2>&1)
        code=$?
        echo "$out" | grep -v '^RESULT'
        [ $code -eq 124 ] && echo "(timed out after $limit s)"
        line=$(echo "$out" | grep '^RESULT' || true)
        [ -n "$line" ] && results+=("$line")
    done
done

echo
echo "| input | P | n | nnz | row weight | largest block rows | spartan s | PARPACK s | PARPACK/spartan | matvecs sp / PA | allreduces/step sp / PA | sp matvec compute / comm / allreduce s | PA matvec compute / comm / allreduce s | peak RSS/rank sp / PA MiB | model MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for line in "${results[@]}"; do
    declare -A v=()
    for kv in ${line#RESULT }; do v[${kv%%=*}]=${kv#*=}; done
    ratio=$(awk -v a="${v[pa_s]}" -v b="${v[sp_s]}" 'BEGIN { printf "%.2fx", a / b }')
    echo "| ${v[input]} | ${v[P]} | ${v[n]} | ${v[nnz]} | ${v[w]} | ${v[rows_max]} | ${v[sp_s]} | ${v[pa_s]} | $ratio | ${v[sp_mv]} / ${v[pa_mv]} | ${v[sp_ar_step]} / ${v[pa_ar_step]} | ${v[sp_comp]} / ${v[sp_comm]} / ${v[sp_ar]} | ${v[pa_comp]} / ${v[pa_comm]} / ${v[pa_ar]} | ${v[sp_rss]} / ${v[pa_rss]} | ${v[model]} |"
    unset v
done
