"""The training loop: the text encoder and image projection on cached frozen-backbone features (CPU, GPU, DDP).

    python training/train.py --config training/configs/liwe17.toml [--data ../shared/data] [--out runs/liwe17]

The run's configuration is training/config.py, what each step sees training/sampler.py, the objectives
training/losses.py and the dev figures training/metrics.py.

Resumes from <out>/checkpoint.pt when it exists. Multi-GPU: torchrun --nproc_per_node=N training/train.py ...
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photosearch.model.network import JointModel
from photosearch.model.text_encoder import batch_to_tensors, text_batches
from photosearch.model.tokenizer import Tokenizer
from training import losses
from training.config import TrainConfig, load_toml, resolved_toml
from training.datasets import flickr_id, read_shared_flickr8k
from training.sampler import Sampler, load_image_sets, load_parallel

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


# ----------------------------------------------------------------------------- model


class Trainable(nn.Module):
    """The parts that train: the text encoder, the image projection and the temperature (not the backbone)."""

    def __init__(self, model: JointModel, image_dropout: float = 0.0) -> None:
        super().__init__()
        self.text = model.text
        self.projection = model.image.projection
        self.logit_scale = model.logit_scale
        self.image_dropout = image_dropout

    def forward(self, tokens: dict[str, torch.Tensor], pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        text = nn.functional.normalize(self.text(tokens).float(), dim=-1)
        proj = self.projection
        # Dropout on the standardised backbone features: 6k fixed photo vectors are easy to memorise.
        x = nn.functional.dropout((pooled - proj.feature_mean) / proj.feature_std, self.image_dropout, self.training)
        out = proj.linear(x) + (proj.mlp(x) if proj.mlp is not None else 0.0)
        return text, nn.functional.normalize(out.float(), dim=-1)


def trained_state(model: JointModel) -> dict[str, torch.Tensor]:
    """The trained tensors only (the frozen backbone comes from its package at export)."""
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items() if not k.startswith("image.backbone.")}


def lr_at(step: int, tcfg: TrainConfig) -> float:
    if step < tcfg.warmup:
        return tcfg.lr * (step + 1) / tcfg.warmup
    progress = (step - tcfg.warmup) / max(1, tcfg.steps - tcfg.warmup)
    return tcfg.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def pair_loss(sim: torch.Tensor, step: int, tcfg: TrainConfig, scale: torch.Tensor,
              ignore: torch.Tensor | None = None) -> torch.Tensor:
    return losses.pair_loss(sim, step, tcfg.loss, scale, ignore, tcfg.beta, tcfg.margin, tcfg.jwe_weight)


# ----------------------------------------------------------------------------- evaluation during training


def fast_benchmark(model: JointModel, tokenizer: Tokenizer, dev, cache: Path, device: torch.device
                   ) -> dict[str, float]:
    """The dev benchmark from cached backbone features (centre crop) instead of decoding the JPEGs."""
    from training.features import cache_path
    from training.metrics import run_benchmark

    backbone, size, taps = model.cfg.image_backbone, model.cfg.image_size, model.cfg.image_tap_blocks
    flickr = np.load(cache_path(cache, backbone, "flickr8k", size, taps), allow_pickle=False)
    row = {n: i for i, n in enumerate(flickr["names"])}
    pooled = torch.from_numpy(flickr["center"][[row[n] for n in dev.dev_images]].astype(np.float32))
    model.eval()
    with torch.inference_mode():
        dev_vecs = model.encode_pooled(pooled.to(device)).cpu().numpy()
        imagenet_vecs = None
        inet_path = cache_path(cache, backbone, "imagenet-sample", size, taps)
        if inet_path.is_file():
            inet = np.load(inet_path, allow_pickle=False)
            irow = {n: i for i, n in enumerate(inet["names"])}
            ipooled = torch.from_numpy(inet["center"][[irow[r.image] for r in dev.imagenet]].astype(np.float32))
            imagenet_vecs = model.encode_pooled(ipooled.to(device)).cpu().numpy()

        metrics = run_benchmark(lambda texts: encode_texts(model, tokenizer, texts, device), dev_vecs,
                                imagenet_vecs, dev)
    model.train()
    return metrics


def encode_texts(model: JointModel, tokenizer: Tokenizer, texts, device: torch.device) -> np.ndarray:
    """Text vectors in evaluation mode (no dropout), 512 texts a pass."""
    was_training = model.training
    model.eval()
    out = []
    with torch.inference_mode():
        for _, tokens in text_batches(tokenizer, texts, 512, device):
            out.append(model.encode_text(tokens).cpu().numpy())
    model.train(was_training)
    return np.concatenate(out) if out else np.zeros((0, model.cfg.joint_dim), np.float32)


def fit_vocabulary_targets(model: JointModel, tokenizer: Tokenizer, vocab: dict, device: torch.device
                           ) -> np.ndarray:
    """Fit the teacher-to-student map on the English texts as the model reads them now; the pieces' targets."""
    from training.vocabulary import fit_linear_map, mapped_targets

    student = encode_texts(model, tokenizer, vocab["fit_texts"], device)
    return mapped_targets(vocab["piece_vectors"], fit_linear_map(vocab["fit_vectors"], student))


