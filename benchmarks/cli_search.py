"""A cold `photosearch search "a dog"` as a process on a 10k library: wall time from spawn to exit.

    .venv/bin/python benchmarks/cli_search.py [--photos 10000] [--repeats 7] [--code CHECKOUT]

The library is benchmarks/reindex.py's (10k small JPEG files in 100 folders, with clustered synthetic vectors).
Each run is a fresh `python -m photosearch --data-dir D search QUERY --json` (bytecode caching on, as in an
installed app; the first run writes it and is not counted), for a text query and for a photo query (`--image`,
which needs the image tower); one more run of each reports whether torch was imported. `--code` runs the
children from another checkout on the same library; for an older catalog schema, copy this script into that
checkout and run it there with PHOTOSEARCH_BENCH_DIR set to another folder. Prints one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures
import reindex
import status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--code", type=Path, default=None, help="the checkout whose photosearch the children run")
    args = parser.parse_args()
    weights, kind = fixtures.use_bench_model()
    from photosearch.model.config import ModelConfig

    _, data = reindex.make_library(args.photos, ModelConfig.load(weights / "config.json").joint_dim)
    code = str(args.code.resolve()) if args.code else status.code_root()
    env = dict(os.environ, PYTHONPATH=code)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    photo = fixtures.BENCH_ROOT / "cli-search-query.jpg"
    if not photo.is_file():
        fixtures._source_images(1)[0].save(photo)
    report = {"benchmark": "cli_search", "machine": fixtures.machine(), "weights": kind, "code": code,
              "command": " ".join(["benchmarks/cli_search.py", *sys.argv[1:]]), "photos": args.photos,
              "target_text_search_s": 1.0, "commands": {}}
    commands = {"text_search": ["--data-dir", str(data), "search", "a dog", "--json"],
                "image_search": ["--data-dir", str(data), "search", "--image", str(photo), "--json"]}
    for name, command in commands.items():
        status.run(command, env)  # writes the bytecode
        times, cpu = [], []
        for _ in range(args.repeats):
            wall, used, done = status.run(command, env)
            if len(json.loads(done.stdout)["results"]) != 20:
                raise SystemExit(f"{name} did not give 20 results: {done.stdout[:300]}")
            times.append(wall)
            cpu.append(used)
        report["commands"][name] = {"median_s": round(fixtures.median(times), 3),
                                    "cpu_s_median": round(fixtures.median(cpu), 3),
                                    "runs_s": [round(t, 3) for t in times],
                                    "torch_imported": status.torch_imported(command, env)}
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
