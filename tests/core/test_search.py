"""search: arithmetic of terms, photo terms, image queries from outside the library, and the relevance floor."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from photosearch.core.query import QueryError


@pytest.fixture()
def indexed(tmp_path, make_library, photo_factory):
    photos = [photo_factory(f"p{i:02d}.jpg", seed=i) for i in range(12)]
    library = make_library()
    library.add_folder(tmp_path / "photos")
    list(library.index())
    return library, photos


def _ranking(library, vector, k=12):
    vector = vector / np.linalg.norm(vector)
    return [label for label, _ in library.store.current(len(vector)).search(vector, k)]


def test_weighted_sum_and_difference_of_texts(indexed):
    library, _ = indexed
    encoder = library.ensure_model()
    dog, cat = encoder.encode_texts(["dog", "cat"])
    results = library.search("2:dog - cat", k=12)
    paths = library.catalog.paths_of(_ranking(library, 2 * dog - cat))
    assert [r.path for r in results] == [paths[label] for label in _ranking(library, 2 * dog - cat)]
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


def test_a_photo_path_term_uses_the_photos_vector(indexed):
    library, photos = indexed
    stored = library.catalog.vector_of(str(photos[5]))
    text = library.ensure_model().encode_texts(["snow"])[0]
    expected = library.catalog.paths_of(_ranking(library, stored + 0.5 * text, k=13))
    results = library.search(f"{photos[5]} + 0.5:snow", k=12)
    ranked = [expected[label] for label in _ranking(library, stored + 0.5 * text, k=13)]
    # The photo asked about is left out of its own answers; the rest keep their order.
    assert [r.path for r in results] == [path for path in ranked if path != str(photos[5])][:12]


def test_an_image_outside_the_library_is_embedded_and_finds_its_copy(indexed, tmp_path):
    library, photos = indexed
    outside = tmp_path / "elsewhere" / "copy.jpg"
    outside.parent.mkdir()
    shutil.copy(photos[7], outside)
    first = library.search_image(outside, k=3)[0]  # a copy is not the query photo: it comes first
    assert first.path == str(photos[7]) and first.score == pytest.approx(1.0, abs=1e-3)


def test_the_query_photo_is_left_out_of_its_own_answers(indexed):
    library, photos = indexed
    kept = library.search_image(photos[4], k=6, keep_query=True)
    assert kept[0].path == str(photos[4]) and kept[0].score == pytest.approx(1.0, abs=1e-3)
    left_out = library.search_image(photos[4], k=5)
    assert [r.path for r in left_out] == [r.path for r in kept[1:]]
    assert str(photos[4]) not in [r.path for r in library.search(f"{photos[4]} + snow", k=12)]


def test_weak_results_are_exactly_those_below_the_floor(indexed):
    library, photos = indexed
    results = library.search_image(photos[0], k=12, keep_query=True)
    assert not results[0].weak
    flags = [r.weak for r in results]
    assert flags == sorted(flags)  # once weak, every lower score is weak too


def test_bad_queries_raise_query_errors(indexed, tmp_path):
    library, _ = indexed
    with pytest.raises(QueryError, match="cancel"):
        library.search("dog - dog")
    with pytest.raises(QueryError):
        library.search("   ")
    (tmp_path / "broken.jpg").write_bytes(b"nope")
    with pytest.raises(QueryError, match="cannot read"):
        library.search_image(tmp_path / "broken.jpg")
    with pytest.raises(QueryError, match="not an image file"):
        library.search_image(tmp_path / "missing.jpg")


def test_empty_library_gives_no_results(make_library):
    assert make_library().search("dog") == []
