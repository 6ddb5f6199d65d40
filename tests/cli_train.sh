#!/usr/bin/env bash
# cli_train.sh: end-to-end tests of `spartan train`, `spartan predict` and
# `spartan sweep` (run by CTest as `bash cli_train.sh SPARTAN_BIN DATA_DIR`):
# train Wide & Deep on the shipped Criteo slice, --json keys, checkpoint,
# history and plot files, predict (one probability per row, input order,
# labelled and unlabelled input), resume, the MLP on CSV and on IDX (MNIST),
# and bad input (labels outside {0,1}, vocabulary mismatch, checkpoint of
# another shape, NaN/inf loss, bad IDX files, usage errors) giving exit
# status 2 with a message.
set -u
BIN=$1
DATA=$2
failures=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
CRITEO=$DATA/criteo/criteo_train_2000.txt.gz
SMALL=(--emb-dim 4 --deep 16,8 --batch 200 --min-count 4 --lr-deep 3e-3 --threads 2)

# expect_fail STATUS PATTERN CMD...: exit status and a stderr message matching PATTERN
expect_fail() {
    local want=$1 pat=$2; shift 2
    "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "$*: exit $got, expected $want ($(cat "$TMP/err"))"
    grep -q -- "$pat" "$TMP/err" || fail "$*: stderr lacks '$pat': $(cat "$TMP/err")"
}

# ---- train, table and files
if ! "$BIN" train widedeep "$CRITEO" "${SMALL[@]}" --epochs 2 -o "$TMP/m.st" \
        --history "$TMP/h.csv" --plot "$TMP/p.svg" >"$TMP/table" 2>"$TMP/err"; then
    fail "train widedeep: $(cat "$TMP/err")"
fi
grep -q "epoch  accuracy  wide_loss  deep_loss" "$TMP/table" || fail "table header: $(cat "$TMP/table")"
[ "$(grep -c '^ *[12]  ' "$TMP/table")" -eq 2 ] || fail "table rows: $(cat "$TMP/table")"
[ "$(wc -l <"$TMP/h.csv")" -eq 3 ] || fail "history lines"
head -1 "$TMP/h.csv" | grep -q "^epoch,step,train_loss" || fail "history header"
grep -q "<svg" "$TMP/p.svg" || fail "plot is not SVG"
[ -s "$TMP/m.st" ] || fail "no checkpoint"
ls "$TMP" | grep -q tmp && fail "temp files left behind"

# ---- --json: keys and values
"$BIN" train widedeep "$CRITEO" "${SMALL[@]}" --epochs 1 --json -o "$TMP/j.st" >"$TMP/j.json" 2>"$TMP/err" \
    || fail "train --json: $(cat "$TMP/err")"
/usr/bin/env python3 - "$TMP/j.json" "$TMP/j.st" <<'EOF' || fail "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["model"] == sys.argv[2], d["model"]
assert d["train_rows"] == 1800 and d["valid_rows"] == 200, d
e = d["epochs"]
assert len(e) == 1
for k in ("epoch", "train_loss", "valid_logloss", "valid_auc", "valid_accuracy", "seconds", "samples_per_s"):
    assert k in e[0], k
assert 0 < e[0]["valid_auc"] < 1 and e[0]["valid_logloss"] < 0.7, e[0]
EOF

# ---- predict: one probability per row, in order; labelled and unlabelled input agree
"$BIN" predict "$TMP/m.st" "$CRITEO" -o "$TMP/pred" 2>"$TMP/err" || fail "predict: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/pred")" -eq 2000 ] || fail "predict lines: $(wc -l <"$TMP/pred")"
awk '$1 < 0 || $1 > 1 || NF != 1 { bad = 1 } END { exit bad }' "$TMP/pred" || fail "probabilities out of [0, 1]"
zcat "$CRITEO" | head -50 | cut -f2- >"$TMP/nolabel.tsv"
"$BIN" predict "$TMP/m.st" "$TMP/nolabel.tsv" >"$TMP/pred2" 2>"$TMP/err" || fail "predict unlabelled: $(cat "$TMP/err")"
head -50 "$TMP/pred" | cmp -s - "$TMP/pred2" || fail "unlabelled rows predict differently"
# reversed input gives reversed output (input order kept)
zcat "$CRITEO" | head -50 | tac >"$TMP/rev.tsv"
"$BIN" predict "$TMP/m.st" "$TMP/rev.tsv" | tac | cmp -s - "$TMP/pred2" || fail "order not kept"

# ---- resume: 1 + 1 epochs equal 2 epochs
"$BIN" train widedeep "$CRITEO" "${SMALL[@]}" --epochs 1 -o "$TMP/r.st" >/dev/null 2>&1 || fail "train 1 epoch"
"$BIN" train widedeep "$CRITEO" "${SMALL[@]}" --epochs 2 --resume "$TMP/r.st" -o "$TMP/r.st" --json >"$TMP/r.json" 2>"$TMP/err" \
    || fail "resume: $(cat "$TMP/err")"
"$BIN" predict "$TMP/r.st" "$CRITEO" | cmp -s - "$TMP/pred" || fail "resumed model predicts differently"

# ---- separate validation file
"$BIN" train widedeep "$CRITEO" "${SMALL[@]}" --epochs 1 --valid "$DATA/criteo/tiny.tsv" --json >"$TMP/v.json" 2>"$TMP/err" \
    || fail "--valid: $(cat "$TMP/err")"
grep -q '"train_rows": 2000, "valid_rows": 8' "$TMP/v.json" || fail "--valid rows: $(cat "$TMP/v.json")"

