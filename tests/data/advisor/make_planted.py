#!/usr/bin/env python3
"""make_planted.py: synthetic Criteo-format click logs with a planted k-factor
structure, for the embedding-dimension advisor tests (tests/test_advisor.c,
tests/cli_embdim.sh). Deterministic: the same seed writes the same bytes
(only random.Random.random() is used; gzip with mtime 0).

Each row picks a latent group g with probability p[g]; every categorical
field f then takes the group's own value hash(g, f) with probability 1 - eps,
otherwise a noise value drawn from a pool of 5000 per field (each noise value
is seen a handful of times, so --min-count 5 maps them to the field's
out-of-vocabulary id). Integer fields are left empty (missing), the label is
1 with probability 0.25. So the co-occurrence matrix with its diagonal is
close to sum_g N p_g (1 - eps)^2 u_g u_g^T (u_g the indicator of group g's 26
ids): rank k plus noise, with distinct top eigenvalues because the p_g differ.

usage: python3 make_planted.py [OUT_DIR]   (writes planted_k4.tsv.gz and planted_k4.svm.gz)
"""
import gzip
import os
import random
import sys


def hex8(x):
    return "%08x" % (x & 0xFFFFFFFF)


def planted_rows(probs, rows, eps, seed, noise, group_value, line):
    """rows lines: each picks a latent group g (probabilities probs) and a
    label (1 with probability 0.25); field f takes group_value(g, f), or
    with probability eps noise(f, u) for a uniform u; line(label, values)."""
    rng = random.Random(seed)
    cum, acc = [], 0.0
    for p in probs:
        acc += p
        cum.append(acc)
    lines = []
    for _ in range(rows):
        u = rng.random()
        g = next(i for i, c in enumerate(cum) if u < c or i == len(cum) - 1)
        label = "1" if rng.random() < 0.25 else "0"
        values = []
        for f in range(26):
            if rng.random() < eps:
                values.append(noise(f, rng.random()))
            else:
                values.append(group_value(g, f))
        lines.append(line(label, values))
    return lines


def write_gz(path, lines):
    with open(path, "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
            gz.write("".join(lines).encode())


def make(path, probs, rows, eps, seed):
    write_gz(path, planted_rows(
        probs, rows, eps, seed,
        lambda f, u: hex8(0x80000000 + f * 65536 + int(u * 5000)),
        lambda g, f: hex8(0x10000000 * (g + 1) + f * 257 + 17),
        lambda label, cats: "\t".join([label] + [""] * 13 + cats) + "\n"))


def make_libsvm(path, probs, rows, eps, seed):
    """The same structure as libsvm lines "label id:1 ...": field f of group g
    is id 1 + 26 g + f, a noise value of field f one of 50 ids from
    105 + 50 f (each seen about 4 times); ids ascending in a line."""
    write_gz(path, planted_rows(
        probs, rows, eps, seed,
        lambda f, u: 105 + 50 * f + int(u * 50),
        lambda g, f: 1 + 26 * g + f,
        lambda label, ids: " ".join([label] + ["%d:1" % i for i in sorted(ids)]) + "\n"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    make(os.path.join(out, "planted_k4.tsv.gz"), [0.31, 0.26, 0.23, 0.20], 2000, 0.1, 20261123)
    make_libsvm(os.path.join(out, "planted_k4.svm.gz"), [0.31, 0.26, 0.23, 0.20], 2000, 0.1,
                20261206)


if __name__ == "__main__":
    main()
