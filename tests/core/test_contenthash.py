"""contenthash: the same bytes under another name hash the same; different content does not."""

from __future__ import annotations

import os

from photosearch.core.contenthash import content_hash

EDGE_BYTES = 64 * 1024  # what the hash once covered at each end


def test_same_content_same_hash_regardless_of_name(tmp_path):
    data = os.urandom(3 * EDGE_BYTES)
    (tmp_path / "a.jpg").write_bytes(data)
    (tmp_path / "b.jpg").write_bytes(data)
    assert content_hash(tmp_path / "a.jpg") == content_hash(tmp_path / "b.jpg")


def test_changes_at_either_end_or_in_size_change_the_hash(tmp_path):
    data = bytearray(os.urandom(3 * EDGE_BYTES))
    (tmp_path / "a").write_bytes(data)
    original = content_hash(tmp_path / "a")
    for variant in (b"x" + data[1:], data[:-1] + b"x", data + b"x"):
        (tmp_path / "b").write_bytes(variant)
        assert content_hash(tmp_path / "b") != original


def test_small_files_are_hashed_whole(tmp_path):
    (tmp_path / "a").write_bytes(b"1" * 1000)
    (tmp_path / "b").write_bytes(b"1" * 500 + b"2" + b"1" * 499)
    assert content_hash(tmp_path / "a") != content_hash(tmp_path / "b")


def test_a_change_in_the_middle_changes_the_hash(tmp_path):
    data = bytearray(os.urandom(3 * EDGE_BYTES))
    (tmp_path / "a").write_bytes(data)
    data[len(data) // 2] ^= 1
    (tmp_path / "b").write_bytes(data)
    assert content_hash(tmp_path / "a") != content_hash(tmp_path / "b")


def test_files_up_to_twice_the_old_edge_keep_their_old_hash(tmp_path):
    import hashlib

    data = os.urandom(2 * EDGE_BYTES)
    (tmp_path / "a").write_bytes(data)
    old = hashlib.blake2b(len(data).to_bytes(8, "little") + data, digest_size=16).hexdigest()
    assert content_hash(tmp_path / "a") == old  # catalogs made before keep matching moved small files
