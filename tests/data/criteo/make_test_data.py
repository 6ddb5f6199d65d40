#!/usr/bin/env python3
"""Regenerate the small Criteo-format test files in this directory.

tiny.tsv (+ .gz, _nolabel.tsv), the malformed-line cases bad_*.tsv,
mixed_bad.tsv, tiny.svm, deepctr_head.csv and criteo_train_2000.txt.gz
(first 2000 rows of ../../../../shared/data/criteo/criteo_train_8000.txt).
Run from this directory: python3 make_test_data.py [SHARED_DATA_DIR]
"""
import gzip
import sys

SHARED = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared/data"

F = "0000000f"
# (label, I1..I13, C1..C26); '' = missing. Counts are listed in README.md.
ROWS = [
    ("0", ["1", "-1", "", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2"], ["aaaaaaaa", "11111111", "deadbeef"]),
    ("1", ["5", "0", "3", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2"], ["aaaaaaaa", "11111111", "DEADBEEF"]),
    ("0", ["", "7", "3", "2", "2", "2", "2", "2", "2", "2", "2", "2", ""], ["bbbbbbbb", "22222222", ""]),
    ("1", ["10", "7", "", "2", "2", "2", "2", "2", "2", "2", "2", "2", "4"], ["aaaaaaaa", "22222222", "deadbeef"]),
    ("0", ["-3", "7", "1", "", "2", "2", "2", "2", "2", "2", "2", "2", "4"], ["", "11111111", "cafef00d"]),
    ("0", ["2", "100", "1", "2", "2", "2", "2", "2", "2", "2", "2", "2", "4"], ["aaaaaaaa", "11111111", "deadbeef"]),
    ("1", ["", "7", "1", "2", "2", "2", "2", "2", "2", "2", "2", "2", "4"], ["bbbbbbbb", "22222222", "cafef00d"]),
    ("0", ["0", "7", "1", "2", "2", "2", "2", "2", "2", "2", "2", "2", "4"], ["aaaaaaaa", "33333333", ""]),
]


def tiny_lines(with_label=True):
    out = []
    for k, (label, ints, cats) in enumerate(ROWS):
        c = cats + [F] * 23
        if k == 7:
            c[25] = ""  # C26 missing in the last row
        fields = ([label] if with_label else []) + ints + c
        out.append("\t".join(fields))
    return out


def write(name, lines, ending="\n", last_newline=True):
    text = ending.join(lines) + (ending if last_newline else "")
    with open(name, "w", newline="") as f:
        f.write(text)


def main():
    lines = tiny_lines()
    # line 4 ends in CRLF, the last line has no newline: both must parse
    text = "\n".join(lines[:3]) + "\n" + lines[3] + "\r\n" + "\n".join(lines[4:])
    with open("tiny.tsv", "w", newline="") as f:
        f.write(text)
    with open("tiny.tsv", "rb") as f, gzip.GzipFile("tiny.tsv.gz", "wb", mtime=0) as g:
        g.write(f.read())
    write("tiny_nolabel.tsv", tiny_lines(False))
    good = lines[0]
    fields = good.split("\t")

    def with_field(i, value):
        f = list(fields)
        f[i] = value
        return "\t".join(f)

    cases = {
        "bad_short.tsv": [good, good, "\t".join(fields[:-1])],          # 39 fields, line 3
        "bad_long.tsv": [good, good + "\t0000000f"],                      # 41 fields, line 2
        "bad_int.tsv": [good, good, good, with_field(3, "x7")],          # I3, line 4
        "bad_int_float.tsv": [good, with_field(1, "1.5")],               # I1 in TSV, line 2
        "bad_hex.tsv": [good, good, with_field(16, "deadbeeg")],         # C3, line 3
        "bad_hex_len.tsv": [with_field(14, "abc")],                      # C1, line 1
        "bad_label.tsv": [good, with_field(0, "2")],                     # label, line 2
        "bad_empty_line.tsv": [good, "", good],                          # line 2
        "bad_spaces.tsv": [good.replace("\t", " ")],                     # 1 field, line 1
    }
    for name, ls in cases.items():
        write(name, ls)
    mixed = [good, with_field(3, "x7"), good, "\t".join(fields[:-1]), good,
             with_field(0, "2"), good, good, with_field(20, "zz"), good]
    write("mixed_bad.tsv", mixed)  # 10 lines, bad at 2, 4, 6, 9
    write("tiny.svm", ["1 3:1 7:0.5 12:2", "# a comment line", "-1 0:1 3:1",
                       "+1 7:1 3:-2.5 # trailing comment", "", "0 12:1"])
    write("bad.svm", ["1 3:1", "1 3:x", "1 2:1"])  # line 2
    with open(SHARED + "/criteo/deepctr_criteo_sample.csv") as f:
        head = f.read().split("\n")[:21]
    write("deepctr_head.csv", head)
    with open(SHARED + "/criteo/criteo_train_8000.txt", "rb") as f:
        data = f.read().split(b"\n")[:2000]
    with gzip.GzipFile("criteo_train_2000.txt.gz", "wb", compresslevel=9, mtime=0) as g:
        g.write(b"\n".join(data) + b"\n")
    # the whole 8000-row sample, for `make demo` (advisor then training)
    with open(SHARED + "/criteo/criteo_train_8000.txt", "rb") as f, \
            gzip.GzipFile("criteo_train_8000.txt.gz", "wb", compresslevel=9, mtime=0) as g:
        g.write(f.read())


if __name__ == "__main__":
    main()