def brief(metrics: dict[str, float]) -> str:
    """One progress line with the figures that matter most."""
    def get(key: str) -> float:
        return metrics.get(key, float("nan"))

    return (f"EN t2i R@1/5/10 {get('en.t2i.R@1'):.1f}/{get('en.t2i.R@5'):.1f}/{get('en.t2i.R@10'):.1f}"
            f" i2t R@1 {get('en.i2t.R@1'):.1f}; t2i R@10 de {get('de.t2i.R@10'):.1f} fr {get('fr.t2i.R@10'):.1f}"
            f" cs {get('cs.t2i.R@10'):.1f}; xtd {get('xtd.mean'):.1f}; imagenet en/ja R@10"
            f" {get('imagenet.en.R@10'):.1f}/{get('imagenet.ja.R@10'):.1f}; noise {get('noise.ratio'):.2f}")


def selection_score(metrics: dict[str, float]) -> float:
    """Mean of the floor figures relative to the floor: a run is better when it clears all of them by more."""
    from training.metrics import FLOOR

    return float(np.mean([metrics.get(k, 0.0) / v for k, v in FLOOR.items()]))


# ----------------------------------------------------------------------------- main loop


def _resolve_path(config_path: Path, value: str) -> Path:
    """A path from a config: as written when it exists from here, else relative to the project root."""
    path = Path(value)
    return path if path.is_absolute() or path.exists() else Path(__file__).resolve().parent.parent / path


