#!/usr/bin/env bash
# cli_info.sh: end-to-end tests of `spartan info` (run by CTest as
# `bash cli_info.sh SPARTAN_BIN DATA_DIR`): n / nnz / stored / symmetry of the
# shipped matrices (tests/data/README.md), NaN / inf / skew / array files, gzip
# input, --help, usage errors, and every malformed file of bad/expected.tsv
# (exit status 2, message "FILE:LINE: ..." on stderr, nothing on stdout).
set -u
BIN=$1
DATA=$2
failures=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_json FILE KEY VALUE...: `info --json` succeeds and has each "KEY": VALUE
expect_json() {
    local file=$1; shift
    local out
    if ! out=$("$BIN" info "$file" --json 2>"$TMP/err"); then
        fail "$file: exit status $? ($(cat "$TMP/err"))"; return
    fi
    while [ $# -ge 2 ]; do
        case "$out" in
            *"\"$1\": $2,"* | *"\"$1\": $2}"*) ;;
            *) fail "$file: expected \"$1\": $2 in $out" ;;
        esac
        shift 2
    done
    if command -v python3 >/dev/null && ! printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)'; then
        fail "$file: --json output is not valid JSON: $out"
    fi
}

# name n stored nnz symmetry (from tests/data/README.md)
while read -r name n stored nnz sym; do
    expect_json "$DATA/$name" rows "$n" cols "$n" nnz "$nnz" stored "$stored" symmetry "\"$sym\""
done <<'LIST'
bfwa62.mtx 62 450 450 general
plat362.mtx 362 3074 5786 symmetric
bcsstk06.mtx 420 4140 7860 symmetric
mhd4800b.mtx 4800 16160 27520 symmetric
nos4.mtx 100 347 594 symmetric
rdb200.mtx 200 1120 1120 general
west0479.mtx 479 1910 1910 general
494_bus.mtx 494 1080 1666 symmetric
olm500.mtx 500 1996 1996 general
dwa512.mtx 512 2480 2480 general
LIST

expect_json "$DATA/west0479.mtx" explicit_zeros 22 numeric_symmetry '"none"'
expect_json "$DATA/nos4.mtx" numeric_symmetry '"symmetric"' max_rel_asymmetry 0 zero_diagonal 0
expect_json "$DATA/handmade/nan_inf.mtx" nan 1 inf 2 explicit_zeros 1 nnz 5
expect_json "$DATA/handmade/skew4.mtx" nnz 6 stored 3 symmetry '"skew-symmetric"' \
    numeric_symmetry '"skew-symmetric"' zero_diagonal 4
expect_json "$DATA/handmade/dense3x2.mtx" rows 3 cols 2 nnz 5 stored 6 format '"array"' \
    numeric_symmetry null diag_dominant_rows_strict null

# gzip input gives the same answer as the plain file
gzip -c "$DATA/bcsstk06.mtx" >"$TMP/bcsstk06.mtx.gz"
expect_json "$TMP/bcsstk06.mtx.gz" rows 420 nnz 7860 stored 4140 symmetry '"symmetric"'

# the human table
out=$("$BIN" info "$DATA/plat362.mtx") || fail "table: exit status $?"
for want in "nnz (full matrix)        5786" "stored (entry lines)     3074" "size (rows x cols)       362 x 362" \
            "storage symmetry         symmetric" "numerical symmetry       symmetric" "row length" "norm Frobenius"; do
    case "$out" in *"$want"*) ;; *) fail "table lacks '$want': $out" ;; esac
done

# --help documents every option with an example
out=$("$BIN" info --help) || fail "--help: exit status $?"
for want in "--json" "--help" "example" "spartan info tests/data/bfwa62.mtx"; do
    case "$out" in *"$want"*) ;; *) fail "--help lacks '$want'" ;; esac
done

# usage errors: exit 2 with a message on stderr
expect_status2() {
    local what=$1; shift
    "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" -eq 2 ] || fail "$what: exit status $rc, wanted 2"
    [ -s "$TMP/err" ] || fail "$what: no message on stderr"
    [ -s "$TMP/out" ] && fail "$what: unexpected stdout: $(cat "$TMP/out")"
}
expect_status2 "no file" info
expect_status2 "unknown option" info --bogus "$DATA/nos4.mtx"
expect_status2 "two files" info "$DATA/nos4.mtx" "$DATA/bfwa62.mtx"
expect_status2 "missing file" info "$TMP/does-not-exist.mtx"
grep -q "does-not-exist.mtx" "$TMP/err" || fail "missing file: message does not name it: $(cat "$TMP/err")"

# every malformed file: exit 2, "FILE:LINE:" and the expected words
count=0
while IFS=$'\t' read -r name line want; do
    case "$name" in '#'* | '') continue ;; esac
    expect_status2 "bad/$name" info "$DATA/bad/$name" --json
    msg=$(cat "$TMP/err")
    case "$msg" in *"bad/$name:$line: "*) ;; *) fail "bad/$name: no ':$line:' in: $msg" ;; esac
    case "$msg" in *"$want"*) ;; *) fail "bad/$name: no '$want' in: $msg" ;; esac
    count=$((count + 1))
done <"$DATA/bad/expected.tsv"
[ "$count" -ge 30 ] || fail "only $count malformed files checked"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "cli_info: all checks passed ($count malformed files)"
