"""Library.explain (focal-point heat-maps) and ADAPT re-ranking in search, with and without ADAPT weights."""

from __future__ import annotations

import numpy as np
import pytest

from photosearch.core import focus
from photosearch.core.errors import SearchCancelled
from photosearch.core.library import LibraryError


def _indexed(make_library, photo_factory, encoder, count: int = 6):
    library = make_library(encoder=encoder)
    paths = [photo_factory(f"p{i}.png", seed=i) for i in range(count)]
    library.add_folder(paths[0].parent)
    list(library.index())
    return library, paths


def test_without_adapt_weights_explain_and_rerank_say_so(make_library, photo_factory, tiny_encoder):
    library, paths = _indexed(make_library, photo_factory, tiny_encoder, 3)
    assert not library.explain_available()
    with pytest.raises(LibraryError, match="no ADAPT head"):
        library.explain(paths[0], "red")
    with pytest.raises(LibraryError, match="cannot re-rank"):
        library.search("red", k=3, rerank=3)
    assert len(library.search("red", k=3)) == 3  # plain search is unaffected


def test_explain_gives_a_unit_heatmap_over_the_whole_photo(make_library, photo_factory, tiny_adapt_encoder):
    library, _ = _indexed(make_library, photo_factory, tiny_adapt_encoder, 1)
    wide = photo_factory("wide.png", seed=99, size=(192, 64))
    assert library.explain_available()
    heat = library.explain(wide, "a red ball")
    assert heat.dtype == np.float32
    assert heat.shape == (2, 6)  # shorter side at 64 px -> 64 x 192 -> a 2 x 6 map: the whole photo, not a crop
    assert heat.min() >= 0 and heat.max() == pytest.approx(1.0)


def test_explain_refuses_photo_queries_and_unreadable_files(make_library, photo_factory, tiny_adapt_encoder,
                                                            tmp_path):
    library, paths = _indexed(make_library, photo_factory, tiny_adapt_encoder, 2)
    with pytest.raises(LibraryError, match="text queries"):
        library.explain(paths[0], str(paths[1]))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(LibraryError, match="cannot read"):
        library.explain(broken, "dog")


def test_rerank_reorders_the_top_results_by_the_mixed_score(make_library, photo_factory, tiny_adapt_encoder):
    library, _ = _indexed(make_library, photo_factory, tiny_adapt_encoder, 8)
    plain = library.search("a red ball", k=8)
    reranked = library.search("a red ball", k=8, rerank=5)
    assert {r.path for r in reranked} == {r.path for r in plain}
    top_plain, top_reranked = plain[:5], reranked[:5]
    assert {r.path for r in top_reranked} == {r.path for r in top_plain}  # only the top 5 move, among themselves
    assert [r.path for r in reranked[5:]] == [r.path for r in plain[5:]]
    scores = [r.score for r in top_reranked]
    assert scores == sorted(scores, reverse=True)
    # Each re-ranked score is the mix of its global cosine and its ADAPT score.
    encoder = tiny_adapt_encoder
    query = encoder.encode_texts(["a red ball"])[0]
    head = encoder.adapt_head()
    first = top_reranked[0]
    global_score = next(r.score for r in plain if r.path == first.path)
    (adapt,) = encoder.focus(query, [encoder.preprocess(focus.imageio.decode(first.path, 64).image)])
    assert first.score == pytest.approx((1 - head.mix) * global_score + head.mix * adapt.score, abs=1e-4)


def test_rerank_fetches_enough_candidates_when_k_is_smaller(make_library, photo_factory, tiny_adapt_encoder):
    library, _ = _indexed(make_library, photo_factory, tiny_adapt_encoder, 6)
    assert len(library.search("a red ball", k=2, rerank=6)) == 2
    wide = library.search("a red ball", k=6, rerank=6)
    assert [r.path for r in library.search("a red ball", k=2, rerank=6)] == [r.path for r in wide[:2]]


def test_image_queries_are_not_reranked(make_library, photo_factory, tiny_adapt_encoder):
    library, paths = _indexed(make_library, photo_factory, tiny_adapt_encoder, 4)
    assert library.search(str(paths[0]), k=4, rerank=4) == library.search(str(paths[0]), k=4)


def test_rerank_reports_each_photo_and_gives_the_scores_of_one_photo_at_a_time(make_library, photo_factory,
                                                                              tiny_adapt_encoder, tmp_path):
    _, paths = _indexed(make_library, photo_factory, tiny_adapt_encoder, 5)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    names = [str(p) for p in paths[:3]] + [str(broken)] + [str(paths[3])]
    encoder = tiny_adapt_encoder
    query = encoder.encode_texts(["a red ball"])[0]
    seen = []
    scores = focus.rerank(encoder, query, names, [0.1, 0.2, 0.3, 0.4, 0.5], progress=lambda *p: seen.append(p))
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    mix = encoder.adapt_head().mix
    for name, score, global_score in zip(names, scores, [0.1, 0.2, 0.3, 0.4, 0.5], strict=True):
        if name == str(broken):
            assert score == global_score  # unreadable: keeps its global score
            continue
        (alone,) = encoder.focus(query, [encoder.preprocess(focus.imageio.decode(name, encoder.image_size).image)])
        assert score == pytest.approx((1 - mix) * global_score + mix * alone.score, abs=1e-5)


def test_a_cancelled_rerank_stops_at_the_next_photo(make_library, photo_factory, tiny_adapt_encoder):
    library, _ = _indexed(make_library, photo_factory, tiny_adapt_encoder, 6)
    seen = []
    with pytest.raises(SearchCancelled):
        library.search("a red ball", k=6, rerank=6, progress=lambda done, total: seen.append(done),
                       cancelled=lambda: len(seen) > 2)
    assert seen == [0, 1, 2]  # three photos re-ranked, then it stopped
    assert len(library.search("a red ball", k=6, rerank=6)) == 6  # and the next search runs as ever
