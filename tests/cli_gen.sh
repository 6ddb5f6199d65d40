#!/usr/bin/env bash
# cli_gen.sh: end-to-end test of `spartan gen`: files written as valid Matrix
# Market with the right header, size and storage; same seed same file; bad usage exits 2.
# usage: cli_gen.sh SPARTAN_BIN DATA_DIR
set -u
bin=$1
. "$(dirname "$0")/lib_cli.sh"

# header line and size line (first non-comment line after the banner)
banner() { head -n 1 "$1"; }
sizes() { grep -v '^%' "$1" | head -n 1; }

expect_exit 0 "laplace2d 10" gen laplace2d 10 -o "$tmp/l2.mtx"
check "laplace2d banner is symmetric" [ "$(banner "$tmp/l2.mtx")" = "%%MatrixMarket matrix coordinate real symmetric" ]
# lower triangle of the 5-point stencil: n diagonal + (nnz - n)/2 = 100 + 180
check "laplace2d size line" [ "$(sizes "$tmp/l2.mtx" | tr -s ' ')" = "100 100 280" ]
check "laplace2d summary on stdout" grep -q "n = 100, nnz = 460" "$tmp/out"
check "comment says how it was made" grep -q "spartan gen laplace2d 10" "$tmp/l2.mtx"

expect_exit 0 "laplace3d 4" gen laplace3d 4 --output="$tmp/l3.mtx"
check "laplace3d size line" [ "$(sizes "$tmp/l3.mtx" | tr -s ' ')" = "64 64 208" ]

expect_exit 0 "random-sparse" gen random-sparse 50 --nnz-per-row 3 --seed 5 -o "$tmp/r1.mtx"
check "random-sparse banner is general" [ "$(banner "$tmp/r1.mtx")" = "%%MatrixMarket matrix coordinate real general" ]
check "random-sparse size line" [ "$(sizes "$tmp/r1.mtx" | tr -s ' ')" = "50 50 150" ]
"$bin" gen random-sparse 50 --nnz-per-row 3 --seed 5 -o "$tmp/r2.mtx" >/dev/null
"$bin" gen random-sparse 50 --nnz-per-row 3 --seed 6 -o "$tmp/r3.mtx" >/dev/null
check "same seed, same file" cmp -s "$tmp/r1.mtx" "$tmp/r2.mtx"
check "different seed, different file" bash -c "! cmp -s '$tmp/r1.mtx' '$tmp/r3.mtx'"

expect_exit 0 "powerlaw" gen powerlaw 2000 --nnz-per-row 10 --alpha 1.1 --seed 3 -o "$tmp/p.mtx"
check "powerlaw banner is symmetric" [ "$(banner "$tmp/p.mtx")" = "%%MatrixMarket matrix coordinate real symmetric" ]
check "powerlaw has no upper-triangle entries" \
    awk '!/^%/ { if (seen++ && $1 < $2) bad = 1 } END { exit bad }' "$tmp/p.mtx"
check "powerlaw values are positive" \
    awk '!/^%/ { if (seen++ && $3 <= 0) bad = 1 } END { exit bad }' "$tmp/p.mtx"

# the written file reads back (when `info` is available) with the same nnz
if "$bin" info "$tmp/l2.mtx" >"$tmp/info" 2>/dev/null; then
    check "info reads the generated file back" grep -q "460" "$tmp/info"
fi

expect_exit 0 "--help" gen --help
check "--help has examples" grep -q "examples:" "$tmp/out"
expect_exit 2 "missing -o" gen laplace2d 10
expect_exit 2 "missing kind" gen
expect_exit 2 "unknown kind" gen laplace4d 3 -o "$tmp/x.mtx"
expect_exit 2 "missing N" gen laplace2d -o "$tmp/x.mtx"
expect_exit 2 "N not a number" gen laplace2d ten -o "$tmp/x.mtx"
expect_exit 2 "N too big" gen laplace2d 50000 -o "$tmp/x.mtx"
expect_exit 2 "N zero" gen laplace3d 0 -o "$tmp/x.mtx"
expect_exit 2 "random-sparse without --nnz-per-row" gen random-sparse 10 -o "$tmp/x.mtx"
expect_exit 2 "fractional --nnz-per-row for random-sparse" gen random-sparse 10 --nnz-per-row 2.5 -o "$tmp/x.mtx"
expect_exit 2 "--seed on laplace2d" gen laplace2d 10 --seed 3 -o "$tmp/x.mtx"
expect_exit 2 "--alpha on random-sparse" gen random-sparse 10 --nnz-per-row 2 --alpha 1 -o "$tmp/x.mtx"
expect_exit 2 "bad --alpha" gen powerlaw 10 --nnz-per-row 2 --alpha -1 -o "$tmp/x.mtx"
expect_exit 2 "negative seed" gen powerlaw 10 --nnz-per-row 2 --seed -4 -o "$tmp/x.mtx"
expect_exit 2 "unknown option" gen laplace2d 10 --frobnicate -o "$tmp/x.mtx"
expect_exit 2 "extra argument" gen laplace2d 10 11 -o "$tmp/x.mtx"
expect_exit 2 "unwritable output" gen laplace2d 3 -o "$tmp/no/such/dir/x.mtx"
check "error message names the problem" grep -q "spartan gen" "$tmp/err"
check "no file left behind on bad usage" [ ! -e "$tmp/x.mtx" ]

finish