# ---- sweep
"$BIN" sweep "$CRITEO" --emb-dims 2,4 --deep 8 --batch 300 --epochs 1 --min-count 4 --plot "$TMP/s.svg" \
    >"$TMP/sweep" 2>"$TMP/err" || fail "sweep: $(cat "$TMP/err")"
[ "$(grep -c '^ *[24]  ' "$TMP/sweep")" -eq 2 ] || fail "sweep table: $(cat "$TMP/sweep")"
grep -q "emb_dim 4" "$TMP/s.svg" || fail "sweep plot legend"

# ---- mlp on CSV
awk 'BEGIN { srand(3); for (i = 0; i < 300; i++) { k = i % 3; printf "%.3f,%.3f,%d\n", k * 4 + rand(), rand(), k } }' >"$TMP/blobs.csv"
"$BIN" train mlp "$TMP/blobs.csv" --hidden 8 --epochs 30 --lr 0.01 --json -o "$TMP/mlp.st" >"$TMP/mlp.json" 2>"$TMP/err" \
    || fail "train mlp: $(cat "$TMP/err")"
grep -q '"model_type": "mlp"' "$TMP/mlp.json" || fail "mlp json"
"$BIN" predict "$TMP/mlp.st" "$TMP/blobs.csv" >"$TMP/mlp.pred" 2>"$TMP/err" || fail "predict mlp: $(cat "$TMP/err")"
paste -d, "$TMP/blobs.csv" "$TMP/mlp.pred" | awk -F, '$3 == $4 { ok++ } END { exit !(ok >= 270) }' \
    || fail "mlp predictions: fewer than 90% right"

# ---- mlp on IDX (MNIST: the first 1000 t10k images, tests/data/mnist/README.md)
IMG=$DATA/mnist/t10k-images-1000-idx3-ubyte.gz
LAB=$DATA/mnist/t10k-labels-1000-idx1-ubyte.gz
"$BIN" train mlp --images "$IMG" --labels "$LAB" --hidden 64 --epochs 4 --lr 3e-3 --batch 32 --threads 2 \
    -o "$TMP/mnist.st" --plot "$TMP/mnist.svg" >"$TMP/mnist.table" 2>"$TMP/err" || fail "train mlp idx: $(cat "$TMP/err")"
grep -q "800 train rows, 200 validation rows, 784 features, 10 classes" "$TMP/mnist.table" || fail "mlp idx header: $(cat "$TMP/mnist.table")"
# held-out accuracy after 4 epochs (seen: 0.885); a 10-class guess is 0.1
awk '$1 == 4 { exit !($2 >= 0.80) }' "$TMP/mnist.table" || fail "mlp idx accuracy: $(cat "$TMP/mnist.table")"
grep -q "valid accuracy" "$TMP/mnist.svg" || fail "mlp plot legend"
# DATA may be the images file when --labels is given: same run, same table
"$BIN" train mlp "$IMG" --labels "$LAB" --hidden 64 --epochs 4 --lr 3e-3 --batch 32 --threads 2 >"$TMP/mnist2.table" 2>&1
diff <(cut -c1-50 "$TMP/mnist.table") <(cut -c1-50 "$TMP/mnist2.table") >/dev/null || fail "DATA + --labels differs from --images"
"$BIN" predict "$TMP/mnist.st" "$IMG" >"$TMP/mnist.pred" 2>"$TMP/err" || fail "predict idx: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/mnist.pred")" -eq 1000 ] || fail "predict idx lines"
[ "$(head -1 "$TMP/mnist.pred")" = 7 ] || fail "the first t10k digit (a 7) predicted as $(head -1 "$TMP/mnist.pred")"
expect_fail 2 "needs --labels" train mlp --images "$IMG"
expect_fail 2 "give its labels with --labels" train mlp "$IMG"
expect_fail 2 "1000 items but .* 10000 labels" train mlp --images "$IMG" --labels "$DATA/mnist/t10k-labels-idx1-ubyte.gz"
expect_fail 2 "not an IDX file" train mlp --images "$DATA/criteo/tiny.tsv" --labels "$LAB"

# ---- bad input: exit 2 with a clear message
expect_fail 2 "not 0 or 1" train widedeep "$DATA/criteo/bad_label.tsv" --min-count 0 --emb-dim 2 --deep 4 --batch 4
expect_fail 2 "another shape" train widedeep "$CRITEO" --emb-dim 8 --deep 4 --batch 4 --resume "$TMP/m.st"
# a vocabulary built from other data: the data's values are (almost) all unknown
"$BIN" train widedeep "$DATA/criteo/tiny.tsv" --epochs 0 --min-count 0 --emb-dim 2 --deep 4 --batch 4 \
    --save-vocab "$TMP/tiny.vocab" >/dev/null 2>&1 || fail "--save-vocab"
expect_fail 2 "does not match" train widedeep "$CRITEO" --vocab "$TMP/tiny.vocab" --emb-dim 2 --deep 4 --batch 100
expect_fail 2 "step [0-9]*: .*deep\." train widedeep "$CRITEO" "${SMALL[@]}" --epochs 1 --lr-deep 1e30
expect_fail 2 "not a safetensors file" predict "$DATA/criteo/tiny.tsv" "$CRITEO"
expect_fail 2 "unknown option" train widedeep "$CRITEO" --bogus
expect_fail 2 "is not an integer" train widedeep "$CRITEO" --emb-dim x
expect_fail 2 "cannot open" train widedeep "$TMP/missing.tsv"
expect_fail 2 "usage" train
expect_fail 2 "need MODEL and DATA" predict "$TMP/m.st"

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "cli_train: all passed"
