#!/usr/bin/env bash
# cli_embdim.sh: end-to-end test of `spartan cooc` and `spartan embdim`: the
# planted 4-group log gives k = 4, --json keys and values, plain and gzip logs
# give the same matrix, mtx and binary CSR give the same advice, the plot is
# written, exit 1 for a fallback, exit 2 for every bad-input case.
# usage: cli_embdim.sh SPARTAN_BIN DATA_DIR
set -u
bin=$1
data=$2
. "$(dirname "$0")/lib_cli.sh"
planted="$data/advisor/planted_k4.tsv.gz"
slice="$data/criteo/criteo_train_2000.txt.gz"

# ---- cooc ----
expect_exit 0 "cooc tiny plain" cooc "$data/criteo/tiny.tsv" -o "$tmp/tiny.mtx" --min-count 0
check "mtx symmetric header" grep -q "^%%MatrixMarket matrix coordinate real symmetric" "$tmp/tiny.mtx"
expect_exit 0 "cooc tiny gzip" cooc "$data/criteo/tiny.tsv.gz" -o "$tmp/tinygz.mtx" --min-count 0
check "plain and gzip give the same matrix" cmp -s <(grep -v '^%' "$tmp/tiny.mtx") <(grep -v '^%' "$tmp/tinygz.mtx")
expect_exit 0 "cooc spilling (--memory 1)" cooc "$slice" -o "$tmp/spill.mtx" --min-count 0 --memory 1 --json
check "runs were spilled" grep -qv '"spills": 0,' "$tmp/out"
expect_exit 0 "cooc in memory" cooc "$slice" -o "$tmp/mem.mtx" --min-count 0 --memory 64
check "spilled and in-memory matrices are identical" cmp -s <(grep -v '^%' "$tmp/spill.mtx") <(grep -v '^%' "$tmp/mem.mtx")
check "a budget the ids leave room in: no warning" bash -c "! grep -q warning '$tmp/err'"
expect_exit 0 "cooc 1,000,039 ids in --memory 1" cooc "$slice" -o "$tmp/hb.mtx" --hash-buckets 1000000 --memory 1
check "warns that the ids fill --memory" grep -q "warning: --memory 1 MiB is nearly all taken by the accumulator's arrays for 1000039 ids" "$tmp/err"
expect_exit 0 "cooc --json" cooc "$planted" -o "$tmp/planted.mtx" --min-count 5 --json
for key in n nnz rows bad_lines spills seconds; do check "cooc json key $key" grep -q "\"$key\":" "$tmp/out"; done
check "cooc n = 143" grep -q '"n": 143,' "$tmp/out"
expect_exit 0 "cooc --format csr" cooc "$planted" -o "$tmp/planted.csr" --min-count 5 --format csr \
    --vocab-out "$tmp/planted.vocab" --memory 1 --verbose
check "csr magic" [ "$(head -c 6 "$tmp/planted.csr" | tail -c 5)" = "SPCSR" ]
check "vocab saved" [ -s "$tmp/planted.vocab" ]
check "verbose timings" grep -q "rows/s" "$tmp/err"
expect_exit 0 "cooc with saved vocab" cooc "$planted" -o "$tmp/planted2.mtx" --vocab "$tmp/planted.vocab"
check "saved vocab gives the same matrix" cmp -s <(grep -v '^%' "$tmp/planted.mtx") <(grep -v '^%' "$tmp/planted2.mtx")
expect_exit 0 "cooc hash + log (one pass)" cooc "$slice" -o "$tmp/h.mtx" --hash-buckets 1000 --dense log --weighted --normalize ppmi
check "hash matrix is 1039 x 1039" grep -q "^1039 1039 " "$tmp/h.mtx"
expect_exit 2 "cooc malformed line" cooc "$data/criteo/bad_int.tsv" -o "$tmp/x.mtx" --min-count 0
check "message names file:line and field" grep -q "bad_int.tsv:4: field 4 (I3)" "$tmp/err"
expect_exit 0 "cooc --skip-bad" cooc "$data/criteo/mixed_bad.tsv" -o "$tmp/x.mtx" --min-count 0 --skip-bad
check "skipped count reported" grep -q "skipped 4 malformed" "$tmp/err"
expect_exit 2 "cooc no -o" cooc "$planted"
expect_exit 2 "cooc bad --format" cooc "$planted" -o "$tmp/x" --format npy
expect_exit 2 "cooc bad --normalize" cooc "$planted" -o "$tmp/x" --normalize l2
expect_exit 2 "cooc bad --min-count" cooc "$planted" -o "$tmp/x" --min-count -1
expect_exit 2 "cooc matrix input" cooc "$tmp/planted.mtx" -o "$tmp/x"
expect_exit 2 "cooc missing file" cooc "$tmp/none.tsv" -o "$tmp/x"
expect_exit 0 "cooc --help" cooc --help

