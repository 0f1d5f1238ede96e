"""Post -> PostFacts: the evidence and the label candidates found in its text.

This stage knows nothing of markets. It folds each text field, runs the
compiled matchers over a spaCy Doc of the folded text, maps every hit back to
the original text, applies negations ("not sponsored"), and records the
structure the placement checks need (frames, trailing hashtag runs, where
each line starts).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import NamedTuple

from .language import detect_language
from .matchers import LABEL, SIGNAL, CompiledMatchers, Hit, Tokens
from .model import Evidence, Post, Span, Strength
from .normalise import Normalised, normalise
from .nlp import make_doc
from .packs import LexiconLabel, RuleSet, Signal
from .settings import Relationship, Settings

WEAK_KINDS = ("brand_mention", "brand_hashtag", "cta")


class LabelHit(NamedTuple):
    label: LexiconLabel
    span: Span
    obfuscated: bool


@dataclass(frozen=True)
class Frame:
    """One frame of a story or carousel written inline as "[Frame 2] ..."."""
    field: str
    index: int
    start: int          # original offsets of the frame's text, marker included
    end: int


@dataclass
class PostFacts:
    post: Post
    declared_language: str | None
    evidence: list[Evidence] = field(default_factory=list)
    labels: list[LabelHit] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    hashtag_runs: dict[str, list[tuple[int, int, list[tuple[int, int]]]]] = field(default_factory=dict)
    mentions: list[Span] = field(default_factory=list)
    posted_on: date | None = None
    # A commercial relationship is signalled by strong or known evidence: set
    # once the evidence is final, then asked by every market's checks.
    relationship: bool = False

    @cached_property
    def language(self) -> str | None:
        """The post's language as given, else detected from its text, only
        when a rule asks (detection is the slowest step of an audit)."""
        if self.declared_language:
            return self.declared_language
        return detect_language([text for _, text in self.post.text_fields()])

    def weak_kinds(self) -> set[str]:
        return {e.kind for e in self.evidence if e.strength is Strength.WEAK}


class Analyser:
    """Turns posts into facts with the pipelines and matchers built once."""

    def __init__(self, ruleset: RuleSet, settings: Settings, pipelines) -> None:
        self.ruleset = ruleset
        self.settings = settings
        self.pipelines = pipelines           # callable: language -> (nlp, CompiledMatchers)
        self.signals: dict[str, Signal] = {s.id: s for s in ruleset.signals}
        self.frame_marker = _frame_marker_regex(ruleset.frame_markers)
        self.brands = {_letters(b) for b in settings.brands if _letters(b)}

    def analyse(self, post: Post) -> PostFacts:
        language = post.language or self.settings.language
        nlp, matchers = self.pipelines(language)
        facts = PostFacts(post, declared_language=language, posted_on=_date_of(post.posted_at))
        negations: list[tuple[str, Signal, Span]] = []
        for name, text in post.text_fields():
            folded = normalise(text)
            doc = make_doc(nlp, folded.text)     # linear even for long runs without spaces
            tokens = Tokens(doc, folded.text)
            hits = matchers.find(doc, tokens)
            hits += _labels_across_lines(nlp, matchers, folded.text, hits)
            for hit in _drop_nested(hits):
                span = _original_span(name, folded, hit)
                if hit.target == LABEL:
                    facts.labels.append(LabelHit(self.ruleset.labels[hit.id], span,
                                                 folded.is_obfuscated(hit.start, hit.end)))
                    continue
                signal = self.signals[hit.id]
                if signal.kind == "negation":
                    negations.append((name, signal, span))
                else:
                    facts.evidence.append(Evidence(signal.kind, signal.strength, signal.id, span, hit.detail))
            self._structure(facts, name, text, tokens, folded)
        self._brands(facts)
        self._declared(facts)
        if post.paid_partnership:
            facts.evidence.append(Evidence("platform_label", Strength.STRONG, "platform-flag", None,
                                           "the platform's paid-partnership label was on"))
        _apply_negations(facts, negations)
        facts.relationship = any(e.strength is not Strength.WEAK for e in facts.evidence)
        facts.evidence.sort(key=_evidence_order)
        facts.labels.sort(key=lambda hit: (hit.span.field, hit.span.start))
        return facts

    def _structure(self, facts: PostFacts, name: str, text: str, tokens: Tokens, folded: Normalised) -> None:
        for index in tokens.starting_with("@"):
            if tokens.lengths[index] > 2:
                begin, end = folded.to_original(tokens.starts[index], tokens.end_of(index))
                facts.mentions.append(Span(name, begin, end, text[begin:end]))
        facts.hashtag_runs[name] = _hashtag_runs(tokens, folded)
        if self.frame_marker is not None and "[" in text:       # every marker opens with "["
            facts.frames.extend(_frames(name, text, self.frame_marker))

    def _brands(self, facts: PostFacts) -> None:
        """Every @mention of another account is a brand mention; a hashtag
        spelling a mentioned handle (#burnsidesauce for @burnside.sauce) or a
        configured brand is a brand hashtag."""
        mentioned = [_letters(m.text) for m in facts.mentions]
        handles = sorted(h for h in {*mentioned, *self.brands} if len(h) >= 4)
        if handles:
            self._brand_hashtags(facts, handles)
        author = _letters(facts.post.author or "")
        for mention, letters in zip(facts.mentions, mentioned):
            if letters == author:
                continue
            configured = letters in self.brands
            strength = Strength.KNOWN if configured and self.settings.known_relationship else Strength.WEAK
            facts.evidence.append(Evidence("brand_mention", strength,
                                           "configured-brand" if configured else "brand-mention", mention))

    @staticmethod
    def _brand_hashtags(facts: PostFacts, handles: list[str]) -> None:
        """Hashtags spelling one of the sorted `handles`, or the start of one."""
        for name, runs in facts.hashtag_runs.items():
            text = facts.post.field_text(name)
            for _, _, tags in runs:
                for start, end in tags:
                    tag = _letters(text[start:end])
                    # A handle equal to or starting with the tag, found by
                    # bisection: a scan of every handle per tag was quadratic.
                    at = bisect_left(handles, tag)
                    if len(tag) >= 4 and at < len(handles) and handles[at].startswith(tag):
                        facts.evidence.append(Evidence("brand_hashtag", Strength.WEAK, "brand-hashtag",
                                                       Span(name, start, end, text[start:end])))

    def _declared(self, facts: PostFacts) -> None:
        if self.settings.known_relationship:
            facts.evidence.append(Evidence("declared", Strength.KNOWN, "campaign-draft", None,
                                           "a campaign draft: the commercial relationship is known"))
        for relationship in self.settings.relationships:
            spans = _relationship_spans(facts, relationship)
            if spans is None:
                continue
            detail = f"declared {relationship.type} relationship with {relationship.brand}"
            if not spans:
                facts.evidence.append(Evidence("declared", Strength.KNOWN, "relationship", None, detail))
            for span in spans:
                facts.evidence.append(Evidence("declared", Strength.KNOWN, "relationship", span, detail))


def _relationship_spans(facts: PostFacts, relationship: Relationship) -> list[Span] | None:
    """The spans naming a declared relationship's brand, or None when it does not apply."""
    post = facts.post
    if relationship.creators and _letters(post.author or "") not in {_letters(c) for c in relationship.creators}:
        return None
    if facts.posted_on and relationship.date_from and facts.posted_on.isoformat() < relationship.date_from:
        return None
    if facts.posted_on and relationship.date_to and facts.posted_on.isoformat() > relationship.date_to:
        return None
    names = {_letters(n) for n in (relationship.brand, *relationship.handles, *relationship.hashtags) if _letters(n)}
    spans = [m for m in facts.mentions if _letters(m.text) in names]
    for name, runs in facts.hashtag_runs.items():
        text = post.field_text(name)
        spans.extend(Span(name, s, e, text[s:e]) for _, _, tags in runs for s, e in tags
                     if _letters(text[s:e]) in names)
    if not spans and not any(n and n in _letters(text) for n in names for _, text in post.text_fields()):
        return None
    return spans


def _original_span(name: str, folded: Normalised, hit: Hit) -> Span:
    start, end = folded.to_original(hit.start, hit.end)
    return Span(name, start, end, folded.original[start:end])


# One line break (with any spaces around it) between two words.
_WORD_BREAK = re.compile(r"(?<=\w)[ \t]*\r?\n[ \t]*(?=\w)")


def _labels_across_lines(nlp, matchers: CompiledMatchers, text: str, hits: list[Hit]) -> list[Hit]:
    """Labels broken over two lines ("Paid\npartnership with @brand"), for a
    field where no label was found: the text is matched once more with each
    line break between two words read as spaces (same length, so offsets
    hold), and the label hits that cross a break are kept."""
    if "\n" not in text or any(hit.target == LABEL for hit in hits):
        return []
    breaks = [match.span() for match in _WORD_BREAK.finditer(text)]
    if not breaks:
        return []
    pieces, cursor = [], 0
    for start, end in breaks:
        pieces += [text[cursor:start], " " * (end - start)]
        cursor = end
    joined = "".join(pieces) + text[cursor:]
    doc = make_doc(nlp, joined)
    break_starts = [start for start, _ in breaks]
    crossing = []
    for hit in matchers.find(doc, Tokens(doc, joined)):
        first = bisect_left(break_starts, hit.start)
        if hit.target == LABEL and first < len(breaks) and breaks[first][1] <= hit.end:
            crossing.append(hit)
    return crossing


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """A hit inside an earlier or longer hit of the same signal or label is
    dropped. Overlapping labels of different lexicon entries are all kept:
    which of them wins is decided per market (`checks.MarketView.build`), since
    one market may list `#publi` as Spanish and another as Portuguese."""
    if len(hits) < 2:
        return hits
    ordered = sorted(set(hits), key=lambda h: (h.start, -(h.end - h.start), h.target, h.id))
    kept: list[Hit] = []
    # Hits come by start, so a hit overlaps a kept one of its key exactly when
    # it starts before the furthest end kept so far: one pass, not a pairwise
    # comparison (a post stuffed with 25,000 "#ad" took minutes).
    reach: dict[tuple[str, str], int] = {}
    for hit in ordered:
        key = (hit.target, hit.id)
        if hit.start < reach.get(key, -1):
            continue
        kept.append(hit)
        reach[key] = max(reach.get(key, -1), hit.end)
    return kept


def _apply_negations(facts: PostFacts, negations: list[tuple[str, Signal, Span]]) -> None:
    """Drop the evidence and labels a negation cancels: anywhere in the post
    (scope "post"), or overlapping or within two characters of it (scope
    "span"). Negations are indexed once, so thousands of them cost no more
    than a lookup per item (a pairwise scan was quadratic)."""
    if not negations:
        return
    whole_post = {kind for _, signal, _ in negations if signal.scope == "post" for kind in signal.cancels}
    near: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for name, signal, span in negations:
        if signal.scope != "post":
            for kind in signal.cancels:
                near.setdefault((name, kind), []).append((span.start, span.end))
    indexes = {key: _SpanIndex(spans) for key, spans in near.items()}

    def cancelled(kind: str, target: Span | None) -> bool:
        if target is None:
            return False
        if kind in whole_post:
            return True
        index = indexes.get((target.field, kind))
        return index is not None and index.touches(target.start - 2, target.end + 2)

    facts.evidence = [e for e in facts.evidence if not cancelled(e.kind, e.span)]
    facts.labels = [h for h in facts.labels if not cancelled("label", h.span)]


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


def _hashtag_runs(tokens: Tokens, folded: Normalised) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Runs of hashtags separated only by white space (or a lone '.', '·',
    '•'), as original offsets: (run start, run end, [(tag start, tag end), ...])."""
    runs: list[tuple[int, int, list[tuple[int, int]]]] = []
    current: list[tuple[int, int]] = []
    previous = -1
    for index in tokens.starting_with("#"):
        if tokens.lengths[index] == 1:
            continue                     # a lone '#' is not a tag, and ends a run below
        if current and not all(_between_tags(tokens, i) for i in range(previous + 1, index)):
            runs.append((current[0][0], current[-1][1], current))
            current = []
        current.append(folded.to_original(tokens.starts[index], tokens.end_of(index)))
        previous = index
    if current:
        runs.append((current[0][0], current[-1][1], current))
    return runs


def _between_tags(tokens: Tokens, index: int) -> bool:
    """A token that may separate two hashtags of one run."""
    first = tokens.text[tokens.starts[index]]
    return first.isspace() or (tokens.lengths[index] == 1 and first in ".·•")


def _frame_marker_regex(markers: tuple[str, ...]) -> re.Pattern | None:
    if not markers:
        return None
    words = "|".join(sorted((re.escape(m) for m in markers), key=len, reverse=True))
    return re.compile(rf"\[(?:{words})\s*\d+\]", re.IGNORECASE)


def _frames(name: str, text: str, marker: re.Pattern) -> list[Frame]:
    starts = [m.start() for m in marker.finditer(text)]
    return [Frame(name, index, start, starts[index + 1] if index + 1 < len(starts) else len(text))
            for index, start in enumerate(starts)]


_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def _letters(text: str) -> str:
    lowered = text.lower()
    if lowered[1:].isalnum():           # "#tag", "@handle", "word": at most the first character goes
        return lowered if lowered[0].isalnum() else lowered[1:]
    return _NOT_LETTER_OR_DIGIT.sub("", lowered)


def _date_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_FIELD_ORDER = {"title": 0, "text": 1, "transcript": 2, "on_screen_text": 3}


def _evidence_order(evidence: Evidence) -> tuple:
    if evidence.span is None:
        return (-1, 0, evidence.kind)
    return (_FIELD_ORDER.get(evidence.span.field, 9), evidence.span.start, evidence.kind)
