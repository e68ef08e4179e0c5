"""Strange files in a library folder: each is indexed correctly or skipped with a reason, and the run completes."""

from __future__ import annotations

import builtins
import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import draw_photo


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _decompression_bomb() -> bytes:
    """A few hundred bytes of PNG that claim 60000 x 60000 pixels (3.6 gigapixels)."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + _png_chunk(b"IEND", b"")


def _drawn(mode: str, size=(120, 90)) -> Image.Image:
    image = Image.new("RGB", size, (30, 120, 200))
    image.paste((250, 200, 10), (10, 10, size[0] // 2, size[1] // 2))
    return image.convert(mode) if mode != "RGB" else image


def _save(image: Image.Image, path: Path, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kwargs)
    return path


def _with_orientation(path: Path, orientation) -> Path:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _save(_drawn("RGB"), path, format="JPEG", exif=exif.tobytes())


# name -> (how to make it, "indexed" or a word the skip reason must contain)
def _cases(folder: Path) -> dict[str, str]:
    good = draw_photo(folder / "good.jpg", seed=1)
    data = good.read_bytes()
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (folder / "header-only.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "not-an-image.jpg").write_text("these are holiday notes, not a photo\n")
    (folder / "bomb.png").write_bytes(_decompression_bomb())
    draw_photo(folder / "png-named.jpg", seed=2, fmt="PNG")  # wrong extension, real image: read by content
    _save(_drawn("RGB", (30000, 2000)), folder / "panorama.jpg", format="JPEG", quality=50)
    _save(_drawn("CMYK"), folder / "cmyk.jpg", format="JPEG")
    _save(Image.fromarray(np.arange(120 * 90, dtype=np.uint16).reshape(90, 120) * 7),
          folder / "sixteen-bit.png", format="PNG")
    _save(_drawn("P"), folder / "palette.png", format="PNG")
    rgba = _drawn("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(rgba.size))
    _save(rgba, folder / "alpha.png", format="PNG")
    frames = [_drawn("RGB").convert("P"), Image.new("P", (120, 90), 3)]
    frames[0].save(folder / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    _with_orientation(folder / "orientation-9.jpg", 9)
    _with_orientation(folder / "orientation-0.jpg", 0)
    _with_orientation(folder / "orientation-6.jpg", 6)
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    (folder / "dangling.jpg").symlink_to(folder / "nowhere.jpg")
    (folder / "folder-loop").mkdir()
    (folder / "folder-loop" / "again").symlink_to(folder)
    draw_photo(folder / "with spaces in the name.jpg", seed=3)
    draw_photo(folder / "strand 🏖️ und 🐕.jpg", seed=4)
    draw_photo(folder / ("x" * 251 + ".jpg"), seed=5)  # 255 bytes, the longest name ext4 allows
    draw_photo(folder / ("é" * 125 + "a.jpg"), seed=6)  # 255 bytes in UTF-8, 131 characters
    draw_photo(Path(os.fsdecode(os.path.join(os.fsencode(folder), b"latin1-caf\xe9.jpg"))), seed=7)
    return {
        "good.jpg": "indexed", "empty.jpg": "empty", "truncated.jpg": "truncated", "header-only.png": "truncated",
        "not-an-image.jpg": "not an image", "bomb.png": "too large", "png-named.jpg": "indexed",
        "panorama.jpg": "indexed", "cmyk.jpg": "indexed", "sixteen-bit.png": "indexed", "palette.png": "indexed",
        "alpha.png": "indexed", "animated.gif": "indexed", "orientation-9.jpg": "indexed",
        "orientation-0.jpg": "indexed", "orientation-6.jpg": "indexed", "with spaces in the name.jpg": "indexed",
        "strand 🏖️ und 🐕.jpg": "indexed", "x" * 251 + ".jpg": "indexed", "é" * 125 + "a.jpg": "indexed",
        os.fsdecode(b"latin1-caf\xe9.jpg"): "indexed",
        "loop.jpg": "a symbolic link loop",
    }


def test_every_strange_file_is_indexed_or_skipped_with_a_reason(tmp_path, make_library):
    folder = tmp_path / "photos"
    folder.mkdir()
    expected = _cases(folder)
    library = make_library()
    library.add_folder(folder)
    list(library.index())  # completes: nothing raises
    summary = library.last_index_summary
    indexed = {os.path.basename(r.path) for r in library.search("anything", k=100)}
    reasons = {os.path.basename(s["path"]): s["reason"] for s in summary["skipped"]}
    for name, outcome in expected.items():
        if outcome == "indexed":
            assert name in indexed, f"{name!r} was not indexed (skipped: {reasons.get(name)!r})"
        else:
            assert name in reasons and outcome in reasons[name], f"{name!r}: {reasons.get(name)!r}"
    assert summary["photos"] == len(indexed) == sum(v == "indexed" for v in expected.values())
    # a dangling link (perhaps to a photo on an unplugged drive) is neither a photo nor worth a reason; a link
    # to itself is reported (issue 20: it was skipped silently), see `expected`
    assert "dangling.jpg" not in indexed | set(reasons)
    # orientation 6 turns the 120 x 90 picture upright: its details say 90 x 120
    info = library.photo_info(folder / "orientation-6.jpg")
    assert (info.width, info.height) == (90, 120)

    list(library.index())  # a second run finds nothing to do and tries no broken file again
    again = library.last_index_summary
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0)
    assert {os.path.basename(s["path"]) for s in again["skipped"]} == set(reasons)


def test_the_status_and_the_cli_json_cope_with_names_that_are_not_utf8(tmp_path, make_library):
    name = os.fsdecode(b"caf\xe9-\xff.jpg")
    draw_photo(Path(os.fsdecode(os.fsencode(tmp_path / "photos") + b"/" + os.fsencode(name))), seed=1)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    (found,) = library.search("x", k=5)
    assert os.fsencode(found.path).endswith(b"caf\xe9-\xff.jpg")
    assert library.search_image(found.path, k=1, keep_query=True)[0].path == found.path
    assert library.status()["photos"] == 1


def test_a_file_the_user_may_not_read_is_skipped_with_a_reason(tmp_path, make_library, monkeypatch):
    # Tests run as root here, and root reads every file whatever its mode: emulate the refusal instead.
    locked = draw_photo(tmp_path / "photos" / "locked.jpg", seed=1)
    draw_photo(tmp_path / "photos" / "open.jpg", seed=2)
    real_open = builtins.open
    real_io_open = io.open

    def guarded(opener):
        def open_(file, *args, **kwargs):
            if os.fspath(file) == str(locked):
                raise PermissionError(13, "Permission denied", str(locked))
            return opener(file, *args, **kwargs)
        return open_

    monkeypatch.setattr(builtins, "open", guarded(real_open))
    monkeypatch.setattr(io, "open", guarded(real_io_open))
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    (skipped,) = library.last_index_summary["skipped"]
    assert skipped["path"] == str(locked) and "permission denied" in skipped["reason"].lower()
    assert [os.path.basename(r.path) for r in library.search("x")] == ["open.jpg"]


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root reads files whatever their mode; the monkeypatched test above covers this")
def test_a_file_without_read_permission_is_skipped(tmp_path, make_library):
    locked = draw_photo(tmp_path / "photos" / "locked.jpg", seed=1)
    locked.chmod(0)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    (skipped,) = library.last_index_summary["skipped"]
    assert "permission denied" in skipped["reason"].lower()


def test_the_cli_prints_names_that_are_not_utf8(tmp_path, make_library, cli_env, cli_command):
    import json
    import subprocess

    raw = os.fsencode(tmp_path / "photos") + b"/caf\xe9 \xff.jpg"
    draw_photo(Path(os.fsdecode(raw)), seed=1)
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    data = tmp_path / "data"
    found = subprocess.run(cli_command(data, "search", "x"), env=cli_env, capture_output=True, timeout=120)
    assert found.returncode == 0 and raw in found.stdout, found.stderr  # the name's own bytes, as ls prints them
    as_json = subprocess.run(cli_command(data, "search", "x", "--json"), env=cli_env, capture_output=True,
                             timeout=120)
    (result,) = json.loads(as_json.stdout)["results"]
    assert os.fsencode(result["path"]) == raw  # valid JSON that gives the exact name back
