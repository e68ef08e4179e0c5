"""Calibration probe: a bag of hashed character n-grams against cached Lite2 features, symmetric InfoNCE.

Not the shipped model: a fast (about 10 s an epoch on one thread) baseline of the issue's floor kind, for
trying data, regularisation and image-feature choices before a full `train.py` run. Prints dev Recall per epoch.
"""

import argparse
import itertools
import json
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from photosearch.model.tokenizer import Tokenizer, TokenizerConfig, _ngram_id, split_units  # noqa: E402
from training.metrics import add_noise  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
p.add_argument("--cache", default="runs/cache/efficientnet-lite2")
p.add_argument("--buckets", type=int, default=2**18)
p.add_argument("--dim", type=int, default=256)
p.add_argument("--hidden", type=int, default=0)
p.add_argument("--img", default="std")  # std | l2 | raw
p.add_argument("--img_hidden", type=int, default=0)
p.add_argument("--langs", default="en")
p.add_argument("--task2", type=int, default=0)
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--bs", type=int, default=256)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--wd", type=float, default=0.0)
p.add_argument("--temp", type=float, default=0.05)
p.add_argument("--learn_temp", type=int, default=0)
p.add_argument("--init", type=float, default=0.05)
p.add_argument("--drop", type=float, default=0.0)
p.add_argument("--gram_drop", type=float, default=0.0)
p.add_argument("--words", type=int, default=1)
p.add_argument("--sizes", default="3,4")
p.add_argument("--bag_lr", type=float, default=1.0)
p.add_argument("--noise", type=float, default=0.0)
p.add_argument("--bigrams", type=int, default=0)
p.add_argument("--cos", type=int, default=0)
p.add_argument("--pool", default="cached", help="cached | mean | max | gem3 | meanmax (spatial pools)")
p.add_argument("--make_pools", type=int, default=0)
p.add_argument("--tta", type=int, default=0)
p.add_argument("--dense", type=int, default=0)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--flip", type=int, default=1)
p.add_argument("--layers", default="", help="e.g. b14,b19,b20: also pooled earlier stages (flickr8k-layers.npz)")
p.add_argument("--layers_only", type=int, default=0)
p.add_argument("--img_drop", type=float, default=0.0, help="dropout on the standardised image features")
a = p.parse_args()
torch.manual_seed(a.seed)
random.seed(a.seed)
np.random.seed(a.seed)
torch.set_num_threads(int(__import__("os").environ.get("T", "1")))
cache = np.load(f"{a.cache}/flickr8k.npz")
names = list(cache["names"])
row = {n: i for i, n in enumerate(names)}
center = torch.from_numpy(cache["center"].astype(np.float32))
flip = torch.from_numpy(cache["flip"].astype(np.float32))
if a.make_pools:
    sp = np.load(f"{a.cache}/flickr8k-spatial.npy", mmap_mode="r")
    pooled = {k: np.zeros((len(sp), sp.shape[2]), np.float16) for k in ("mean", "max", "gem3")}
    for i in range(0, len(sp), 500):
        x = torch.from_numpy(np.asarray(sp[i : i + 500], dtype=np.float32))
        pooled["mean"][i : i + 500] = x.mean(1).numpy()
        pooled["max"][i : i + 500] = x.amax(1).numpy()
        pooled["gem3"][i : i + 500] = x.clamp(min=1e-6).pow(3).mean(1).pow(1 / 3).numpy()
    np.savez(f"{a.cache}/flickr8k-pools.npz", **pooled)
if a.pool != "cached":
    pools = np.load(f"{a.cache}/flickr8k-pools.npz")  # made by --make_pools
    if a.pool == "meanmax":
        center = torch.from_numpy(np.concatenate([pools["mean"], pools["max"]], 1).astype(np.float32))
    else:
        center = torch.from_numpy(pools[a.pool].astype(np.float32))
    flip = center
if a.layers:
    layers = np.load(f"{a.cache}/flickr8k-layers.npz")
    assert list(layers["names"]) == names
    extra = torch.from_numpy(np.concatenate([layers[k] for k in a.layers.split(",")], 1).astype(np.float32))
    center = extra if a.layers_only else torch.cat([center, extra], 1)
    flip = center
rows = [json.loads(line) for line in open(f"{a.data}/flickr8k/captions.jsonl", encoding="utf-8")]
train = [r for r in rows if r["split"] == "train"]
dev = [r for r in rows if r["split"] == "dev"]
tr_idx = torch.tensor([row[r["image"]] for r in train])
mu = center[tr_idx].mean(0)
sd = center[tr_idx].std(0) + 1e-3


def prep(x):
    if a.img == "std":
        return (x - mu) / sd
    if a.img == "l2":
        return F.normalize(x, dim=-1) * 10
    if a.img == "center":
        return (x - mu) / sd.mean()
    if a.img == "l2c":
        return F.normalize(x - mu, dim=-1) * 10
    return x


tok = Tokenizer(
    TokenizerConfig(
        char_buckets=16384,
        max_word_chars=20,
        max_words=48,
        ngram_buckets=a.buckets,
        ngram_sizes=tuple(int(s) for s in a.sizes.split(",")),
    )
)
wcache = {}



def grams(text):
    out = []
    ws = split_units(text)
    if a.bigrams:
        out.extend(_ngram_id("\u00a7" + x + " " + y, a.buckets) for x, y in itertools.pairwise(ws))
    for w in ws:
        if w not in wcache:
            g = tok.word_ids(w)[2]
            wcache[w] = g if a.words else g[1:]
        out.extend(wcache[w])
    return out or [0]