# ---- cooc --input-format libsvm: ids as written, against a count by awk ----
svm="$tmp/tiny_dup.svm" # the reader test's file, and a row that repeats ids
# Brute force: every pair of distinct ids in a row (diagonal included), as
# "i+1 j+1 value" with i >= j; values summed as w_i w_j (duplicates in a row
# summed first), or rows counted.
brute_svm() { # brute_svm FILE counts|weighted
    awk -v mode="$2" '
    { sub(/#.*/, "") }
    NF == 0 { next }
    { delete w; n = 0
      for (t = 2; t <= NF; t++) { split($t, p, ":"); if (!(p[1] in w)) ids[++n] = p[1]; w[p[1]] += p[2] }
      for (a = 1; a <= n; a++) for (b = 1; b <= n; b++) {
          i = ids[a] + 0; j = ids[b] + 0
          if (i < j) continue
          c[(i + 1) " " (j + 1)] += (mode == "counts") ? 1 : w[ids[a]] * w[ids[b]] } }
    END { for (k in c) if (c[k] != 0) print k, c[k] }' "$1" | sort -k1,1n -k2,2n
}
same_entries() { # same_entries MTX EXPECTED: the same (i, j) and values to 1e-12 relative
    awk 'NR == FNR { want[$1 " " $2] = $3; next }
         /^%/ || !seen++ { next }
         { k = $1 " " $2; if (!(k in want)) exit 1
           d = $3 - want[k]; if (d < 0) d = -d; m = want[k] < 0 ? -want[k] : want[k]
           if (d > 1e-12 * m) exit 1; got++ }
         END { exit got == length(want) ? 0 : 1 }' "$2" "$1"
}
{ cat "$data/criteo/tiny.svm"; printf '1 4:2 9:1 4:0.5 0:3\n'; } >"$svm"
brute_svm "$svm" counts >"$tmp/svm_counts.txt"
brute_svm "$svm" weighted >"$tmp/svm_weighted.txt"
expect_exit 0 "cooc libsvm counts" cooc "$svm" --input-format libsvm --diagonal -o "$tmp/svm.mtx"
check "libsvm counts equal a count by awk, entry by entry" same_entries "$tmp/svm.mtx" "$tmp/svm_counts.txt"
check "libsvm order is the largest id + 1" grep -q "^13 13 " "$tmp/svm.mtx"
expect_exit 0 "cooc libsvm weighted" cooc "$svm" --input-format libsvm --diagonal --weighted -o "$tmp/svmw.mtx"
check "libsvm weighted sums equal awk's, entry by entry" same_entries "$tmp/svmw.mtx" "$tmp/svm_weighted.txt"
gzip -c "$svm" >"$tmp/tiny.svm.gz"
expect_exit 0 "cooc libsvm gzip" cooc "$tmp/tiny.svm.gz" --input-format libsvm --diagonal -o "$tmp/svmgz.mtx"
check "libsvm plain and gzip give the same matrix" cmp -s <(grep -v '^%' "$tmp/svm.mtx") <(grep -v '^%' "$tmp/svmgz.mtx")
expect_exit 2 "cooc libsvm malformed pair" cooc "$data/criteo/bad.svm" --input-format libsvm -o "$tmp/x.mtx"
check "libsvm message names file:line and token" grep -q "bad.svm:2: '3:x' is not an id:value pair" "$tmp/err"
expect_exit 0 "cooc libsvm --skip-bad" cooc "$data/criteo/bad.svm" --input-format libsvm --skip-bad -o "$tmp/x.mtx"
check "libsvm skipped count reported" grep -q "skipped 1 malformed" "$tmp/err"
expect_exit 2 "cooc libsvm with --min-count" cooc "$svm" --input-format libsvm --min-count 5 -o "$tmp/x.mtx"
check "says --min-count makes Criteo ids" grep -q -- "--min-count makes Criteo ids" "$tmp/err"
expect_exit 2 "cooc libsvm with --hash-buckets" cooc "$svm" --input-format libsvm --hash-buckets 9 -o "$tmp/x.mtx"
printf '1\n0\n' >"$tmp/noids.svm"
expect_exit 2 "cooc libsvm without any pair" cooc "$tmp/noids.svm" --input-format libsvm -o "$tmp/x.mtx"
check "says there is no id:value pair" grep -q "no id:value pair in 2 row(s)" "$tmp/err"
expect_exit 2 "cooc bad --input-format" cooc "$svm" --input-format svm -o "$tmp/x.mtx"
# ids up to 2^31 - 2 would need about 90 GiB of arrays: refused at once (not
# killed by the system later). Checked on machines with less memory than that.
mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
if [ "${mem_kib:-0}" -gt 0 ] && [ "$mem_kib" -lt $((80 << 20)) ]; then
    printf '1 2147483646:1 5:1\n0 5:1 7:1\n' >"$tmp/huge.svm"
    expect_exit 2 "cooc libsvm with a huge id" cooc "$tmp/huge.svm" --input-format libsvm -o "$tmp/x.mtx"
    check "says to renumber sparse ids" grep -q "more than this machine's .* renumber sparse ids" "$tmp/err"
    expect_exit 2 "cooc with 2^31 - 100 hash buckets" cooc "$data/criteo/tiny.tsv" --hash-buckets 2147483500 \
        -o "$tmp/x.mtx"
    check "says to use fewer buckets" grep -q "use fewer --hash-buckets" "$tmp/err"
    expect_exit 2 "cooc --memory above the machine's" cooc "$data/criteo/tiny.tsv" --memory 200000 -o "$tmp/x.mtx"
    check "says --memory is more than the machine has" grep -q "is more than this machine's" "$tmp/err"
fi
expect_exit 0 "embdim planted libsvm" embdim "$data/advisor/planted_k4.svm.gz" --input-format libsvm \
    --candidates 2,3,4,5,6,8 --json
check "libsvm planted log: recommends 4" grep -q '"recommended": 4,' "$tmp/out"
check "libsvm planted log: n = 1405" grep -q '"n": 1405,' "$tmp/out"
expect_exit 2 "embdim --train on a libsvm log" embdim "$data/advisor/planted_k4.svm.gz" --input-format libsvm \
    --candidates 4 --train --epochs 1
check "says --train needs Criteo rows" grep -q "train trains Wide & Deep on Criteo rows" "$tmp/err"

# ---- embdim: planted k = 4 ----
expect_exit 0 "embdim planted json" embdim "$planted" --min-count 5 --candidates 2,3,4,5,6,8 --json \
    --plot "$tmp/conv.svg"
for key in n nnz candidates k converged restarts matvecs residual gap captured recommended reason; do
    check "json key $key" grep -q "\"$key\":" "$tmp/out"
done
check "recommends 4" grep -q '"recommended": 4,' "$tmp/out"
check "json is one line" [ "$(wc -l <"$tmp/out")" -eq 1 ]
if command -v python3 >/dev/null; then
    check "json values consistent" python3 -c "
import json; d = json.load(open('$tmp/out'))
c = d['candidates']; caps = [x['captured'] for x in c]
assert d['n'] == 143 and [x['k'] for x in c] == [2, 3, 4, 5, 6, 8]
assert all(0 <= v <= 1 for v in caps) and all(a <= b + 1e-12 for a, b in zip(caps, caps[1:]))
assert all(x['gap'] is None or 0 <= x['gap'] <= 1 for x in c)
assert all(x['residual'] <= 1e-7 for x in c if x['converged'])"
fi
check "plot is svg with one line per k" grep -q "k = 4" "$tmp/conv.svg"
expect_exit 0 "embdim on the mtx" embdim "$tmp/planted.mtx" --candidates 2,3,4,5,6,8
check "table recommends 4" grep -q "^recommended k = 4:" "$tmp/out"
expect_exit 0 "embdim on binary csr" embdim "$tmp/planted.csr" --candidates 2,3,4,5,6,8 --nested 3k,4k
check "csr recommends 4" grep -q "^recommended k = 4:" "$tmp/out"
expect_exit 0 "large candidates skipped" embdim "$tmp/planted.mtx" --candidates 4,200
check "skip note" grep -q "skipped: k = 200 > n - 2 = 141" "$tmp/out"
expect_exit 1 "share unreachable: fallback" embdim "$tmp/planted.mtx" --candidates 2,3 --min-captured 0.99 --json
check "json rule_met false" grep -q '"rule_met": false' "$tmp/out"
expect_exit 0 "criteo slice end to end" embdim "$slice" --min-count 5 --candidates 4,8,16 --tol 1e-8
check "slice table" grep -q "co-occurrence of 2000 rows" "$tmp/out"

# ---- embdim: bad input ----
expect_exit 2 "all candidates too large" embdim "$tmp/planted.mtx" --candidates 142,500
check "says n - 2" grep -q "every candidate exceeds n - 2 = 141" "$tmp/err"
expect_exit 2 "duplicate candidate" embdim "$tmp/planted.mtx" --candidates 4,4
expect_exit 2 "bad candidate list" embdim "$tmp/planted.mtx" --candidates 4,x
expect_exit 2 "candidate 0" embdim "$tmp/planted.mtx" --candidates 0,4
expect_exit 2 "mixed nested" embdim "$tmp/planted.mtx" --candidates 4 --nested 2k,30
expect_exit 2 "bad tol" embdim "$tmp/planted.mtx" --tol abc
expect_exit 2 "bad max-restarts" embdim "$tmp/planted.mtx" --max-restarts 0
expect_exit 2 "min-captured > 1" embdim "$tmp/planted.mtx" --min-captured 2
expect_exit 2 "log option on a matrix" embdim "$tmp/planted.mtx" --min-count 5
expect_exit 2 "no DATA" embdim --candidates 4
expect_exit 2 "missing file" embdim "$tmp/none.mtx"
expect_exit 2 "unknown option" embdim "$tmp/planted.mtx" --frobnicate
printf '%%%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 1.0\n3 3 1.0\n' >"$tmp/ns.mtx"
expect_exit 2 "nonsymmetric matrix" embdim "$tmp/ns.mtx" --candidates 1
check "says not symmetric" grep -q "not symmetric" "$tmp/err"
printf '%%%%MatrixMarket matrix coordinate real general\n3 4 1\n1 1 1.0\n' >"$tmp/rect.mtx"
expect_exit 2 "non-square" embdim "$tmp/rect.mtx" --candidates 1
expect_exit 2 "malformed log" embdim "$data/criteo/bad_hex.tsv" --min-count 0 --candidates 1
expect_exit 0 "embdim --help" embdim --help

# ---- embdim --train: advisor, then a sweep over the kept dimensions ----
expect_exit 0 "embdim --train" embdim "$slice" --min-count 5 --candidates 4,8 --train --epochs 1 --batch 500 --deep 16
check "sweep table has a row per kept dimension" test "$(awk '/^# sweep/{s=1;next} s && $1 ~ /^[0-9]+$/' "$tmp/out" | wc -l)" -eq 2
check "sweep progress on stderr" grep -q "^sweep: emb_dim 4 done" "$tmp/err"
expect_exit 2 "--train on a matrix file" embdim "$tmp/planted.mtx" --candidates 2 --train --epochs 1
expect_exit 2 "--train with a bad sweep option" embdim "$slice" --min-count 5 --candidates 4 --train --emb-dims 4

finish
