"""query: parsing `+`, `-`, weights, quotes and photo paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from photosearch.core.query import QueryError, Term, parse_query


def test_plain_text_in_any_language_is_one_term():
    assert parse_query("ein Hund im Schnee") == [Term("ein Hund im Schnee", 1.0)]
    assert parse_query("雪の中の犬") == [Term("雪の中の犬", 1.0)]


def test_plus_minus_and_weights():
    assert parse_query("beach + dog - people") == [Term("beach", 1.0), Term("dog", 1.0), Term("people", -1.0)]
    assert parse_query("2:dog + 0.5:cat") == [Term("dog", 2.0), Term("cat", 0.5)]
    assert parse_query("beach -people") == [Term("beach", 1.0), Term("people", -1.0)]


def test_hyphens_inside_words_and_quoted_minus_are_text():
    assert parse_query("a t-shirt") == [Term("a t-shirt", 1.0)]
    assert parse_query('"rock - paper" + scissors') == [Term("rock - paper", 1.0), Term("scissors", 1.0)]


def test_an_existing_image_path_is_a_photo_term(tmp_path):
    photo = tmp_path / "Holiday - Beach" / "x.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"x")
    assert parse_query(str(photo)) == [Term(str(photo), 1.0, is_path=True)]  # " - " in the name is no operator
    (tmp_path / "y.jpg").write_bytes(b"y")
    assert parse_query(f"{tmp_path / 'y.jpg'} - dog") == [Term(str(tmp_path / "y.jpg"), 1.0, True),
                                                          Term("dog", -1.0)]
    assert parse_query(f"file://{tmp_path / 'y.jpg'}") == [Term(str(tmp_path / "y.jpg"), 1.0, True)]


def test_a_bare_word_stays_a_word_even_if_a_file_has_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dog").write_bytes(b"x")
    assert parse_query("dog") == [Term("dog", 1.0)]


@pytest.mark.parametrize("query", ["", "   ", "+", "- people", "0:dog"])
def test_nothing_to_look_for_is_a_clear_error(query):
    with pytest.raises(QueryError):
        parse_query(query)


@given(st.text(max_size=40))
def test_any_text_parses_or_gives_a_query_error(text):
    try:
        terms = parse_query(text)
    except QueryError:
        return
    assert terms and all(t.text.strip() for t in terms)
