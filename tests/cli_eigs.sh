#!/usr/bin/env bash
# cli_eigs.sh: end-to-end test of `spartan eigs`: table and --json keys on the
# shipped matrices, outputs written (vectors, history, plot), exit 0 / 1 / 2 for
# convergence, non-convergence and every bad-input case of issue 3.
# usage: cli_eigs.sh SPARTAN_BIN DATA_DIR
set -u
bin=$1
data=$2
. "$(dirname "$0")/lib_cli.sh"

# ---- success, table and json ----
expect_exit 0 "bfwa62 auto (dense)" eigs "$data/bfwa62.mtx" --nev 4
check "dense path said" grep -q "method dense" "$tmp/out"
check "table has 4 rows" [ "$(grep -cE '^ +[1-4] ' "$tmp/out")" -eq 4 ]
expect_exit 0 "bfwa62 iram json" eigs "$data/bfwa62.mtx" --nev 5 --method iram --ncv 10 --tol 1e-14 --json
for key in n nnz method nev ncv which tol converged nconv restarts matvecs seconds eigenvalues re im residual; do
    check "json key $key" grep -q "\"$key\":" "$tmp/out"
done
check "json converged true" grep -q '"converged": true' "$tmp/out"
check "json top eigenvalue" grep -q '"re": 9.21794458800' "$tmp/out"
check "json is one line" [ "$(wc -l <"$tmp/out")" -eq 1 ]
if command -v python3 >/dev/null; then
    check "json parses" python3 -c "import json,sys; d=json.load(open('$tmp/out')); assert len(d['eigenvalues'])==5"
fi
expect_exit 0 "miramns nested + outputs" eigs "$data/west0479.mtx" --nev 2 --nested 10,15,20 \
    --history "$tmp/h.csv" --plot "$tmp/p.svg" --vectors "$tmp/v.mtx" --verbose
check "history csv header" grep -q "^restart,subspace,chosen,kept,residual_1,residual_2" "$tmp/h.csv"
check "plot is svg" grep -q "<svg" "$tmp/p.svg"
check "vectors file is 479 x 2" grep -q "^479 2" "$tmp/v.mtx"
check "verbose memory estimate" grep -q "memory estimate" "$tmp/err"
check "no temp files left" [ -z "$(ls "$tmp" | grep tmp)" ]
expect_exit 0 "symmetric LA" eigs "$data/plat362.mtx" --nev 2 --which LA --method iram --tol 1e-8
expect_exit 0 "gen spec" eigs --gen laplace2d:20 --nev 3 --which SA --json
printf '%%%%MatrixMarket matrix array real general\n62 1\n' >"$tmp/v0.mtx"
for i in $(seq 62); do echo 1 >>"$tmp/v0.mtx"; done
expect_exit 0 "--v0" eigs "$data/bfwa62.mtx" --nev 2 --method iram --v0 "$tmp/v0.mtx"

# ---- not converged: exit 1, converged ones printed ----
expect_exit 1 "max-restarts 1" eigs "$data/olm500.mtx" --nev 4 --method iram --ncv 8 --max-restarts 1
check "not-converged line" grep -q "NOT CONVERGED" "$tmp/out"
expect_exit 1 "not converged json" eigs "$data/olm500.mtx" --nev 4 --method iram --ncv 8 --max-restarts 1 --json
check "json converged false" grep -q '"converged": false' "$tmp/out"

# ---- bad input: exit 2 ----
expect_exit 2 "no --nev" eigs "$data/bfwa62.mtx"
expect_exit 2 "nev 0" eigs "$data/bfwa62.mtx" --nev 0
expect_exit 2 "nev > n" eigs "$data/bfwa62.mtx" --nev 63
expect_exit 2 "ncv > n" eigs "$data/bfwa62.mtx" --nev 2 --ncv 63
expect_exit 2 "ncv <= nev + 1 (iram)" eigs "$data/bfwa62.mtx" --nev 4 --ncv 5 --method iram
expect_exit 2 "unknown which" eigs "$data/bfwa62.mtx" --nev 2 --which XY
expect_exit 2 "LA on nonsymmetric" eigs "$data/bfwa62.mtx" --nev 2 --which LA
expect_exit 2 "unknown method" eigs "$data/bfwa62.mtx" --nev 2 --method lanczos
expect_exit 2 "bad tol" eigs "$data/bfwa62.mtx" --nev 2 --tol abc
expect_exit 2 "nested not increasing" eigs "$data/bfwa62.mtx" --nev 2 --nested 15,10
expect_exit 2 "nested with iram" eigs "$data/bfwa62.mtx" --nev 2 --nested 10,15 --method iram
expect_exit 2 "missing file" eigs "$tmp/none.mtx" --nev 2
expect_exit 2 "unknown option" eigs "$data/bfwa62.mtx" --nev 2 --frobnicate
printf '%%%%MatrixMarket matrix coordinate real general\n3 4 1\n1 1 1.0\n' >"$tmp/rect.mtx"
expect_exit 2 "non-square" eigs "$tmp/rect.mtx" --nev 1
printf '%%%%MatrixMarket matrix coordinate real general\n0 0 0\n' >"$tmp/empty.mtx"
expect_exit 2 "empty matrix" eigs "$tmp/empty.mtx" --nev 1
printf '%%%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 nan\n2 2 1.0\n' >"$tmp/nan.mtx"
expect_exit 2 "NaN entry" eigs "$tmp/nan.mtx" --nev 1
printf '%%%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 inf\n2 2 1.0\n' >"$tmp/inf.mtx"
expect_exit 2 "inf entry" eigs "$tmp/inf.mtx" --nev 1
expect_exit 2 "v0 wrong size" eigs "$data/plat362.mtx" --nev 2 --v0 "$tmp/v0.mtx"
expect_exit 0 "--help" eigs --help
check "help has examples" grep -q "examples:" "$tmp/out"

finish