def load_initial_weights(model: JointModel, folder: Path) -> None:
    """Exported weights (model.safetensors + config.json) into `model`; the configs must agree on the shapes."""
    from safetensors.torch import load_file

    file = folder / "model.safetensors"
    if not file.is_file():
        raise SystemExit(f"init_from: no model.safetensors in {folder}")
    state = {k: (v.float() if v.is_floating_point() else v) for k, v in load_file(file).items()
             if not k.startswith("image.backbone.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.startswith("image.backbone.")]
    if missing or unexpected:
        raise SystemExit(f"init_from {folder}: the weights do not fit this model config "
                         f"(missing {missing[:5]}, unexpected {unexpected[:5]})")


def setup_distributed() -> tuple[int, int, torch.device]:
    """(rank, world size, device); torchrun sets WORLD_SIZE, RANK and LOCAL_RANK."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1 and "RANK" not in os.environ:
        return 0, 1, torch.device("cuda" if torch.cuda.is_available() else "cpu")
    import torch.distributed as dist

    local = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
        dist.init_process_group("nccl")
    else:
        device = torch.device("cpu")
        dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size(), device


def train(config_path: Path, data: Path, out: Path, cache: Path, max_steps: int | None = None,
          device_name: str | None = None, quiet: bool = False) -> dict:
    """Run (or resume) training; returns a summary with the loss history and the best dev metrics."""
    mcfg, tcfg, dcfg = load_toml(config_path)
    if max_steps is not None:
        tcfg = dataclasses.replace(tcfg, steps=max_steps)
    rank, world, device = setup_distributed()
    if device_name:
        device = torch.device(device_name)
    if tcfg.num_threads:
        torch.set_num_threads(tcfg.num_threads)
    say = (lambda *a: None) if (quiet or rank != 0) else (lambda *a: print(*a, flush=True))
    random.seed(tcfg.seed)
    np.random.seed(tcfg.seed)
    torch.manual_seed(tcfg.seed)
    out.mkdir(parents=True, exist_ok=True)

    images = load_image_sets(dcfg, data, cache, mcfg.image_backbone, mcfg.image_size,
                             tap_blocks=mcfg.image_tap_blocks)
    english = [t for caps in images.captions for t in caps.get("en", [])]
    held_out = frozenset()
    if (data / "flickr8k" / "captions.jsonl").is_file():
        held_out = frozenset(flickr_id(im.image) for im in read_shared_flickr8k(data).images if im.split != "train")
    parallel = load_parallel(dcfg, data, english, held_out)
    say(f"{len(images.captions)} training photos, {sum(len(v) for c in images.captions for v in c.values())} captions;"
        f" parallel: " + ", ".join(f"{k} {len(v)}" for k, v in parallel.items()))

    model = JointModel(mcfg)
    if tcfg.init_from:
        load_initial_weights(model, _resolve_path(config_path, tcfg.init_from))
        say(f"initial weights from {tcfg.init_from}")
    with torch.no_grad():
        model.logit_scale.fill_(math.log(tcfg.init_scale))
        # Hashed character and n-gram tables start small: with torch's N(0, 1) default, Adam's steps of
        # about lr move them by a fraction of a percent, and the text side learns many times slower.
        for table in (model.text.words.chars, model.text.words.chars_alt, model.text.words.ngrams):
            if table is not None and not tcfg.init_from:
                table.weight.normal_(0.0, tcfg.embedding_init_std)
                if table.padding_idx is not None:
                    table.weight[table.padding_idx].zero_()
        flat = images.features.reshape(-1, images.features.shape[-1])
        model.image.projection.feature_mean.copy_(flat.mean(dim=0))
        model.image.projection.feature_std.copy_(flat.std(dim=0).clamp(min=1e-3))
    model.to(device).train()
    trainable = Trainable(model, tcfg.image_dropout)
    n_text = sum(p.numel() for p in model.text.parameters())
    say(f"text encoder {n_text / 1e6:.2f}M parameters; device {device}, world size {world}")
    net: nn.Module = trainable
    if world > 1:
        ids = [device.index] if device.type == "cuda" else None
        # J_WE alone leaves the temperature without a gradient, which DDP must be told about.
        net = nn.parallel.DistributedDataParallel(trainable, device_ids=ids, find_unused_parameters=tcfg.loss == "jwe")
    decay = [p for n, p in trainable.named_parameters() if p.ndim >= 2 and "chars" not in n and "ngrams" not in n]
    rest = [p for n, p in trainable.named_parameters() if not (p.ndim >= 2 and "chars" not in n and "ngrams" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tcfg.weight_decay},
                             {"params": rest, "weight_decay": 0.0}], lr=tcfg.lr)
    tokenizer = Tokenizer(mcfg.tokenizer_config())
    sampler = Sampler(images, parallel, tcfg, seed=tcfg.seed * 1000 + rank)

    teacher = None
    if tcfg.teacher_weight > 0:
        from training.teacher import TeacherPool

        teacher = TeacherPool.build(parallel, images, tcfg.teacher_pool, cache, seed=tcfg.seed)
        say(f"teacher: {len(teacher.texts)} texts with cached multilingual-e5-small embeddings")
    vocab, vocab_targets = None, None
    if tcfg.vocab_weight > 0:
        from training.vocabulary import teacher_vocabulary

        vocab = teacher_vocabulary(images.captions, cache, seed=tcfg.seed)
        say(f"teacher vocabulary: {len(vocab['pieces'])} pieces, map fitted on {len(vocab['fit_texts'])} English texts"
            f" at step {tcfg.vocab_from_step}")

    step, best, history = 0, {"score": -1.0}, []
    ckpt = out / "checkpoint.pt"
    if ckpt.is_file():
        # Training-only file written by this script: plain tensors and Python containers.
        state = torch.load(ckpt, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"], strict=False)
        opt.load_state_dict(state["optimizer"])
        sampler.load_state(json.loads(state["sampler"]))
        torch.set_rng_state(state["torch_rng"])
        step, best, history = state["step"], json.loads(state["best"]), json.loads(state["history"])
        say(f"resumed from {ckpt} at step {step}")
    targets_file = out / "vocab_targets.npy"
    if vocab is not None and step >= tcfg.vocab_from_step and targets_file.is_file():
        vocab_targets = torch.from_numpy(np.load(targets_file, allow_pickle=False))  # the map of the first run
    # The configuration as it ran, its bases merged in: a run folder explains itself.
    (out / "train_config.json").write_text(json.dumps(resolved_toml(config_path), indent=1), encoding="utf-8")
    mcfg.save(out / "model_config.json")

    dev = None
    if rank == 0 and (data / "flickr8k" / "captions.jsonl").is_file():
        from training.metrics import DevData

        dev = DevData.load(data)

    start, seen = time.time(), 0
    running: dict[str, float] = defaultdict(float)
    while step < tcfg.steps:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, tcfg)
        caps, feats = sampler.image_batch()
        pairs = sampler.parallel_batch()
        teach_idx = teacher.sample(sampler.rng, tcfg.teacher_batch) if teacher is not None else []
        teach_texts = [teacher.texts[i] for i in teach_idx] if teacher is not None else []
        if vocab is not None and vocab_targets is None and step >= tcfg.vocab_from_step:
            vocab_targets = torch.from_numpy(fit_vocabulary_targets(model, tokenizer, vocab, device))
            if rank == 0:  # every rank fits the same map from the same weights; one writes it for a resume
                np.save(targets_file, vocab_targets.numpy())
            say(f"teacher vocabulary: map fitted at step {step}")
        vocab_idx = sampler.rng.sample(range(len(vocab["pieces"])), min(tcfg.vocab_batch, len(vocab["pieces"]))) \
            if vocab_targets is not None else []
        vocab_texts = [vocab["pieces"][i] for i in vocab_idx]
        texts = caps + [p.a for p in pairs] + [p.b for p in pairs] + teach_texts + vocab_texts
        tokens = batch_to_tensors(tokenizer.encode(texts), device)
        text_vecs, image_vecs = net(tokens, feats.to(device))
        scale = trainable.logit_scale.exp().clamp(max=tcfg.max_scale)
        n, p = len(caps), len(pairs)
        cap_vecs = text_vecs[:n]
        ignore = losses.duplicate_mask(caps, device)
        loss_img = pair_loss(image_vecs @ cap_vecs.t(), step, tcfg, scale, ignore)
        loss = loss_img
        running["img"] += loss_img.item()
        if p:
            a, b = text_vecs[n:n + p], text_vecs[n + p:n + 2 * p]
            ignore_p = losses.duplicate_mask([x.a for x in pairs], device) | losses.duplicate_mask(
                [x.b for x in pairs], device)
            loss_clmr = pair_loss(a @ b.t(), step, tcfg, scale, ignore_p)
            loss = loss + tcfg.clmr_weight * loss_clmr
            running["clmr"] += loss_clmr.item()
        if teach_idx:
            target = torch.from_numpy(teacher.vectors[teach_idx]).to(device)
            loss_kd = losses.relational_distillation(text_vecs[n + 2 * p:], target)
            loss = loss + tcfg.teacher_weight * loss_kd
            running["kd"] += loss_kd.item()
        if vocab_idx:
            students = text_vecs[len(texts) - len(vocab_idx):]
            loss_vocab = losses.info_nce(students @ vocab_targets[vocab_idx].to(device).t(), scale)
            loss = loss + tcfg.vocab_weight * loss_vocab
            running["vocab"] += loss_vocab.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable.parameters(), 5.0)
        opt.step()
        step += 1
        seen += n
        running["loss"] += loss.item()
        if step % tcfg.log_every == 0 or step == tcfg.steps:
            count = tcfg.log_every if step % tcfg.log_every == 0 else step % tcfg.log_every
            entry = {"step": step, **{k: v / count for k, v in running.items()}, "scale": float(scale.detach()),
                     "lr": lr_at(step - 1, tcfg), "elapsed_s": round(time.time() - start, 1)}
            history.append(entry)
            say(f"step {step}/{tcfg.steps} " + " ".join(f"{k} {v:.4f}" for k, v in entry.items() if k != "step")
                + f" ({seen / (time.time() - start):.0f} pairs/s)")
            running.clear()
        last = step == tcfg.steps
        if rank == 0 and ((tcfg.eval_every and step % tcfg.eval_every == 0) or last):
            if dev is not None:
                metrics = fast_benchmark(model, tokenizer, dev, cache, device)
                score = selection_score(metrics)
                history.append({"step": step, "eval": metrics, "score": score})
                say(f"  dev at step {step}: {brief(metrics)}; score {score:.3f}")
                if score > best["score"]:
                    best = {"score": score, "step": step, "metrics": metrics}
                    torch.save(trained_state(model), out / "best.pt")
                    (out / "best_metrics.json").write_text(json.dumps(best, indent=1), encoding="utf-8")
            elif last:
                torch.save(trained_state(model), out / "best.pt")
                best = {"score": 0.0, "step": step, "metrics": {}}
            tmp = ckpt.with_suffix(".tmp")
            torch.save({"model": trained_state(model), "optimizer": opt.state_dict(),
                        "sampler": json.dumps(sampler.state()), "torch_rng": torch.get_rng_state(), "step": step,
                        "best": json.dumps(best), "history": json.dumps(history)}, tmp)
            os.replace(tmp, ckpt)
    wall = time.time() - start
    summary = {"steps": step, "wall_s": round(wall, 1), "best": best, "history": history,
               "text_params": n_text, "device": str(device), "world_size": world}
    if rank == 0:
        (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
        say(f"done: {step} steps in {wall / 60:.1f} min; best step {best.get('step')} score {best['score']:.3f}")
    if world > 1:
        import torch.distributed as dist

        dist.destroy_process_group()
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="run folder (default runs/<config name>)")
    parser.add_argument("--cache", type=Path, default=Path("runs/cache"), help="cached backbone features")
    parser.add_argument("--steps", type=int, default=None, help="override [train] steps")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: GPU when present)")
    args = parser.parse_args()
    out = args.out or Path("runs") / args.config.stem
    train(args.config, args.data, out, args.cache, args.steps, args.device)


if __name__ == "__main__":
    main()
