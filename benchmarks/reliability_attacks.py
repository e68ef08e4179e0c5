"""Re-runs the attack table of docs/RELIABILITY.md against the `photosearch` command and prints one JSON summary.

    .venv/bin/python benchmarks/reliability_attacks.py [--skip-suite] [--keep DIR]

Part one performs the attacks of issue 20 the way the independent probe did: real files, real subprocesses
(`python -m photosearch`), a real mount and a real full file system where this process may mount (root),
a simulated one otherwise. After each attack it counts photos lost (photos whose files are still there but
that the library forgot, or had to embed again) and inconsistencies (the catalog fails `integrity_check`,
a photo under no library folder, a stored vector that is not finite, a search answer that is not valid JSON
or holds a non-finite score, a traceback, a wrong exit code). Part two runs the fault-injection suite
(tests/reliability, the table's other rows: SIGKILL trials, two writers, bad files, hostile queries, damaged
files, privacy) and counts its outcomes. A tiny random model stands in for the shipped one: the attacks test
the library, not the model, and it embeds in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def make_tiny_model(directory: Path) -> Path:
    """The test suite's tiny model (tests/conftest.py): same architecture, tiny widths, seeded."""
    import torch

    from photosearch.model import JointModel, ModelConfig, save_model
    from photosearch.model.preprocess import images_to_tensor
    from tests.conftest import TINY_CONFIG, _calibration_pictures

    torch.manual_seed(0)
    model = JointModel(ModelConfig(**TINY_CONFIG))
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None
            module.reset_running_stats()
    model.train()
    with torch.no_grad():
        model.encode_image(images_to_tensor(list(_calibration_pictures(32)), model.cfg.image_size))
    model.eval()
    save_model(model, directory, half=False)
    return directory


class Attacker:
    """Runs the command against data dirs under `root` and checks what it left."""

    def __init__(self, root: Path, weights: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PHOTOSEARCH_DATA_DIR", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        self.env.update(PHOTOSEARCH_WEIGHTS=str(weights), XDG_CACHE_HOME=str(root / "xdg-cache"),
                        XDG_CONFIG_HOME=str(root / "xdg-config"), PYTHONUNBUFFERED="1",
                        PYTHONPATH=str(REPO_ROOT))
        self.seed = 0

    def cli(self, data: Path, *args: str, stdin: bytes | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "photosearch", "--data-dir", str(data), *args], env=self.env,
                              capture_output=True, timeout=timeout, input=stdin)

    def photos(self, folder: Path, count: int, prefix: str = "p") -> list[Path]:
        from tests.conftest import draw_photo

        made = []
        for i in range(count):
            self.seed += 1
            made.append(draw_photo(folder / f"{prefix}{i:03d}.jpg", seed=self.seed))
        return made

    def fresh(self, name: str) -> Path:
        place = self.root / name
        shutil.rmtree(place, ignore_errors=True)
        place.mkdir(parents=True)
        return place

    @staticmethod
    def catalog_rows(data: Path) -> dict[str, int]:
        """path -> id of every photo with a vector (read with plain sqlite, read-only)."""
        conn = sqlite3.connect(f"{(data / 'catalog.sqlite3').as_uri()}?mode=ro", uri=True)
        try:
            return {p: i for i, p in conn.execute("SELECT id, path FROM photos WHERE vector IS NOT NULL")}
        finally:
            conn.close()

    @staticmethod
    def inconsistencies(data: Path) -> list[str]:
        """What is wrong with the catalog file: integrity, photos under no folder, unusable vectors."""
        problems = []
        conn = sqlite3.connect(f"{(data / 'catalog.sqlite3').as_uri()}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                problems.append(f"integrity_check: {check}")
            folders = [r[0] for r in conn.execute("SELECT path FROM folders")]
            for path, blob in conn.execute("SELECT path, vector FROM photos"):
                if not any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders):
                    problems.append(f"photo under no library folder: {path}")
                if blob is not None and not np.isfinite(np.frombuffer(blob, np.float32)).all():
                    problems.append(f"non-finite stored vector: {path}")
        finally:
            conn.close()
        return problems

    def search(self, data: Path, query: str = "x", k: int = 50) -> tuple[list[dict[str, Any]] | None, list[str]]:
        """The results of `search --json`, and what was wrong with the answer."""
        done = self.cli(data, "search", "--json", "-k", str(k), query)
        problems = _traceback(done)
        if done.returncode != 0:
            return None, [*problems, f"search exit {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}"]
        try:
            answer = json.loads(done.stdout, parse_constant=_no_constant)
        except ValueError as error:
            return None, [*problems, f"search output is not valid JSON: {error}"]
        results = answer["results"]
        paths = [r["path"] for r in results]
        if len(set(paths)) != len(paths):
            problems.append("a photo returned twice")
        problems += [f"non-finite score for {r['path']}" for r in results if not math.isfinite(r["score"])]
        problems += [f"negative score not weak: {r['path']}" for r in results if r["score"] < 0 and not r["weak"]]
        return results, problems

    def index(self, data: Path, *folders: Path) -> tuple[dict[str, Any] | None, list[str]]:
        done = self.cli(data, "index", "--json", *map(str, folders))
        problems = _traceback(done)
        if done.returncode != 0:
            return None, [*problems, f"index exit {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}"]
        return json.loads(done.stdout), problems


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} in the JSON output")


