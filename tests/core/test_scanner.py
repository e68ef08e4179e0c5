"""scanner: which files are photos, which folders are walked, and that symlink loops end."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from photosearch.core import scanner


def _bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"])
def test_sniff_recognises_what_pillow_writes(fmt):
    assert scanner.sniff_format(_bytes(fmt)[:32]) == fmt


def test_sniff_recognises_heif_and_avif_brands():
    assert scanner.sniff_format(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "HEIF"
    assert scanner.sniff_format(b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00") == "AVIF"
    assert scanner.sniff_format(b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00") is None  # an MP4 video


def test_check_magic_gives_reasons(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("hello")
    (tmp_path / "ok.jpg").write_bytes(_bytes("PNG"))  # the wrong extension is fine: the content decides
    assert scanner.check_magic(str(tmp_path / "empty.jpg")) == "empty file"
    assert "not an image" in scanner.check_magic(str(tmp_path / "text.jpg"))
    assert scanner.check_magic(str(tmp_path / "ok.jpg")) is None
    assert scanner.check_magic(str(tmp_path / "gone.jpg")) == "file not found"


def test_walk_finds_images_by_extension_and_skips_hidden_and_system_folders(tmp_path):
    for name in ["a.jpg", "sub/b.PNG", "sub/deeper/c.webp", "notes.txt", ".hidden/d.jpg", ".e.jpg",
                 "@eaDir/f.jpg", "$RECYCLE.BIN/g.jpg"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = {f.path for f in scanner.walk(str(tmp_path))}
    assert found == {str(tmp_path / n) for n in ["a.jpg", "sub/b.PNG", "sub/deeper/c.webp"]}


def test_walk_reports_size_and_mtime(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"12345")
    (item,) = scanner.walk(str(tmp_path))
    assert item.size == 5 and item.mtime_ns == (tmp_path / "a.jpg").stat().st_mtime_ns


def test_symlink_loops_end_and_each_real_folder_is_walked_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(b"x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "alias").symlink_to(tmp_path / "a", target_is_directory=True)
    found = [f.path for f in scanner.walk(str(tmp_path))]
    assert len(found) == 1 and found[0].endswith("x.jpg")


def test_scan_paths_mixes_files_and_folders_and_ignores_missing(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.jpg").write_bytes(b"x")
    (tmp_path / "y.gif").write_bytes(b"x")
    found = {f.path for f in scanner.scan_paths([str(tmp_path / "d"), str(tmp_path / "y.gif"),
                                                 str(tmp_path / "missing.jpg")])}
    assert found == {str(tmp_path / "d" / "x.jpg"), str(tmp_path / "y.gif")}
