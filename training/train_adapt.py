"""Trains the ADAPT head on top of the frozen shipped towers, selects it on dev, writes it beside the model.

    python training/train_adapt.py --weights resources/model --data ../shared/data --out resources/model

The whole job: text vectors of every training caption from the shipped text tower, region vectors of every
photo from the cached 9x9 Lite2 feature maps (runs/cache/<backbone>/flickr8k[-tapsN]-spatial.npy, made by
training/features.py) through the shipped image projection, in-batch InfoNCE on the mixed score
(1 - m) * global cosine + m * ADAPT cosine, the epoch with the best dev EN R@1 after re-ranking the global
top 100 is kept. Prints the dev figures (global only; re-ranked top 20/50/100; coarse stored grids) as JSON
and writes adapt.safetensors + adapt.json (with those figures) into --out.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photosearch.model.adapt import AdaptConfig, AdaptHead, file_sha256, save_adapt
from photosearch.model.network import JointModel
from photosearch.model.text_encoder import text_batches
from photosearch.model.tokenizer import Tokenizer
from photosearch.model.weights import WEIGHTS_FILE, load_joint_model
from training.datasets import read_shared_flickr8k
from training.features import cache_path, spatial_path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RERANK_TOPS = (20, 50, 100)
SELECT_TOP = 100  # the epoch is chosen by dev EN R@1 after re-ranking this many global results
DEV_SETS = (("en", "en", "flickr8k"), ("de", "de", "multi30k-task1"), ("fr", "fr", "multi30k-task1"),
            ("cs", "cs", "multi30k-task1"))


def encode_texts(model: JointModel, tokenizer: Tokenizer, texts: list[str], batch: int = 1024) -> torch.Tensor:
    out = []
    # no_grad, not inference_mode: these vectors are inputs of the training graph later.
    with torch.no_grad():
        for _, tokens in text_batches(tokenizer, texts, batch, torch.device("cpu")):
            out.append(model.encode_text(tokens))
    return torch.cat(out) if out else torch.zeros((0, model.cfg.joint_dim))


def project_regions(model: JointModel, spatial: np.ndarray, rows: np.ndarray, grid: int | None = None,
                    chunk: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """(region vectors (N, R, d) float16, global vectors (N, d) float32) of the cached maps at `rows`.

    With `grid`, the square map is first average-pooled to grid x grid regions (a compact stored form).
    """
    regions_out, global_out = [], []
    side = round(spatial.shape[1] ** 0.5)
    with torch.no_grad():
        for lo in range(0, len(rows), chunk):
            raw = torch.from_numpy(np.asarray(spatial[rows[lo:lo + chunk]], dtype=np.float32))  # (n, R, C)
            pooled = raw.mean(dim=1)
            if grid is not None:
                fmap = raw.transpose(1, 2).reshape(len(raw), -1, side, side)
                raw = F.adaptive_avg_pool2d(fmap, grid).flatten(2).transpose(1, 2)
            regions_out.append(model.image.projection(raw).half())
            global_out.append(F.normalize(model.image.projection(pooled), dim=-1))
    return torch.cat(regions_out), torch.cat(global_out)


def check_cache(model: JointModel, data: Path, names: list[str], spatial: np.ndarray) -> None:
    """The cached maps must come from this model's backbone (a fine-tuned backbone makes them stale)."""
    from PIL import Image

    from photosearch.model.preprocess import images_to_tensor

    picks = [0, len(names) // 2, len(names) - 1]
    images = [Image.open(data / "flickr8k" / "images" / names[i]) for i in picks]
    with torch.inference_mode():
        fmap = model.image.backbone(images_to_tensor(images, model.cfg.image_size))
    fresh = fmap.flatten(2).transpose(1, 2).numpy()
    cached = np.asarray(spatial[picks], dtype=np.float32)
    if fresh.shape != cached.shape:
        raise SystemExit(f"the cached maps are {cached.shape[1:]} per photo, this model makes {fresh.shape[1:]}: "
                         "run training/features.py for this model first")
    # The shipped backbone is stored in float16: against the float32 maps of the cache that alone makes about 1%
    # (relative L2); a fine-tuned or another backbone makes far more.
    err = float(np.linalg.norm(fresh - cached) / (np.linalg.norm(fresh) + 1e-6))
    if err > 0.03:
        raise SystemExit(f"the cached feature maps differ from this model's backbone (relative L2 error {err:.3f}): "
                         "re-run training/features.py before training ADAPT")


def adapt_matrix(head: AdaptHead, queries: torch.Tensor, regions: torch.Tensor, chunk: int = 100) -> torch.Tensor:
    """(Q, I) ADAPT scores of every query with every image (all pairs, in chunks of queries).

    Cheaper than gathering each query's candidates: 100 queries x 100 candidates x 81 x 256 region values is a
    gigabyte to copy, the all-pairs form copies nothing.
    """
    out = []
    with torch.inference_mode():
        for lo in range(0, len(queries), chunk):
            out.append(head(queries[lo:lo + chunk], regions).scores)
    return torch.cat(out)


def dev_recall(head: AdaptHead | None, queries: torch.Tensor, owner: np.ndarray, regions: torch.Tensor,
               globals_: torch.Tensor, tops: tuple[int, ...] = RERANK_TOPS,
               adapt: torch.Tensor | None = None) -> dict[str, dict[str, float]]:
    """t2i R@1/5/10 (percent): "global" from the global cosine alone, "top<N>" after re-ranking its best N by the
    mixed score (the global order below them is kept)."""
    sims = queries @ globals_.T
    order = sims.argsort(dim=1, descending=True)
    owner_t = torch.from_numpy(owner)

    def recall(ranked: torch.Tensor) -> dict[str, float]:
        hit = ranked[:, :10] == owner_t[:, None]
        rank = torch.where(hit.any(dim=1), hit.float().argmax(dim=1), torch.full((len(owner),), 10))
        return {f"R@{k}": round(float(100.0 * (rank < k).float().mean()), 2) for k in (1, 5, 10)}

    figures = {"global": recall(order)}
    if head is None:
        return figures
    if adapt is None:
        adapt = adapt_matrix(head, queries, regions)
    with torch.no_grad():
        mixed = head.combine(sims, adapt)
    for top in tops:
        cand = order[:, :top]
        reordered = torch.gather(cand, 1, torch.gather(mixed, 1, cand).argsort(dim=1, descending=True))
        figures[f"top{top}"] = recall(torch.cat([reordered, order[:, top:]], dim=1))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", type=Path, default=Path("resources/model"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="where to write the head (default: --weights)")
    parser.add_argument("--cache", type=Path, default=Path("runs/cache"))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--langs", default="en,de,fr,cs", help="caption languages to train on")
    # With tau learned freely (0 here) retrieval training drives it to ~0: dev EN R@1 after re-ranking +0.3, but flat
    # heat-maps that point at nothing. A floor of 3 costs 0.7 points of re-ranked R@1 (re-ranking is off by default
    # either way) and makes the heat-map find what the query names (training/RESULTS.md, "ADAPT").
    parser.add_argument("--min-tau", type=float, default=3.0,
                        help="floor of the query-likeness term of the attention (0: learned freely)")
    parser.add_argument("--neighbours", type=int, default=0,
                        help="hard batches: each sampled photo brings its N nearest photos (global vectors)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--grids", default="3,2", help="coarse stored grids to evaluate the kept head on")
    args = parser.parse_args()
    out_dir = args.out or args.weights
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    started = time.time()

    model = load_joint_model(args.weights)
    model.requires_grad_(False)
    tokenizer = Tokenizer(model.cfg.tokenizer_config())
    corpus = read_shared_flickr8k(args.data)
    names = [im.image for im in corpus.images]
    spatial_file = spatial_path(cache_path(args.cache, model.cfg.image_backbone, "flickr8k",
                                           tap_blocks=model.cfg.image_tap_blocks))
    if not spatial_file.is_file():
        raise SystemExit(f"no cached feature maps at {spatial_file}: run training/features.py "
                         f"--tap-blocks {model.cfg.image_tap_blocks} first")
    spatial = np.load(spatial_file, mmap_mode="r")
    if len(spatial) != len(names):
        raise SystemExit(f"{spatial_file} has {len(spatial)} rows, captions.jsonl {len(names)}: re-run features.py")
    check_cache(model, args.data, names, spatial)

    langs = set(args.langs.split(","))
    train_rows = np.array([i for i, im in enumerate(corpus.images) if im.split == "train"])
    dev_rows = np.array([i for i, im in enumerate(corpus.images) if im.split == "dev"])
    train_caps: list[list[int]] = []  # per train photo, indices into train_texts
    train_texts: list[str] = []
    for i in train_rows:
        mine = []
        for c in corpus.images[i].captions:
            if c.lang in langs:
                mine.append(len(train_texts))
                train_texts.append(c.text)
        train_caps.append(mine)
    print(f"{len(train_rows)} train photos, {len(train_texts)} captions ({args.langs}); {len(dev_rows)} dev photos",
          flush=True)

    t0 = time.time()
    train_regions, train_globals = project_regions(model, spatial, train_rows)
    dev_regions, dev_globals = project_regions(model, spatial, dev_rows)
    text_vecs = encode_texts(model, tokenizer, train_texts)
    dev_queries = {}
    for name, lang, source in DEV_SETS:
        texts, owner = [], []
        for j, i in enumerate(dev_rows):
            for c in corpus.images[i].captions:
                if c.lang == lang and c.source == source:
                    texts.append(c.text)
                    owner.append(j)
        if texts:
            dev_queries[name] = (encode_texts(model, tokenizer, texts), np.array(owner))
    prep_seconds = time.time() - t0
    print(f"vectors ready in {prep_seconds:.0f} s: regions {tuple(train_regions.shape)}", flush=True)

    head = AdaptHead(AdaptConfig(joint_dim=model.cfg.joint_dim, min_tau=args.min_tau))
    # The score scale starts at the shipped model's temperature: the global part of the mixed score is already
    # calibrated for it.
    log_scale = torch.nn.Parameter(model.logit_scale.detach().clone().clamp(max=float(np.log(100))))
    params = [*head.parameters(), log_scale]
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = len(train_rows) // args.batch
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, args.lr, total_steps=args.epochs * steps_per_epoch,
                                                   pct_start=0.1)
    en_q, en_owner = dev_queries["en"]
    print(f"dev EN global only: {dev_recall(None, en_q, en_owner, dev_regions, dev_globals)['global']}", flush=True)
    best = (-1.0, None, 0)
    history = []
    t0 = time.time()
    neighbours = None
    if args.neighbours:
        # Re-ranking sorts out photos the global vectors find alike; batches of such photos train for exactly that.
        with torch.no_grad():
            sims = train_globals @ train_globals.T
            sims.fill_diagonal_(-2)
            neighbours = sims.topk(args.neighbours, dim=1).indices
            del sims
    for epoch in range(1, args.epochs + 1):
        head.train()
        perm = torch.randperm(len(train_rows))
        losses = []
        for step in range(steps_per_epoch):
            if neighbours is None:
                idx = perm[step * args.batch:(step + 1) * args.batch]
            else:
                per = args.batch // (args.neighbours + 1)
                anchors = perm[step * per:(step + 1) * per]
                idx = torch.unique(torch.cat([anchors, neighbours[anchors].flatten()]))[:args.batch]
            caps = torch.tensor([rng.choice(train_caps[int(i)]) for i in idx])
            q = text_vecs[caps]
            out = head(q, train_regions[idx])
            mixed = head.combine(q @ train_globals[idx].T, out.scores)
            logits = log_scale.exp() * mixed
            target = torch.arange(len(idx))
            # Text to image is what re-ranking does; image to text keeps the scores comparable across queries.
            loss = 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            with torch.no_grad():
                head.tau.clamp_(min=0.0)  # the floor holds: tau never goes below min_tau
            losses.append(float(loss.detach()))
        head.eval()
        dev = dev_recall(head, en_q, en_owner, dev_regions, dev_globals, (SELECT_TOP,))[f"top{SELECT_TOP}"]
        history.append({"epoch": epoch, "loss": round(float(np.mean(losses)), 4), **dev, "mix": round(head.mix, 3)})
        print(f"epoch {epoch}: loss {np.mean(losses):.4f}, dev EN re-ranked top {SELECT_TOP} {dev}, "
              f"mix {head.mix:.3f}, tau {args.min_tau + float(head.tau.detach()):.2f} ({time.time() - t0:.0f} s)",
              flush=True)
        if dev["R@1"] > best[0]:
            best = (dev["R@1"], copy.deepcopy(head.state_dict()), epoch)
    train_seconds = time.time() - t0
    head.load_state_dict(best[1])
    head.eval()

    figures: dict[str, object] = {"kept_epoch": best[2], "mix": round(head.mix, 4)}
    for name, (q, owner) in dev_queries.items():
        for key, value in dev_recall(head, q, owner, dev_regions, dev_globals).items():
            figures[f"{name}.{key}"] = value
    for grid in [int(g) for g in args.grids.split(",") if g]:
        grid_regions, _ = project_regions(model, spatial, dev_rows, grid=grid)
        for key, value in dev_recall(head, en_q, en_owner, grid_regions, dev_globals).items():
            if key != "global":
                figures[f"en.{key}.grid{grid}x{grid}"] = value
    # Added cost per query of re-ranking the top 100 when their region vectors are at hand (stored): one thread.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    timings = []
    with torch.inference_mode():
        for i in range(50):
            cand = torch.randperm(len(dev_rows))[:100]
            tick = time.perf_counter()
            head(en_q[i:i + 1], dev_regions[cand][None])
            timings.append(time.perf_counter() - tick)
    torch.set_num_threads(before)
    figures["head_ms_top100_9x9_median"] = round(1000 * float(np.median(timings)), 2)

    head.cfg = AdaptConfig(joint_dim=model.cfg.joint_dim, min_tau=args.min_tau,
                           model_sha256=file_sha256(args.weights / WEIGHTS_FILE),
                           extra={"trained": {"epochs": args.epochs, "kept_epoch": best[2], "batch": args.batch,
                                              "lr": args.lr, "langs": args.langs, "seed": args.seed,
                                              "prep_seconds": round(prep_seconds),
                                              "train_seconds": round(train_seconds)},
                                  "dev": figures, "history": history})
    save_adapt(head, out_dir)
    size = (out_dir / "adapt.safetensors").stat().st_size
    figures.update({"weights_bytes": size, "params": sum(p.numel() for p in head.parameters()),
                    "prep_seconds": round(prep_seconds), "train_seconds": round(train_seconds),
                    "total_seconds": round(time.time() - started), "out": str(out_dir)})
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