langs = a.langs.split(",")
caps = []  # (image_row, grams)
for r in train:
    for c in r["captions"]:
        if c["lang"] in langs and (c["source"] != "multi30k-task2" or a.task2):
            caps.append((row[r["image"]], grams(c["text"]), c["text"]))
print(len(caps), "train captions", flush=True)
dev_rows = torch.tensor([row[r["image"]] for r in dev])
dev_caps = {}
for lang in ["en", "de", "fr", "cs"]:
    qs = [
        (i, grams(c["text"]))
        for i, r in enumerate(dev)
        for c in r["captions"]
        if c["lang"] == lang and c["source"] == ("flickr8k" if lang == "en" else "multi30k-task1")
    ]
    dev_caps[lang] = qs
nrng = random.Random(0)
dev_caps["noisy"] = [
    (i, grams(add_noise(c["text"], 0.1, nrng)))
    for i, r in enumerate(dev)
    for c in r["captions"]
    if c["lang"] == "en" and c["source"] == "flickr8k"
]


class Text(nn.Module):
    def __init__(s):
        super().__init__()
        s.bag = nn.EmbeddingBag(a.buckets, a.dim, mode="mean", padding_idx=0, sparse=not a.dense)
        nn.init.normal_(s.bag.weight, std=a.init)
        s.proj = (
            nn.Sequential(nn.Linear(a.dim, a.hidden), nn.ReLU(), nn.Linear(a.hidden, 256))
            if a.hidden
            else nn.Linear(a.dim, 256)
        )
        s.drop = nn.Dropout(a.drop)

    def forward(s, gl):
        if s.training and a.gram_drop:
            gl = [[x for x in g if random.random() > a.gram_drop] or g[:1] for g in gl]
        flat = torch.tensor([x for g in gl for x in g])
        off = torch.tensor([0, *list(np.cumsum([len(g) for g in gl])[:-1])])
        return s.proj(s.drop(s.bag(flat, off)))


class Img(nn.Module):
    def __init__(s):
        super().__init__()
        s.net = (
            nn.Sequential(nn.Linear(center.shape[1], a.img_hidden), nn.ReLU(), nn.Linear(a.img_hidden, 256))
            if a.img_hidden
            else nn.Linear(center.shape[1], 256)
        )

    def forward(s, x):
        return s.net(F.dropout(prep(x), a.img_drop, s.training))


text, img = Text(), Img()
logit = nn.Parameter(torch.tensor(float(np.log(1 / a.temp))), requires_grad=bool(a.learn_temp))
params = list(text.proj.parameters()) + list(img.parameters()) + ([logit] if a.learn_temp else [])
opt1 = torch.optim.AdamW(params, lr=a.lr, weight_decay=a.wd)
opt2 = (torch.optim.Adam if a.dense else torch.optim.SparseAdam)(list(text.bag.parameters()), lr=a.lr * a.bag_lr)


class Both:
    def zero_grad(s):
        opt1.zero_grad()
        opt2.zero_grad()

    def step(s):
        opt1.step()
        opt2.step()


opt = Both()


def evaluate():
    text.eval()
    img.eval()
    with torch.no_grad():
        iv = F.normalize(img(center[dev_rows]), dim=-1)
        if a.tta:
            iv = F.normalize(img((center[dev_rows] + flip[dev_rows]) / 2), dim=-1)
        res = {}
        for lang, qs in dev_caps.items():
            tv = torch.cat(
                [F.normalize(text([g for _, g in qs[i : i + 1000]]), dim=-1) for i in range(0, len(qs), 1000)]
            )
            sim = tv @ iv.T
            gold = torch.tensor([i for i, _ in qs])
            rank = (sim > sim[torch.arange(len(qs)), gold][:, None]).sum(1)
            res[lang] = [round(100 * (rank < k).float().mean().item(), 1) for k in (1, 5, 10)]
            if lang == "en":
                # i2t R@1 over the 5 flickr8k captions
                best = sim.T.argmax(1)
                res["i2t"] = round(100 * (gold[best] == torch.arange(len(dev))).float().mean().item(), 1)
    text.train()
    img.train()
    res["ratio"] = round(res["noisy"][2] / res["en"][2], 2)
    return res


t0 = time.time()
for ep in range(a.epochs):
    order = np.random.permutation(len(caps))
    tot = 0
    n = 0
    for b in range(0, len(order) - a.bs + 1, a.bs):
        batch = [caps[i] for i in order[b : b + a.bs]]
        ir = torch.tensor([c[0] for c in batch])
        feats = torch.where((torch.rand(len(ir), 1) < 0.5) & bool(a.flip), flip[ir], center[ir])
        gl = [grams(add_noise(c[2], 0.1, random)) if a.noise and random.random() < a.noise else c[1] for c in batch]
        t = F.normalize(text(gl), dim=-1)
        v = F.normalize(img(feats), dim=-1)
        sim = t @ v.T * logit.exp()
        same = (ir[:, None] == ir[None, :]) & ~torch.eye(len(ir), dtype=torch.bool)
        sim = sim.masked_fill(same, -1e4)
        lab = torch.arange(len(ir))
        loss = (F.cross_entropy(sim, lab) + F.cross_entropy(sim.T, lab)) / 2
        if a.cos:
            prog = (ep * len(order) + b) / (a.epochs * len(order))
            for o in (opt1, opt2):
                for g in o.param_groups:
                    g["lr"] = (a.lr * (a.bag_lr if o is opt2 else 1)) * 0.5 * (1 + np.cos(np.pi * prog))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
        n += 1
    print(
        f"ep {ep + 1} loss {tot / n:.3f} T {1 / logit.exp().item():.3f} {time.time() - t0:.0f}s", evaluate(), flush=True
    )
