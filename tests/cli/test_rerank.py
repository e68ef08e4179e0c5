"""`photosearch search --rerank N`: ADAPT re-ranking from the shell, and a clear error without ADAPT weights."""

from __future__ import annotations


def _index(photosearch, photo_factory, tmp_path, count: int = 3) -> None:
    for i in range(count):
        photo_factory(f"p{i}.png", seed=i)
    photosearch("index", str(tmp_path / "photos"))


def test_rerank_without_adapt_weights_says_so(photosearch, photo_factory, tmp_path):
    _index(photosearch, photo_factory, tmp_path)
    done = photosearch("search", "a red ball", "--rerank", "3", expect=1)
    assert "ADAPT" in done.stderr and "Traceback" not in done.stderr


def test_rerank_with_adapt_weights_returns_the_same_photos(photosearch, photo_factory, tmp_path, cli_env,
                                                           tiny_adapt_dir):
    cli_env["PHOTOSEARCH_WEIGHTS"] = str(tiny_adapt_dir)
    _index(photosearch, photo_factory, tmp_path)
    plain = photosearch("search", "a red ball", "--json").json["results"]
    reranked = photosearch("search", "a red ball", "--rerank", "3", "--json").json["results"]
    assert sorted(r["path"] for r in reranked) == sorted(r["path"] for r in plain)
    assert [r["score"] for r in reranked] != [r["score"] for r in plain]  # mixed scores, not the global ones
