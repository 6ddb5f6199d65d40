#!/usr/bin/env bash
# run.sh: run the benchmarks in bench/ and print their tables (Markdown).
# Eigensolvers vs ARPACK-NG: every matrix in ../shared/data/matrices, the
# reference report's validation settings, 2D Laplacians up to n = 10^6 and a
# power-law co-occurrence-like matrix (n = 2e5, nnz ~ 6.6e6).
# Single-threaded by default (OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = 1).
#
# usage: bash bench/run.sh BUILD_DIR [--quick] [--section NAME]... [--no-big] [--threads T]
#   --quick         a small subset (under a minute)
#   --section NAME  files | validation | laplace | powerlaw | which | big
#                   (repeatable; default: all but which, the n = 10^6 Laplacian last)
#   --no-big        skip the n = 10^6 Laplacian (a few minutes on its own)
#   --threads T     threads for both ARPACK's BLAS and spartan (default 1)
# Environment: SPARTAN_DATA = matrix folder (default ../shared/data/matrices).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bash bench/run.sh BUILD_DIR [--quick] [--section NAME] [--no-big] [--threads T]}
shift
quick=0 big=1 threads=1 sections=()
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --no-big) big=0 ;;
    --section) sections+=("$2"); shift ;;
    --threads) threads=$2; shift ;;
    *) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
[ ${#sections[@]} -eq 0 ] && sections=(files validation laplace powerlaw big)
data=${SPARTAN_DATA:-$here/../../shared/data/matrices}
bin=$build/bench/bench_eigs_arpack
if [ ! -x "$bin" ]; then
    echo "run.sh: $bin not built (configure with -DSPARTAN_BENCH=ON and install libarpack2-dev)" >&2
    exit 2
fi
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads

# One table per section: the first call prints the header.
first=1
eig() {
    local header=()
    if [ $first -eq 1 ]; then header=(--header); first=0; fi
    "$bin" --threads "$threads" "${header[@]}" "$@" || echo "| (failed: $*) |"
}
section() {
    first=1
    printf '\n### %s\n\n' "$1"
}

run_quick() {
    section "quick subset"
    for m in bfwa62 plat362 olm500; do eig --matrix "$data/$m.mtx" --nev 4 --ncv 20; done
    eig --gen laplace2d:50 --nev 4 --ncv 20 --tol 1e-6
    eig --gen powerlaw:20000:33:1.0:7 --nev 10 --ncv 20
}

run_files() {
    section "every matrix in shared/data (which = LM, ncv = 20, tol = 1e-10)"
    for f in "$data"/*.mtx "$data"/*.mtx.gz; do
        [ -e "$f" ] || continue
        for k in 4 10; do eig --matrix "$f" --nev $k --ncv 20; done
    done
}

run_validation() {
    section "the reference report's validation settings"
    local b=$data/bfwa62.mtx
    eig --matrix "$b" --nev 2 --ncv 5 --tol 1e-14
    eig --matrix "$b" --nev 2 --ncv 10 --tol 1e-14
    eig --matrix "$b" --nev 5 --ncv 10 --tol 1e-8
    eig --matrix "$b" --nev 5 --ncv 10 --tol 1e-14
    eig --matrix "$data/plat362.mtx" --nev 2 --ncv 15
    eig --matrix "$data/plat362.mtx" --nev 2 --ncv 20
    eig --matrix "$data/plat362.mtx" --nev 7 --ncv 15
    eig --matrix "$data/bcsstk06.mtx" --nev 7 --ncv 15
    eig --matrix "$data/bcsstk06.mtx" --nev 2 --ncv 50
    eig --matrix "$data/mhd4800b.mtx" --nev 5 --ncv 15 --tol 1e-14
    section "MIRAMns with the report's nested sizes (unsymmetric matrices, tol = 1e-10)"
    for m in bfwa62 sherman3 olm500 rdb200 dwa512 west0479; do
        eig --matrix "$data/$m.mtx" --nev 2 --nested 10,15,20
        eig --matrix "$data/$m.mtx" --nev 2 --nested 5,8,10
    done
}

run_laplace() {
    section "2D Laplacians (clustered wanted eigenvalues)"
    eig --gen laplace2d:100 --nev 4 --ncv 20 --tol 1e-6
    eig --gen laplace2d:100 --nev 4 --ncv 20 --tol 1e-10
    eig --gen laplace2d:300 --nev 4 --ncv 20 --tol 1e-4
    section "repeated eigenvalues: 3D Laplacian (top copies x3) and 2D, without and with spartan's missed-copy search"
    eig --gen laplace3d:12 --nev 6 --ncv 20
    eig --gen laplace3d:12 --nev 6 --ncv 20 --copies
    eig --gen laplace2d:100 --nev 6 --ncv 20 --copies
}

run_powerlaw() {
    section "power-law co-occurrence-like matrix (n = 2e5, about 33 nonzeros per row)"
    eig --gen powerlaw:200000:33:1.0:7 --nev 10 --ncv 20 --tol 1e-10
    eig --gen powerlaw:200000:33:1.0:7 --nev 10 --ncv 20 --tol 0
}

run_which() {
    section "other values of which (max 3000 restarts; SM without shift-invert is slow for everyone)"
    local w m
    for w in LR SR LI SI SM; do
        for m in bfwa62 rdb200 olm500 dwa512 west0479; do
            eig --matrix "$data/$m.mtx" --nev 4 --which $w --maxit 3000 --repeat-ms 0
        done
    done
    for w in LA SA BE SM; do
        for m in nos4 plat362 494_bus; do
            eig --matrix "$data/$m.mtx" --nev 4 --which $w --maxit 3000 --repeat-ms 0
        done
        eig --gen laplace2d:40 --nev 5 --which $w --maxit 3000 --repeat-ms 0
    done
}

run_big() {
    section "2D Laplacian n = 10^6 (nev = 4, tol = 1e-4)"
    eig --gen laplace2d:1000 --nev 4 --ncv 20 --tol 1e-4 --repeat-ms 0
}

echo "## Eigensolvers vs ARPACK-NG ($(date -u +%Y-%m-%d), threads = $threads)"
if [ $quick -eq 1 ]; then
    run_quick
    exit 0
fi
for s in "${sections[@]}"; do
    case $s in
    files | validation | laplace | powerlaw | which) "run_$s" ;;
    big) if [ $big -eq 1 ]; then run_big; fi ;;
    *) echo "run.sh: unknown section '$s'" >&2; exit 2 ;;
    esac
done
