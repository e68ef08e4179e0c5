"""atomicfile: a file is replaced whole or not at all."""

from __future__ import annotations

import pytest

from photosearch.core import atomicfile


def test_write_replaces_the_file_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "f.json"
    atomicfile.write_text(target, "one")
    atomicfile.write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]


def test_a_failing_writer_keeps_the_old_file(tmp_path):
    target = tmp_path / "index.bin"
    target.write_bytes(b"old")

    def broken(name: str) -> None:
        with open(name, "wb") as handle:
            handle.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomicfile.write_with(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["index.bin"]
