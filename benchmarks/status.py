"""The light commands as processes: `photosearch status` on a 10k library, `remove`, `--version`, `index --help`.

    .venv/bin/python benchmarks/status.py [--photos 10000] [--repeats 7]

The library is the one of benchmarks/reindex.py (10k small JPEG files in 100 folders under one library folder,
catalogued with their real sizes and times), made once. Each command is a fresh `python -m photosearch`
process; the clock runs from just before the spawn to its exit, so interpreter start and imports count. Each
command is also run once through a wrapper that reports whether torch ended up in `sys.modules`. `remove` is
timed on a copy of the library's data folder (so the library itself stays whole), removing a second, empty
library folder. Bytecode caching is on in the children, as in an installed app (the first run writes it). Prints
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures
import reindex

# Runs a photosearch command in-process, then says on stderr whether torch was imported.
WRAPPER = ("import sys; from photosearch.cli import main\n"
           "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as stop:\n    code = stop.code\n"
           "print('TORCH_IMPORTED=' + str('torch' in sys.modules), file=sys.stderr); sys.exit(code or 0)")


def code_root() -> str:
    """The folder holding the photosearch package under test: the child processes run in it and import it (with
    `python -m` or `-c` the working directory comes first on sys.path)."""
    import photosearch

    return str(Path(photosearch.__file__).resolve().parents[1])


def run(args: list[str], env: dict[str, str], wrapped: bool = False) -> tuple[float, float,
                                                                           subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the child, its result): on a loaded machine the CPU time is the steadier."""
    command = [sys.executable, "-c", WRAPPER, *args] if wrapped else [sys.executable, "-m", "photosearch", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=env["PYTHONPATH"])
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"{args} failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-1000:]}")
    return elapsed, cpu, done


def torch_imported(args: list[str], env: dict[str, str]) -> bool:
    _, _, done = run(args, env, wrapped=True)
    return "TORCH_IMPORTED=True" in done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    weights, kind = fixtures.use_bench_model()
    from photosearch.model.config import ModelConfig

    _, data = reindex.make_library(args.photos, ModelConfig.load(weights / "config.json").joint_dim)
    env = dict(os.environ, PYTHONPATH=code_root())
    # An installed app runs from compiled bytecode; without this every child would compile photosearch's sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    report = {"benchmark": "status", "machine": fixtures.machine(), "weights": kind,
              "command": " ".join(["benchmarks/status.py", *sys.argv[1:]]), "photos": args.photos,
              "target_status_s": 0.3, "commands": {}}

    _, _, done = run(["--data-dir", str(data), "status", "--json"], env)
    if json.loads(done.stdout)["photos"] != args.photos:
        raise SystemExit(f"status did not see {args.photos} photos: {done.stdout[:500]}")

    from photosearch.core.catalog import CATALOG_FILE, Catalog
    from photosearch.core.paths import normalise

    scratch = fixtures.BENCH_ROOT / "status-remove"
    empty_folder = scratch / "empty-folder"
    commands = {
        "status": ["--data-dir", str(data), "status", "--json"],
        "status_text": ["--data-dir", str(data), "status"],
        "version": ["--version"],
        "index_help": ["index", "--help"],
        "remove": ["--data-dir", str(scratch / "data"), "remove", str(empty_folder), "--json"],
    }
    for name, command in commands.items():
        times, cpu, imported = [], [], None
        for n in range(args.repeats + 1):
            if name == "remove":  # a fresh copy each time: remove changes the library
                shutil.rmtree(scratch, ignore_errors=True)
                shutil.copytree(data, scratch / "data")
                empty_folder.mkdir(parents=True)
                catalog = Catalog(scratch / "data" / CATALOG_FILE)
                catalog.add_folder(normalise(empty_folder))
                catalog.close()
            if n == args.repeats:
                imported = torch_imported(command, env)
            else:
                wall, used, _ = run(command, env)
                times.append(wall)
                cpu.append(used)
        report["commands"][name] = {"median_s": round(fixtures.median(times), 3),
                                    "cpu_s_median": round(fixtures.median(cpu), 3),
                                    "runs_s": [round(t, 3) for t in times], "torch_imported": imported}
    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(fixtures.finish(report), ensure_ascii=False))


if __name__ == "__main__":
    main()
