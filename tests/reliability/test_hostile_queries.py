"""Any Unicode string as a query: results or a clear QueryError, never another exception (benchmarks/ times it)."""

from __future__ import annotations

import json
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photosearch.core.query import QueryError, parse_query
from tests.conftest import draw_photo

SPECIAL = [
    "", " ", "\t\n\r ", "\u00a0\u2003\u3000", "\x00", "\x00dog", "dog\x00cat", "\x1b[31mred\x1b[0m", "\x7f\x85",
    "🐕", "🏖️ + 🐕 - 👨‍👩‍👧", "🏳️‍🌈" * 300, "كلب على الشاطئ", "כלב\u200f בשלג", "\u202egnp.god", "犬が雪の中で走る",
    "\ud800", "dog \udc80 cat", "\udfff\ud800", "+", "-", "+ -", "- dog", "dog - dog", "2:", "0:dog", "99999999999:dog",
    '"', '""', '"dog', "1e308:dog + cat", ".5:dog", "file://", "file:///nonexistent.jpg", "/", "~", "../../etc/passwd",
    "a" * 10_000, "dog " * 2_500, "-" * 10_000, "+ " * 5_000, "\u0301" * 10_000, "😀" * 10_000,
]

any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=300)
with_surrogates = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                                 blacklist_categories=()), max_size=60)
long_text = st.builds(lambda chunk, n: (chunk * n)[:10_000], st.text(min_size=1, max_size=5), st.integers(1, 10_000))


@pytest.fixture(scope="module")
def searchable(tmp_path_factory, tiny_encoder):
    """A small indexed library shared by the examples (hypothesis runs many per test)."""
    from photosearch.core.library import Library

    root = tmp_path_factory.mktemp("hostile")
    for i in range(12):
        draw_photo(root / "photos" / f"p{i}.jpg", seed=i)
    library = Library(root / "data", encoder=tiny_encoder, cache_dir=root / "cache")
    library.add_folder(root / "photos")
    list(library.index())
    yield library
    library.close()


def _answer(library, query: str, k: int = 5):
    try:
        results = library.search(query, k=k)
    except QueryError as error:
        assert str(error), "a QueryError must say why"
        results = None
    if results is not None:
        assert len(results) <= k and all(isinstance(r.score, float) and r.score == r.score for r in results)
        assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    return results


@pytest.mark.parametrize("query", SPECIAL, ids=range(len(SPECIAL)))
def test_special_queries(searchable, query):
    _answer(searchable, query)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(any_text, with_surrogates, long_text))
def test_any_unicode_query(searchable, query):
    _answer(searchable, query)


@settings(max_examples=300, deadline=None)
@given(query=st.one_of(any_text, with_surrogates))
def test_the_parser_returns_terms_or_a_query_error(query):
    try:
        terms = parse_query(query)
    except QueryError as error:
        assert str(error)
        return
    assert terms and any(t.weight > 0 for t in terms) and all(t.text for t in terms)


def test_the_cli_answers_hostile_lines_one_by_one(tmp_path, searchable, cli_env, cli_command):
    lines = ["\x1b[31mred\x1b[0m", "🏖️ + 🐕", "كلب", "a" * 10_000, "dog - dog", "\x00", "\u202egnp.god"]
    done = subprocess.run(cli_command(searchable.data_dir, "search", "--batch", "-", "--json"), env=cli_env,
                          input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["query"] for a in answers] == lines
    assert all(("results" in a) != ("error" in a) for a in answers)
