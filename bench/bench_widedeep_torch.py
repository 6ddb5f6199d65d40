#!/usr/bin/python3
"""bench_widedeep_torch.py: the PyTorch peer of `spartan train widedeep`.

Trains the same Wide & Deep as spartan (same mapped data and split, read from
`spartan train widedeep --export-data`; same initial weights, read from a
spartan checkpoint written with --epochs 0; same layer sizes, batch, epochs,
optimizers: FTRL-proximal on the wide part, lazy Adam (SparseAdam) on the
embedding table with L2 on the touched rows, Adam on the MLP; by default the
same batch order too, from spartan's generator and seed) and prints one
JSON object: samples/s (training time only), final validation AUC and logloss,
peak RSS. Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import argparse
import json
import resource
import struct
import sys
import time

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8}


def read_safetensors(path):
    """Tensors (numpy arrays) and metadata of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = memoryview(blob)[8 + n:]
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=DTYPES[t["dtype"]]).reshape(t["shape"]).copy()
    return out, meta


class WideDeep(torch.nn.Module):
    def __init__(self, n_ids, fields, emb_dim, deep):
        super().__init__()
        self.wide = torch.nn.Embedding(n_ids, 1, sparse=True)
        self.wide_bias = torch.nn.Parameter(torch.zeros(1))
        self.emb = torch.nn.Embedding(n_ids, emb_dim, sparse=True)
        sizes = [fields * emb_dim] + deep + [1]
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i + 2 < len(sizes):
                layers.append(torch.nn.ReLU())
        self.mlp = torch.nn.Sequential(*layers)

    def forward(self, ids, w):
        wide = (self.wide(ids).squeeze(-1) * w).sum(1) + self.wide_bias
        x = (self.emb(ids) * w.unsqueeze(-1)).reshape(ids.shape[0], -1)
        return wide + self.mlp(x).squeeze(-1)

    def load_spartan(self, t):
        with torch.no_grad():
            self.wide.weight.copy_(torch.from_numpy(t["wide.weight"]))
            self.wide_bias.copy_(torch.from_numpy(t["wide.bias"].reshape(1)))
            self.emb.weight.copy_(torch.from_numpy(t["deep.embedding"]))
            linears = [m for m in self.mlp if isinstance(m, torch.nn.Linear)]
            for l, lin in enumerate(linears):
                lin.weight.copy_(torch.from_numpy(t["deep.%d.weight" % l]))
                lin.bias.copy_(torch.from_numpy(t["deep.%d.bias" % l].reshape(-1)))


class Ftrl:
    """FTRL-proximal (McMahan et al. 2013), per coordinate, on sparse rows or dense tensors."""

    def __init__(self, alpha, beta, l1, l2, acc0):
        self.alpha, self.beta, self.l1, self.l2, self.acc0 = alpha, beta, l1, l2, acc0
        self.state = {}

    def _update(self, w, g, z, n):
        n_new = n + g * g
        sigma = (n_new.sqrt() - n.sqrt()) / self.alpha
        z = z + g - sigma * w
        w_new = -(z - z.sign() * self.l1) / ((self.beta + n_new.sqrt()) / self.alpha + self.l2)
        w_new = torch.where(z.abs() <= self.l1, torch.zeros_like(w_new), w_new)
        return w_new, z, n_new

    @torch.no_grad()
    def step(self, p):
        if p not in self.state:
            self.state[p] = (torch.zeros_like(p), torch.full_like(p, self.acc0))
        z, n = self.state[p]
        g = p.grad
        if g.is_sparse:
            g = g.coalesce()
            rows, vals = g.indices()[0], g.values()
            w_new, z_new, n_new = self._update(p[rows], vals, z[rows], n[rows])
            p[rows], z[rows], n[rows] = w_new, z_new, n_new
        else:
            w_new, z_new, n_new = self._update(p, g, z, n)
            p.copy_(w_new)
            z.copy_(z_new)
            n.copy_(n_new)


M64 = (1 << 64) - 1


class SpartanRng:
    """spartan's generator (src/core/rng.c): xoshiro256** seeded by splitmix64."""

    def __init__(self, seed):
        sm, self.s = seed & M64, []
        for _ in range(4):
            sm = (sm + 0x9E3779B97F4A7C15) & M64
            z = sm
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    def u64(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound):
        threshold = ((1 << 64) - bound) % bound
        while True:
            r = self.u64()
            if r >= threshold:
                return r % bound


