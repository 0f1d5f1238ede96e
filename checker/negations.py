"""Negations: words that cancel other hits, and denials of a relationship.

A negation signal names what it cancels (evidence kinds, "label", or the ids
of particular signals and labels) and how far it reaches: the words it
touches ("span"), its sentence, or the whole post. "#pr" in a post about a
bench press, "c/o" after a photo credit and "sponsor me" for a charity run are
cancelled this way.

A denial ("not sponsored", "this isn't an ad") is never a label. It is kept
as a fact of its own: next to a discount code or an affiliate link it is a
finding (`checks.denial_with_evidence`).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Callable, Iterable, NamedTuple

from .model import Span
from .packs import Signal
from .sentences import Sentences

# How many characters either side a "span" negation reaches.
_TOUCH = 2


class NegationHit(NamedTuple):
    signal: Signal
    span: Span


class Canceller:
    """Answers, for a hit with some names (its kind and its id), whether a
    negation of the post cancels it; the negations are indexed once, so a
    post with thousands of them costs a lookup per hit, not a scan."""

    def __init__(self, negations: Iterable[NegationHit], sentences: Callable[[str], Sentences]) -> None:
        self.sentences = sentences
        self.whole_post: set[str] = set()
        self.in_sentence: dict[tuple[str, str], set[int]] = {}
        near: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for signal, span in negations:
            for target in signal.cancels:
                if signal.scope == "post":
                    self.whole_post.add(target)
                elif signal.scope == "sentence":
                    self.in_sentence.setdefault((span.field, target), set()).add(
                        sentences(span.field).index(span.start))
                else:
                    near.setdefault((span.field, target), []).append((span.start, span.end))
        self.near = {key: _SpanIndex(spans) for key, spans in near.items()}

    def __bool__(self) -> bool:
        return bool(self.whole_post or self.in_sentence or self.near)

    def cancels(self, names: tuple[str, ...], span: Span | None) -> bool:
        if span is None:
            return False
        for name in names:
            if name in self.whole_post:
                return True
            sentences = self.in_sentence.get((span.field, name))
            if sentences and self.sentences(span.field).index(span.start) in sentences:
                return True
            index = self.near.get((span.field, name))
            if index is not None and index.touches(span.start - _TOUCH, span.end + _TOUCH):
                return True
        return False


class _SpanIndex:
    """Spans sorted by start, with the furthest end among each prefix."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.starts = [start for start, _ in spans]
        self.reach: list[int] = []
        furthest = -1
        for _, end in spans:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def touches(self, low: int, high: int) -> bool:
        """Some span starts at or before `high` and ends at or after `low`."""
        count = bisect_right(self.starts, high)
        return count > 0 and self.reach[count - 1] >= low


# --------------------------------------------------------------------------- denied labels

# Words of the clause before a label, read back to the nearest punctuation.
_CLAUSE_BREAK = re.compile(r"[,.;:!?|/()\[\]\n]")
_WORD = re.compile(r"[\w'’]+")
_LOOK_BACK = 48


def _clause_words(text: str, start: int) -> list[re.Match]:
    """The words of the clause that ends at `start`, as matches in `text`."""
    before = text[max(0, start - _LOOK_BACK):start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    offset = breaks[-1].end() if breaks else 0
    shift = start - len(before)
    return [(_WORD.match(text, shift + m.start())) for m in _WORD.finditer(before, offset)]


def clause_words_before(text: str, start: int, count: int) -> set[str]:
    """The last `count` words before `start` in its clause, lower-cased."""
    return {m.group().lower().replace("’", "'") for m in _clause_words(text, start)[-count:]}


class Negator(NamedTuple):
    start: int
    word: str           # lower-cased, apostrophes plain


def negated_at(text: str, start: int, negators: frozenset[str], gaps: frozenset[str]) -> Negator | None:
    """The negator of a label starting at `start`, or None: the word before
    the label, skipping `gaps` ("been", "an", "really"), must be in
    `negators` ("not #ad", "isn't sponsored", "never been sponsored")."""
    if not negators:
        return None
    for word in reversed(_clause_words(text, start)):
        spelled = word.group().lower().replace("’", "'")
        if spelled in negators:
            return Negator(word.start(), spelled)
        if spelled not in gaps:
            return None
    return None
