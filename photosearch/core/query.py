"""The query language: plain text, `+`/`-` to combine terms, optional weights ("2:dog + cat"), photo paths."""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass

from photosearch.core.errors import QueryError
from photosearch.core.scanner import has_image_extension

__all__ = ["QueryError", "Term", "as_image_path", "parse_query"]

_WEIGHT = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*:\s*(.+?)\s*$", re.DOTALL)
# Weights beyond this only ever mean a typo: a term 100 times another already drowns it, while 1e20 overflowed
# the float32 sum (a zero or NaN query vector: arbitrary photos, NaN scores).
MAX_WEIGHT = 100.0


@dataclass(frozen=True)
class Term:
    """One term of a query: words or a photo path, with its signed weight."""

    text: str  # the words, or the photo path when `is_path`
    weight: float  # signed: a `-` term has a negative weight
    is_path: bool = False


def as_image_path(text: str) -> str | None:
    """The file path `text` names, when it names an existing image file (a dropped file:// URL counts too)."""
    candidate = text.strip().strip("\"'")
    if candidate.startswith("file://"):
        candidate = urllib.parse.unquote(urllib.parse.urlparse(candidate).path)
    if not candidate or "\x00" in candidate:  # no file name holds a NUL; expanduser would raise on it
        return None
    candidate = os.path.expanduser(candidate)
    # A bare word like "dog" must stay a word even if a file called "dog" happens to be in the current folder.
    looks_like_path = os.sep in candidate or (os.altsep or "/") in candidate or has_image_extension(candidate)
    return os.path.abspath(candidate) if looks_like_path and os.path.isfile(candidate) else None


def _split(query: str) -> list[tuple[str, str]]:
    """[(sign, text)]: an operator is `+` or `-` at the start or after whitespace, outside double quotes.

    So "t-shirt" stays one word while "beach -people" subtracts.
    """
    parts: list[tuple[str, str]] = []
    sign, current, quoted = "+", [], False
    for i, char in enumerate(query):
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif not quoted and char in "+-" and (i == 0 or query[i - 1].isspace()):
            parts.append((sign, "".join(current)))
            sign, current = char, []
        else:
            current.append(char)
    parts.append((sign, "".join(current)))
    return [(s, t.strip()) for s, t in parts if t.strip()]


def parse_query(query: str) -> list[Term]:
    """Split a query into weighted terms; raises QueryError when nothing searchable is left."""
    whole = as_image_path(query)
    if whole is not None:  # a path may itself contain " - "; the whole query being a file wins
        return [Term(whole, 1.0, is_path=True)]
    terms = []
    for sign, text in _split(query):
        weight = 1.0
        match = _WEIGHT.match(text)
        if match:
            weight, text = float(match.group(1)), match.group(2)
            if weight > MAX_WEIGHT:
                raise QueryError(f"the weight {match.group(1)} is too large: weights go up to {MAX_WEIGHT:g} "
                                 f"(e.g. \"3:{text.strip()[:40]}\")")
        text = text.strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1].strip()
        if not text or weight == 0:
            continue
        path = as_image_path(text)
        signed = -weight if sign == "-" else weight
        terms.append(Term(path, signed, True) if path else Term(text, signed))
    if not terms:
        raise QueryError("the query is empty")
    if all(t.weight < 0 for t in terms):
        raise QueryError("the query only subtracts; add something to look for, e.g. \"beach - people\"")
    return terms