def _traceback(done: subprocess.CompletedProcess) -> list[str]:
    return ["traceback on stderr"] if b"Traceback" in done.stderr else []


def _can_mount(place: Path) -> bool:
    probe = place / "mount-probe"
    probe.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True)
    if done.returncode != 0:
        return False
    subprocess.run(["umount", str(probe)], capture_output=True)
    return True


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=30)


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30)


# the attacks: each returns (trials, photos lost, inconsistencies as strings, how it was done)

def attack_unmounted_root(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a01")
    data, lost, problems = place / "data", 0, []
    mounted = _can_mount(place)
    drive, point = place / "drive", place / "M"
    drive.mkdir()
    point.mkdir()
    if mounted:
        _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(drive))
    try:
        a.photos(drive, 24)
        if mounted:
            _mount("--bind", str(drive), str(point))
        else:
            shutil.copytree(drive, point, dirs_exist_ok=True, copy_function=shutil.copy2)
        summary, issues = a.index(data, point)
        problems += issues
        if mounted:
            _umount(point)
        else:
            shutil.rmtree(point)
            point.mkdir()  # what an unmount leaves: the folder, empty
        summary, issues = a.index(data)
        problems += issues
        lost += 24 - len(a.catalog_rows(data))
        results, issues = a.search(data)
        problems += issues + ([f"{len(results)} results from an offline folder"] if results else [])
        if mounted:
            _mount("--bind", str(drive), str(point))
        else:
            shutil.rmtree(point)
            shutil.copytree(drive, point, copy_function=shutil.copy2)
        summary, issues = a.index(data)
        problems += issues
        lost += 24 - (summary or {}).get("unchanged", 0)  # embedded again = its vector was lost
        problems += a.inconsistencies(data)
    finally:
        if mounted:
            _umount(point)
            _umount(drive)
    return 3, max(lost, 0), problems, "tmpfs drive bind-mounted" if mounted else "simulated (no mount permitted)"


def attack_lost_catalog(a: Attacker) -> tuple[int, int, list[str], str]:
    trials, lost, problems = 0, 0, []
    for damage in ("truncate", "delete"):
        place = a.fresh(f"a02-{damage}")
        data = place / "data"
        a.photos(place / "photos", 20)
        problems += a.index(data, place / "photos")[1]
        index_bytes = (data / "vectors.hnsw").read_bytes()
        if damage == "truncate":
            os.truncate(data / "catalog.sqlite3", 0)
        else:
            (data / "catalog.sqlite3").unlink()
        status = a.cli(data, "status", "--json")
        problems += _traceback(status)
        if b"missing or empty" not in status.stderr:
            problems.append(f"{damage}: no notice")
        folders = json.loads(status.stdout)["folders"] if status.returncode == 0 else []
        if [f["path"] for f in folders] != [str(place / "photos")]:
            problems.append(f"{damage}: the library folders were forgotten")
        problems += a.search(data)[1]
        if (data / "vectors.hnsw").read_bytes() != index_bytes:
            problems.append(f"{damage}: the index file was overwritten while the catalog was new")
        problems += a.index(data)[1] + a.inconsistencies(data)
        lost += 20 - len(a.catalog_rows(data))
        trials += 1
    return trials, lost, problems, "truncate -s0 and rm of catalog.sqlite3, folders.json intact"