def spartan_permutation(n, seed, epoch):
    """The batch order of spartan's epoch `epoch` (src/nn/trainer.c: epoch_permutation)."""
    rng = SpartanRng((seed * 0x9E3779B97F4A7C15 + 1 * 0xD1B54A32D192ED03 +
                      epoch * 0xAEF17502108EF2D9) & M64)
    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return torch.tensor(perm, dtype=torch.int64)


def auc_exact(score, label):
    """P(score of a positive > score of a negative), ties one half (rank sum)."""
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        ranks[i:j] = 0.5 * (i + 1 + j)
        i = j
    pos = label[order] > 0.5
    npos, nneg = pos.sum(), len(s) - pos.sum()
    return float((ranks[pos].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1, help="shuffle seed with --order torch")
    ap.add_argument("--order", choices=("spartan", "torch"), default="spartan",
                    help="batch order: spartan's (same seed, same batches) or torch.randperm")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    d, _ = read_safetensors(a.data)
    init, meta = read_safetensors(a.init)
    deep = [int(x) for x in meta["deep"].split(",")]
    emb_dim, n_ids, fields = int(meta["emb_dim"]), int(meta["n_ids"]), int(meta["fields"])
    wide_opt, deep_opt = meta["wide_optimizer"].split(), meta["deep_optimizer"].split()
    l2 = float(meta["l2_emb"])
    model = WideDeep(n_ids, fields, emb_dim, deep)
    model.load_spartan(init)
    ftrl = Ftrl(float(wide_opt[1]), float(wide_opt[7]), float(wide_opt[8]), float(wide_opt[9]),
                float(wide_opt[10]))
    lr, b1, b2, eps = float(deep_opt[1]), float(deep_opt[4]), float(deep_opt[5]), float(deep_opt[6])
    adam = torch.optim.Adam(model.mlp.parameters(), lr=lr, betas=(b1, b2), eps=eps)
    sparse_adam = torch.optim.SparseAdam([model.emb.weight], lr=lr, betas=(b1, b2), eps=eps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    tr_ids = torch.from_numpy(d["train.ids"].astype(np.int64))
    tr_w, tr_y = torch.from_numpy(d["train.weights"]), torch.from_numpy(d["train.labels"])
    va_ids = torch.from_numpy(d["valid.ids"].astype(np.int64))
    va_w, va_y = torch.from_numpy(d["valid.weights"]), d["valid.labels"]
    n = tr_ids.shape[0]
    gen = torch.Generator().manual_seed(a.seed)
    epochs, train_seconds = [], 0.0
    for epoch in range(1, a.epochs + 1):
        if a.order == "spartan":
            perm = spartan_permutation(n, int(meta["seed"]), epoch)
        else:
            perm = torch.randperm(n, generator=gen)
        t0, loss_sum = time.perf_counter(), 0.0  # the permutation is not timed
        for r0 in range(0, n, a.batch):
            idx = perm[r0:r0 + a.batch]
            ids, w, y = tr_ids[idx], tr_w[idx], tr_y[idx]
            logit = model(ids, w)
            loss = loss_fn(logit, y)
            adam.zero_grad(set_to_none=True)
            sparse_adam.zero_grad(set_to_none=True)
            model.wide.weight.grad = None
            model.wide_bias.grad = None
            loss.backward()
            g = model.emb.weight.grad.coalesce()  # lazy L2 on the touched rows
            rows = g.indices()[0]
            model.emb.weight.grad = torch.sparse_coo_tensor(
                g.indices(), g.values() + l2 * model.emb.weight.data[rows], g.shape)
            adam.step()
            sparse_adam.step()
            ftrl.step(model.wide.weight)
            ftrl.step(model.wide_bias)
            loss_sum += loss.item() * ids.shape[0]
        sec = time.perf_counter() - t0
        train_seconds += sec
        with torch.no_grad():
            z = model(va_ids, va_w).numpy().astype(np.float64)
        ll = float(np.mean(np.maximum(z, 0) - z * va_y + np.log1p(np.exp(-np.abs(z)))))
        acc = float(np.mean((z > 0) == (va_y > 0.5)))
        epochs.append({"epoch": epoch, "train_loss": loss_sum / n, "valid_logloss": ll,
                       "valid_auc": auc_exact(z, va_y), "valid_accuracy": acc, "seconds": sec,
                       "samples_per_s": n / sec})
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    json.dump({"peer": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
               "train_rows": n, "valid_rows": int(va_ids.shape[0]), "emb_dim": emb_dim,
               "samples_per_s": a.epochs * n / train_seconds, "epochs": epochs,
               "peak_rss_mib": rss_mib}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