def attack_remove_during_index(a: Attacker) -> tuple[int, int, list[str], str]:
    trials, lost, problems, landed = 0, 0, [], 0
    for trial in range(3):
        place = a.fresh(f"a03-{trial}")
        data = place / "data"
        folder_a, folder_b = place / "A", place / "B"
        a.photos(folder_a, 200, "a")
        a.photos(folder_b, 16, "b")
        running = subprocess.Popen([sys.executable, "-m", "photosearch", "--data-dir", str(data), "index",
                                    str(folder_a), str(folder_b)], env=a.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and running.poll() is None:  # remove once the run is embedding
            with contextlib.suppress(sqlite3.Error, OSError):
                if len(a.catalog_rows(data)) >= 8 * (trial + 1):
                    break
            time.sleep(0.05)
        removed = a.cli(data, "remove", str(folder_a))
        problems += _traceback(removed)
        landed += running.poll() is None  # the remove finished while the run was still going
        running.communicate(timeout=300)
        rows = a.catalog_rows(data)
        strays = [p for p in rows if p.startswith(str(folder_a) + "/")]
        problems += [f"trial {trial}: {len(strays)} photos of the removed folder stayed"] if strays else []
        results, issues = a.search(data)
        problems += issues + [f"trial {trial}: removed photo returned: {r['path']}" for r in results or []
                              if r["path"].startswith(str(folder_a) + "/")]
        problems += a.index(data)[1] + a.inconsistencies(data)
        lost += 16 - sum(p.startswith(str(folder_b) + "/") for p in a.catalog_rows(data))
        trials += 1
    return trials, lost, problems, f"`remove A` while `index A B` embeds (200 + 16 photos); {landed} of {trials} " \
        "removes finished before the run did"


def attack_hash_collision(a: Attacker) -> tuple[int, int, list[str], str]:
    from PIL import Image, ImageDraw

    place = a.fresh("a04")
    data, folder = place / "data", place / "scans"
    folder.mkdir()

    def scan(name: str, shape: str, color: tuple[int, int, int]) -> None:
        image = Image.new("RGB", (800, 800), "white")
        draw = ImageDraw.Draw(image)
        (draw.ellipse if shape == "circle" else draw.rectangle)((200, 200, 600, 600), fill=color)
        image.save(folder / name, format="BMP")

    scan("circle.bmp", "circle", (220, 20, 20))
    problems = a.index(data, folder)[1]
    old_vector = _vector(data, folder / "circle.bmp")
    (folder / "circle.bmp").unlink()
    scan("square.bmp", "square", (20, 20, 220))
    summary, issues = a.index(data)
    problems += issues
    if summary and summary["moved"]:
        problems.append("a different scan of the same size and margins counted as the same photo")
    new_vector = _vector(data, folder / "square.bmp")
    if new_vector is not None and old_vector is not None and np.array_equal(new_vector, old_vector):
        problems.append("the new scan inherited the old one's vector")
    return 1, 0, problems + a.inconsistencies(data), "two 800 x 800 BMPs, same size and margins"


def _vector(data: Path, path: Path) -> np.ndarray | None:
    conn = sqlite3.connect(f"{(data / 'catalog.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT vector FROM photos WHERE path = ?", (str(path),)).fetchone()
    finally:
        conn.close()
    return None if row is None or row[0] is None else np.frombuffer(row[0], np.float32)


def attack_garbled_vectors(a: Attacker) -> tuple[int, int, list[str], str]:
    trials, lost, problems = 0, 0, []
    for checksums in ("kept", "cleared"):
        place = a.fresh(f"a05-{checksums}")
        data = place / "data"
        a.photos(place / "photos", 12)
        problems += a.index(data, place / "photos")[1]
        conn = sqlite3.connect(data / "catalog.sqlite3")
        damaged = []
        for (pid, path, blob), value in zip(conn.execute("SELECT id, path, vector FROM photos LIMIT 2").fetchall(),
                                            (np.nan, 3e38), strict=True):
            vector = np.frombuffer(blob, np.float32).copy()
            vector[::3] = value
            conn.execute("UPDATE photos SET vector = ? WHERE id = ?", (vector.tobytes(), pid))
            damaged.append(path)
        if checksums == "cleared":  # as a catalog from before the checksums
            conn.execute("UPDATE photos SET vector_crc = NULL")
        conn.commit()
        conn.close()
        for name in ("vectors.hnsw", "vectors.json"):
            (data / name).unlink()
        results, issues = a.search(data)
        problems += issues + [f"damaged photo returned: {r['path']}" for r in results or [] if r["path"] in damaged]
        summary, issues = a.index(data)
        problems += issues + a.inconsistencies(data)
        if summary is None or summary["updated"] != 2:
            problems.append(f"{checksums}: the damaged photos were not embedded again ({summary})")
        results, issues = a.search(data)
        problems += issues
        lost += 12 - len(results or [])
        trials += 1
    return trials, lost, problems, "NaN and 3e38 written into two stored vectors, then a rebuild"


def attack_weights(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a06")
    data = place / "data"
    a.photos(place / "photos", 10)
    problems = a.index(data, place / "photos")[1]
    queries = ["1" + "0" * 40 + ":dog", "100000000000000000000:dog", "101:dog + cat", "cat - 1000:dog",
               "1e40:dog", "100:dog + cat", "99999999999:dog", ".5:dog - 100:cat"]
    for query in queries:
        done = a.cli(data, "search", "--json", query)
        problems += _traceback(done)
        if done.returncode == 0:
            try:
                results = json.loads(done.stdout, parse_constant=_no_constant)["results"]
            except ValueError as error:
                problems.append(f"{query!r}: {error}")
                continue
            problems += [f"{query!r}: non-finite score" for r in results if not math.isfinite(r["score"])]
        elif done.returncode != 1 or not done.stderr.strip():
            problems.append(f"{query!r}: exit {done.returncode} without a message")
    return len(queries), 0, problems, "huge and overflowing weights"


def attack_stamp_shapes(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a07")
    data = place / "data"
    a.photos(place / "photos", 6)
    problems = a.index(data, place / "photos")[1]
    shapes = ["[]", "null", "3", '"x"', "{}"]
    lost = 0
    for stamp in shapes:
        (data / "vectors.json").write_text(stamp)
        results, issues = a.search(data)
        problems += issues
        lost = max(lost, 6 - len(results or []))
        problems += a.index(data)[1]
        with contextlib.suppress(OSError, ValueError):
            if not isinstance(json.loads((data / "vectors.json").read_text()), dict):
                problems.append(f"index did not repair the stamp {stamp}")
    return len(shapes), lost, problems, "vectors.json valid JSON of another shape"


def attack_batch_bytes(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a08")
    data = place / "data"
    a.photos(place / "photos", 4)
    problems = a.index(data, place / "photos")[1]
    lines = b"a dog\ncaf\xe9 \xff on the beach\n\x80\x81\ncats\n"
    (place / "queries.txt").write_bytes(lines)
    for source, stdin in ((str(place / "queries.txt"), None), ("-", lines)):
        done = a.cli(data, "search", "--json", "-k", "2", "--batch", source, stdin=stdin)
        problems += _traceback(done)
        answers = done.stdout.splitlines()
        if done.returncode != 0 or len(answers) != 4:
            problems.append(f"--batch {source}: exit {done.returncode}, {len(answers)} of 4 lines answered")
    return 2, 0, problems, "a batch file and stdin with bytes that are not UTF-8"


def attack_lock_folder(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a09")
    data = place / "data"
    a.photos(place / "photos", 4)
    problems = a.index(data, place / "photos")[1]
    (data / "write.lock").unlink()
    (data / "write.lock").mkdir()
    (data / "vectors.hnsw").unlink()
    index = a.cli(data, "index")
    problems += _traceback(index)
    if index.returncode != 1 or b"write.lock" not in index.stderr or len(index.stderr.splitlines()) != 1:
        problems.append(f"index: exit {index.returncode}, {index.stderr[-300:]!r}")
    results, issues = a.search(data)
    problems += issues
    (data / "write.lock").rmdir()
    return 2, 4 - len(results or []), problems + a.inconsistencies(data), "write.lock is a folder"


def attack_full_disk(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a10")
    data = place / "data"
    data.mkdir()
    a.photos(place / "photos", 8)
    if not _can_mount(place):
        return 0, 0, [], "not run: this process may not mount a file system (tests/reliability simulates it)"
    _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(data))
    problems: list[str] = []
    try:
        problems += a.index(data, place / "photos")[1]
        with contextlib.suppress(OSError), open(data / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
        status = a.cli(data, "status", "--json")
        problems += _traceback(status)
        if status.returncode != 0 or b"is full" not in status.stderr:
            problems.append(f"status: exit {status.returncode}, {status.stderr[-200:]!r}")
        problems += a.search(data)[1]
        index = a.cli(data, "index")
        problems += _traceback(index)
        if index.returncode != 1 or b"is full" not in index.stderr:
            problems.append(f"index: exit {index.returncode}, {index.stderr[-200:]!r}")
        (data / "filler").unlink()
        summary, issues = a.index(data)
        problems += issues + a.inconsistencies(data)
        lost = 8 - (summary or {}).get("unchanged", 0)
    finally:
        _umount(data)
    return 4, lost, problems, "a 4 MiB tmpfs filled to the last byte"


def attack_hostile_names(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a11")
    data, folder = place / "data", place / "photos"
    a.photos(folder, 2)
    os.mkfifo(folder / "pipe.jpg")
    (folder / "zero.jpg").symlink_to("/dev/zero")
    (folder / "urandom.jpg").symlink_to("/dev/urandom")
    (folder / "l1.jpg").symlink_to(folder / "l2.jpg")
    (folder / "l2.jpg").symlink_to(folder / "l1.jpg")
    from tests.conftest import draw_photo

    for i, name in enumerate(["esc\x1b[31m.jpg", "cr\r.jpg", "nl\n.jpg", "rlo\u202e.jpg"]):
        draw_photo(folder / name, seed=900 + i)
    summary, problems = a.index(data, folder)
    skipped = {os.path.basename(s["path"]) for s in (summary or {}).get("skipped", [])}
    missing = {"pipe.jpg", "zero.jpg", "urandom.jpg", "l1.jpg", "l2.jpg"} - skipped
    problems += [f"not listed as skipped: {sorted(missing)}"] if missing else []
    plain = a.cli(data, "search", "-k", "20", "x")
    if any(c in plain.stdout for c in (b"\x1b", b"\r", "\u202e".encode())) or len(plain.stdout.splitlines()) != 6:
        problems.append("control characters reached the terminal output")
    return 9, 6 - len(a.catalog_rows(data)), problems + a.inconsistencies(data), \
        "FIFO, /dev links, a link loop; ESC, CR, LF, U+202E in names"


def attack_renamed_root(a: Attacker) -> tuple[int, int, list[str], str]:
    place = a.fresh("a12")
    data = place / "data"
    a.photos(place / "Photos" / "2024", 24)
    problems = a.index(data, place / "Photos")[1]
    os.rename(place / "Photos", place / "Photos renamed")
    summary, issues = a.index(data, place / "Photos renamed")
    problems += issues + a.inconsistencies(data)
    rows = a.catalog_rows(data)
    if len(rows) != 24:
        problems.append(f"{len(rows)} photos for 24 files (offline duplicates)")
    status = json.loads(a.cli(data, "status", "--json").stdout)
    if [f["path"] for f in status["folders"]] != [str(place / "Photos renamed")]:
        problems.append(f"folders: {[f['path'] for f in status['folders']]}")
    return 1, 24 - (summary or {}).get("moved", 0), problems, "mv Photos 'Photos renamed'; index the new name"


def attack_startup_subprocess(a: Attacker) -> tuple[int, int, list[str], str]:
    code = ("import sys; seen = [];"
            "sys.addaudithook(lambda event, args: seen.append(event) if event in "
            "('subprocess.Popen', 'os.posix_spawn', 'os.exec', 'os.system') else None);"
            "import photosearch.core.library as l, tempfile; l.Library(tempfile.mkdtemp()).close(); print(seen)")
    done = subprocess.run([sys.executable, "-c", code], env=a.env, capture_output=True, text=True, timeout=120)
    problems = [] if done.stdout.strip() == "[]" else [f"start-up ran: {done.stdout.strip()} {done.stderr[-200:]}"]
    return 1, 0, problems, "audit hook on subprocess creation while a Library opens"


ATTACKS: list[tuple[str, str, Callable[[Attacker], tuple[int, int, list[str], str]]]] = [
    ("1", "library root is a mount point; unmount; index; remount", attack_unmounted_root),
    ("2", "catalog emptied or deleted, folders.json intact", attack_lost_catalog),
    ("3", "remove A while index A B runs", attack_remove_during_index),
    ("4", "content-hash collision: same size and margins", attack_hash_collision),
    ("5", "garbled vector bytes inside the catalog", attack_garbled_vectors),
    ("6", "query weights that overflow", attack_weights),
    ("7", "vectors.json valid JSON but not an object", attack_stamp_shapes),
    ("8", "search --batch with bytes that are not UTF-8", attack_batch_bytes),
    ("9", "write.lock is a directory", attack_lock_folder),
    ("10", "disk 100% full", attack_full_disk),
    ("11", "FIFOs, device links, link loops; control characters in names", attack_hostile_names),
    ("12", "library folder renamed, indexed under the new name", attack_renamed_root),
    ("13", "no subprocess at start-up (ldconfig)", attack_startup_subprocess),
]


def run_suite(root: Path) -> dict[str, Any]:
    """tests/reliability (the table's other rows) with a JUnit report: counts of tests and outcomes."""
    report = root / "suite.xml"
    started = time.monotonic()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/reliability",
                           "--ignore", "tests/reliability/test_round_two.py", f"--junitxml={report}"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=3600)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    failed = []
    with contextlib.suppress(OSError, ET.ParseError):
        for suite in ET.parse(report).getroot().iter("testsuite"):
            for key in counts:
                counts[key] += int(suite.get(key, 0))
            for case in suite.iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(f"{case.get('classname')}::{case.get('name')}")
    return {**counts, "passed": counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"],
            "failed": failed, "exit": done.returncode, "seconds": round(time.monotonic() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-suite", action="store_true", help="only the issue-20 attacks, not tests/reliability")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp dir, removed)")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="photosearch-attacks-"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        attacker = Attacker(root, make_tiny_model(root / "tiny-model"))
        rows = []
        for number, name, attack in ATTACKS:
            t0 = time.monotonic()
            try:
                trials, lost, problems, how = attack(attacker)
            except Exception as error:  # an attack that crashes is a finding, not the end of the table
                trials, lost, problems, how = 1, 0, [f"the attack itself failed: {type(error).__name__}: {error}"], ""
            rows.append({"item": number, "attack": name, "how": how, "trials": trials, "photos_lost": lost,
                         "inconsistencies": len(problems), "problems": problems[:5],
                         "held": trials > 0 and lost == 0 and not problems, "seconds": round(time.monotonic() - t0, 1)})
        summary: dict[str, Any] = {
            "trials": sum(r["trials"] for r in rows), "photos_lost": sum(r["photos_lost"] for r in rows),
            "inconsistencies": sum(r["inconsistencies"] for r in rows),
            "attacks_held": sum(r["held"] for r in rows), "attacks": len(rows), "not_run": [
                r["item"] for r in rows if r["trials"] == 0]}
        if not args.skip_suite:
            summary["suite"] = run_suite(root)
        summary["seconds"] = round(time.monotonic() - started, 1)
        summary["rows"] = rows
        print(json.dumps(summary, ensure_ascii=True))
    finally:
        if not args.keep:
            for leftover in sorted(root.rglob("*"), reverse=True):  # a mount left by a crash must not be deleted into
                if leftover.is_dir() and os.path.ismount(leftover):
                    _umount(leftover)
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
