"""Compile the signals and label lexicon of a RuleSet into spaCy matchers.

Lexicons (phrases) go into one `PhraseMatcher` on the lower-cased folded
text, which stays fast with thousands of entries; structural token patterns
go into Matchers run only around their anchors (`_AnchoredPatterns`); URL
hosts and tracking parameters are looked up by host for the few tokens that
look like links. One `CompiledMatchers` is built per language pipeline and
reused for every post.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from spacy.attrs import IDX, IS_CURRENCY, LENGTH, LIKE_URL
from spacy.lang.lex_attrs import is_currency
from spacy import __version__ as spacy_version
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .normalise import normalise
from .packs import Matchable, RuleSet, _sre, _sre_parse

SIGNAL = "signal"
LABEL = "label"


class Hit(NamedTuple):
    """A match in the folded text of one field: which signal or label, and where."""
    target: str          # SIGNAL or LABEL
    id: str
    start: int           # character offsets in the folded text
    end: int
    detail: str = ""


_TOKEN_ATTRS = [IDX, LENGTH, LIKE_URL]


class Tokens:
    """The tokens of one field's Doc as plain lists, read in one `to_array`
    call: cheaper than walking Token objects, which spaCy builds one by one.
    `text` is the text the Doc was made from. Lower-case forms are not read
    for every token (their hashes are large integers, slow to turn into
    Python ones): the few tokens next to a pattern anchor are lower-cased
    with `str.lower`, which is how spaCy computes LOWER
    (`spacy.lang.lex_attrs.lower`)."""

    __slots__ = ("text", "starts", "lengths", "like_url", "_starting", "_lower")

    def __init__(self, doc: Doc, text: str) -> None:
        self.text = text
        self.starts: list[int]
        self.lengths: list[int]
        self.like_url: list[int]
        self.starts, self.lengths, self.like_url = doc.to_array(_TOKEN_ATTRS).T.tolist()
        self._starting: dict[str, list[int]] = {}
        self._lower: str | None = None

    def __len__(self) -> int:
        return len(self.starts)

    def text_of(self, index: int) -> str:
        start = self.starts[index]
        return self.text[start:start + self.lengths[index]]

    def end_of(self, index: int) -> int:
        return self.starts[index] + self.lengths[index]

    def starting_with(self, char: str) -> list[int]:
        """The indices of the tokens whose text starts with `char` (asked
        for '#' by the matchers and again for the hashtag runs)."""
        found = self._starting.get(char)
        if found is not None:
            return found
        found = self._starting[char] = []
        starts = self.starts
        position = self.text.find(char)
        while position != -1:
            index = bisect_left(starts, position)
            if index < len(starts) and starts[index] == position:
                found.append(index)
            position = self.text.find(char, position + 1)
        return found

    def lower_text(self) -> str | None:
        """The text lower-cased, when that keeps every offset (it does unless
        a character lower-cases to two, as "İ" does)."""
        if self._lower is None:
            lowered = self.text.lower()
            self._lower = lowered if len(lowered) == len(self.text) else ""
        return self._lower or None

    def matching(self, finder: re.Pattern, lower: bool = False) -> list[int]:
        """The indices of the tokens holding a match of `finder` in the text
        (`lower`: in the lower-cased text), each once."""
        text = self.lower_text() if lower else self.text
        if text is None:
            return list(range(len(self.starts)))
        found: list[int] = []
        starts = self.starts
        # Occurrences may overlap ("aa" in "aaa" split as "a", "aa"): each
        # search starts one character after the last match began.
        match = finder.search(text)
        while match is not None:
            at = match.start()
            index = bisect_right(starts, at) - 1
            if index >= 0 and at < self.end_of(index) and (not found or found[-1] != index):
                found.append(index)
            match = finder.search(text, at + 1)
        return found

    def containing(self, char: str) -> list[int]:
        """The indices of the tokens whose text contains `char`."""
        found = []
        position = self.text.find(char)
        while position != -1:
            index = bisect_right(self.starts, position) - 1
            end = self.end_of(index) if index >= 0 else 0
            if position < end:
                found.append(index)
            position = self.text.find(char, max(end, position + 1))
        return found


# --------------------------------------------------------------------------- token patterns

class _TokenTest(NamedTuple):
    """What the token `offset` places from a pattern's anchor (or, with
    `until`, one of the tokens `offset` to `until` places from it) must be
    for the pattern to match there: one of `words` (in lower case), or a
    match of `regex` on its text (`on_lower`: on its lower-case form)."""
    offset: int
    words: frozenset[str] | None
    regex: re.Pattern | None
    on_lower: bool = False
    until: int | None = None

    def passes(self, tokens: Tokens, anchor: int) -> bool:
        if self.until is None:
            index = anchor + self.offset
            return 0 <= index < len(tokens.starts) and self.fits(tokens.text_of(index))
        for index in range(max(anchor + self.offset, 0), min(anchor + self.until, len(tokens.starts) - 1) + 1):
            if self.fits(tokens.text_of(index)):
                return True
        return False

    def fits(self, text: str) -> bool:
        if self.words is not None:
            return text.lower() in self.words
        assert self.regex is not None
        return self.regex.search(text.lower() if self.on_lower else text) is not None


class _Screening(NamedTuple):
    """How a group tells whether its patterns can match around an anchor:
    its screen (`_screen`); per pattern, its tests, the most telling first;
    and, for a group whose tests read the anchor token alone, what was
    found per anchor text (else None)."""
    screen: list[_TokenTest]
    alternatives: list[tuple[_TokenTest, ...]]
    by_text: dict[str, bool] | None


# Entries a table of what was worked out for a text (a chunk, a token) keeps
# before it is emptied and filled again: about 10 MB each at the most.
MAX_REMEMBERED = 100_000


@dataclass(eq=False)
class _PatternGroup:
    """Patterns that share an anchor, in one Matcher, with the most tokens
    any of them can reach before and after the anchor (None: unbounded), and
    per pattern the tests its fixed neighbours must pass. Patterns reach the
    Matcher, and their tests are compiled, when the group is first used:
    most groups never are in a short check, and adding a pattern costs more
    than running it."""
    vocab: Vocab
    before: int | None
    after: int | None
    anchored: bool = True
    patterns: list[tuple[str, list[dict], int]] = field(default_factory=list)   # key, pattern, anchor position
    _matcher: Matcher | None = None
    _in_matcher: int = 0                    # patterns given to the Matcher so far
    _merged: _Screening | None = None

    def add(self, key: str, pattern: list[dict], position: int) -> None:
        self.patterns.append((key, pattern, position))
        self._merged = None

    @property
    def tests(self) -> list[tuple[_TokenTest, ...]]:
        """Per pattern, the tests around its anchor (none when unanchored)."""
        if not self.anchored:
            return [() for _ in self.patterns]
        return [_neighbour_tests(pattern, position) for _, pattern, position in self.patterns]

    @property
    def merged(self) -> _Screening:
        if self._merged is None:
            alternatives = [tuple(sorted(tests, key=_telling_first)) for tests in _merge_single_tests(self.tests)]
            alone = all(test.offset == 0 and test.until is None for tests in alternatives for test in tests)
            self._merged = _Screening(_screen(alternatives), alternatives, {} if alone else None)
        return self._merged

    def run(self, doclike) -> list[tuple[int, int, int]]:
        """The Matcher's matches in `doclike` (a Doc or a Span of one)."""
        if self._matcher is None:
            self._matcher = Matcher(self.vocab)
        for key, pattern, _ in self.patterns[self._in_matcher:]:
            self._matcher.add(key, [pattern])
        self._in_matcher = len(self.patterns)
        return self._matcher(doclike)

    def admits(self, tokens: Tokens, anchor: int) -> bool:
        """Whether any pattern of the group can match around `anchor`
        (remembered per anchor text where that is all the tests read:
        hashtags and numbers recur from post to post)."""
        merged = self.merged
        if merged.by_text is None:
            return self._admits(merged, tokens, anchor)
        text = tokens.text_of(anchor)
        found = merged.by_text.get(text)
        if found is None:
            if len(merged.by_text) >= MAX_REMEMBERED:
                merged.by_text.clear()
            found = merged.by_text[text] = self._admits(merged, tokens, anchor)
        return found

    @staticmethod
    def _admits(merged: _Screening, tokens: Tokens, anchor: int) -> bool:
        screen, alternatives, _ = merged
        if screen and not any(test.passes(tokens, anchor) for test in screen):
            return False
        for tests in alternatives:
            for test in tests:
                if not test.passes(tokens, anchor):
                    break
            else:
                return True
        return False


def _telling_first(test: _TokenTest) -> tuple[bool, bool]:
    """Tests of a neighbour at a fixed distance rule out most anchors; the
    anchor's own tests mostly repeat what found it, and a range costs a
    test per token."""
    return test.offset == 0, test.until is not None


def _screen(alternatives: list[tuple[_TokenTest, ...]]) -> list[_TokenTest]:
    """The first test of each pattern, those of the same token and kind
    merged (`_merge_single_tests`): a pattern matches only where its first
    test passes, so where none of these does, no pattern of the group can,
    found with a few tests instead of trying every pattern. Empty when that
    saves nothing or a pattern has no test."""
    if len(alternatives) < 3 or not all(alternatives):
        return []
    buckets: dict[tuple, list[tuple[_TokenTest, ...]]] = {}
    for tests in alternatives:
        first = tests[0]
        buckets.setdefault((first.offset, first.until, first.words is None, first.on_lower), []).append((first,))
    screen = [merged[0] for bucket in buckets.values() for merged in _merge_single_tests(bucket)]
    return screen if len(screen) < len(alternatives) else []


def _merge_single_tests(alternatives: list[tuple[_TokenTest, ...]]) -> list[tuple[_TokenTest, ...]]:
    """Patterns that each test just one token, the same token and the same
    way, are tested as one: word lists join, regular expressions become one
    alternation. The one-token hashtag patterns ('#...partner', '#thanks...')
    share the anchor '#', and every hashtag of a post is tested."""
    singles = [tests[0] for tests in alternatives if len(tests) == 1]
    if len(singles) < 2 or len(singles) < len(alternatives):
        return alternatives
    first = singles[0]
    if any((t.offset, t.until, t.words is None, t.on_lower) != (first.offset, first.until, first.words is None,
                                                                   first.on_lower) for t in singles):
        return alternatives
    if first.words is not None:
        return [(_TokenTest(first.offset, frozenset().union(*(t.words for t in singles)), None, until=first.until),)]
    patterns = [t.regex.pattern for t in singles if t.regex is not None]
    if any("(?(" in pattern or _BACK_REFERENCE.search(pattern) for pattern in patterns):
        return alternatives             # it would see another alternative's groups
    try:
        regex = re.compile("|".join(f"(?:{pattern})" for pattern in patterns))
    except re.error:
        return alternatives
    return [(_TokenTest(first.offset, None, regex, first.on_lower, first.until),)]


class PatternPlan(NamedTuple):
    """A pattern's anchor (`_anchor`) and reach before and after it (`_reach`;
    None: unbounded): what placing a pattern in its group takes, kept in the
    cache (`pattern_plans`) since working it out parses every regex."""
    words: frozenset[str]
    char: str
    position: int
    before: int | None
    after: int | None


_BACK_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")


class _AnchoredPatterns:
    """Token patterns run only around their anchors.

    A pattern's anchor is a required token that must be one of a few words,
    or must start with '#' or '@'. Patterns with the same anchor share a
    Matcher, which runs only on the short span of the doc around each place
    the anchor occurs and where the anchor's fixed neighbours pass the
    pattern's simple tests (a word list or a regular expression). spaCy's
    Matcher walks every token of what it is given in Python and costs
    about ten microseconds a call even on a few tokens, so most anchors
    (every hashtag, every "code") must be ruled out before it is called.
    """

    def __init__(self, nlp: Language, anchor_finder: _Phrases) -> None:
        self.vocab = nlp.vocab
        self.groups: dict[tuple, _PatternGroup] = {}
        # Anchor words are one-token phrases of a PhraseMatcher (the
        # lexicon's, which walks the tokens anyway, in C); the ids of their
        # matches lead to the groups.
        self.anchor_finder = anchor_finder
        self.by_word: dict[int, list[_PatternGroup]] = {}
        self.by_char: dict[str, list[_PatternGroup]] = {}
        self.by_class: dict[str, list[_PatternGroup]] = {}
        self.always: list[_PatternGroup] = []
        # Currency symbols anchor a token only where the language keeps
        # spaCy's own test of IS_CURRENCY (all characters of category Sc).
        self.classes = dict(CHARACTER_CLASSES)
        if nlp.vocab.lex_attr_getters.get(IS_CURRENCY, is_currency) is not is_currency:
            del self.classes[CURRENCY]
        self.class_index = _ClassIndex(self.classes)

    def plan(self, pattern: list[dict]) -> PatternPlan:
        """Where `pattern` is anchored and how far it reaches around its anchor."""
        words, char, position = _anchor(pattern, self.classes)
        anchored = bool(words or char)
        before = _reach(pattern[:position]) if anchored else None
        after = _reach(pattern[position + 1:]) if anchored else None
        return PatternPlan(words, char, position, before, after)

    def add(self, key: str, pattern: list[dict], plan: PatternPlan | None = None) -> None:
        words, char, position, before, after = plan or self.plan(pattern)
        if char.startswith((LOWER_LITERALS, TEXT_LITERALS)) and char not in self.classes:
            self.classes[char] = re.compile(char.split(":", 1)[1])
            self.class_index = _ClassIndex(self.classes)
        group_key = (words, char)
        group = self.groups.get(group_key)
        if group is None:
            group = self.groups[group_key] = _PatternGroup(self.vocab, before, after, anchored=bool(words or char))
            if words:
                for word in sorted(words):
                    self._add_anchor_word(word, group)
            elif char in self.classes:
                self.by_class.setdefault(char, []).append(group)
            elif char:
                self.by_char.setdefault(char, []).append(group)
            else:
                self.always.append(group)
        else:
            group.before = _wider(group.before, before)
            group.after = _wider(group.after, after)
        group.add(key, pattern, position)

    def _add_anchor_word(self, word: str, group: _PatternGroup) -> None:
        if not word:
            return                          # no token is empty
        key = self.vocab.strings.add(f"anchor|{word}")
        if key not in self.by_word:
            self.anchor_finder.add(f"anchor|{word}", (word,))
        self.by_word.setdefault(key, []).append(group)

    def __call__(self, doc: Doc, tokens: Tokens, anchors: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
        """Matches in `doc`, given the (match id, token index) of the anchor
        words `anchor_finder` found in it."""
        length = len(tokens)
        windows: dict[_PatternGroup, list[tuple[int, int]]] = {group: [(0, length)] for group in self.always}
        for key, index in anchors:
            for group in self.by_word[key]:
                if group.admits(tokens, index):
                    _add_window(windows, group, index, length)
        for char, groups in self.by_char.items():
            for index in tokens.starting_with(char):
                for group in groups:
                    if group.admits(tokens, index):
                        _add_window(windows, group, index, length)
        present = self.class_index.present(tokens)
        for name, groups in self.by_class.items():
            if present is not None and name not in present:
                continue
            for index in tokens.matching(self.classes[name], lower=name.startswith(LOWER_LITERALS)):
                for group in groups:
                    if group.admits(tokens, index):
                        _add_window(windows, group, index, length)
        matches = []
        for group, spans in windows.items():
            for start, end in _merged(spans):
                matches.extend((key, start + s, start + e) for key, s, e in group.run(doc[start:end]))
        return matches


_NO_CLASSES: frozenset[str] = frozenset()     # shared: most chunks hold no class


class _ClassIndex:
    """Which character classes (`CHARACTER_CLASSES` and literal strings) a
    text holds, found chunk by chunk between white space: no match of a
    class holds white space, and words recur from post to post, so a post
    costs a lookup per chunk instead of a search of its text per class.
    A class whose literal strings hold white space is always searched. (A
    chunk lower-cased is the same chunk of the text lower-cased whenever
    lower-casing keeps the text's length, which `Tokens.lower_text` needs.)"""

    def __init__(self, classes: dict[str, re.Pattern]) -> None:
        self.always: frozenset[str] = frozenset(
            name for name in classes if name.startswith((LOWER_LITERALS, TEXT_LITERALS))
            and any(c.isspace() for c in name))
        self.finders: list[tuple[str, re.Pattern, bool]] = [      # name, finder, on the lower-cased chunk
            (name, finder, name.startswith(LOWER_LITERALS))
            for name, finder in classes.items() if name not in self.always]
        self.chunks: dict[str, frozenset[str]] = {}

    def present(self, tokens: Tokens) -> set[str] | None:
        """The classes that may occur in the text of `tokens` (None: any)."""
        if tokens.lower_text() is None:
            return None                     # lower-casing moved the offsets: search everything
        found = set(self.always)
        chunks = self.chunks
        for chunk in tokens.text.split():
            classes = chunks.get(chunk)
            if classes is None:
                classes = self._learn(chunk)
            if classes:
                found |= classes
        return found

    def _learn(self, chunk: str) -> frozenset[str]:
        if len(self.chunks) >= MAX_REMEMBERED:
            self.chunks.clear()
        lowered = chunk.lower()
        found = self.chunks[chunk] = frozenset(
            name for name, finder, lower in self.finders if finder.search(lowered if lower else chunk)) or _NO_CLASSES
        return found


def _add_window(windows: dict[_PatternGroup, list[tuple[int, int]]], group: _PatternGroup,
                index: int, length: int) -> None:
    start = 0 if group.before is None else max(0, index - group.before)
    end = length if group.after is None else min(length, index + group.after + 1)
    windows.setdefault(group, []).append((start, end))


# A Matcher call costs about as much as walking a dozen tokens, so windows
# closer than this are matched in one call.
_WINDOW_GAP = 12


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(spans) == 1:
        return spans
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + _WINDOW_GAP:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _wider(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else max(a, b)


def _reach(tokens: list[dict]) -> int | None:
    """The most tokens a run of token specs can cover (None: unbounded)."""
    total = 0
    for token in tokens:
        op = token.get("OP", "")
        if op in ("*", "+") or (op.startswith("{") and op.endswith(",}")):
            return None
        total += int(op.strip("{}").split(",")[-1]) if op.startswith("{") else 1
    return total


_LITERAL_ATTRS = ("LOWER", "NORM", "ORTH", "TEXT")


# Character classes a required token may be known to hold, when it has no
# literal: a currency symbol (IS_CURRENCY) or a digit (a REGEX that needs
# one). Tokens holding one are found with a search of the text; patterns
# anchored on them no longer run over every token of every post.
CURRENCY, DIGIT = "<currency>", "<digit>"
# The characters of Unicode category Sc (currency symbols) in Unicode 14,
# the version of Python 3.11; another version is computed (about 0.1 s).
_UNICODE_OF_CURRENCY_LIST = "14.0.0"
_CURRENCY_CHARS_14 = "".join(chr(code) for code in (
    0x24, *range(0xA2, 0xA6), 0x58F, 0x60B, 0x7FE, 0x7FF, 0x9F2, 0x9F3, 0x9FB, 0xAF1, 0xBF9, 0xE3F, 0x17DB,
    *range(0x20A0, 0x20C1), 0xA838, 0xFDFC, 0xFE69, 0xFF04, 0xFFE0, 0xFFE1, 0xFFE5, 0xFFE6,
    *range(0x11FDD, 0x11FE1), 0x1E2FF, 0x1ECB0))


def currency_chars() -> str:
    if unicodedata.unidata_version == _UNICODE_OF_CURRENCY_LIST:
        return _CURRENCY_CHARS_14
    return "".join(chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Sc")


CHARACTER_CLASSES = {CURRENCY: re.compile(f"[{re.escape(currency_chars())}]"), DIGIT: re.compile(r"\d")}


def _anchor(pattern: list[dict], classes=CHARACTER_CLASSES) -> tuple[frozenset[str], str, int]:
    """The rarest anchor of a pattern: the words (lower-cased), leading
    character or character class (`classes`) that one required token must
    have, and that token's position. Long words make better anchors than
    short words, punctuation or a leading '#'/'@', which occur in most
    posts; a class is the anchor of last resort."""
    best: tuple[float, frozenset[str], str, int] = (float("inf"), frozenset(), "", 0)
    for position, token in enumerate(pattern):
        op = token.get("OP", "")
        if op in ("?", "*", "!") or op.startswith("{0"):
            continue
        words, char = _token_literals(token)
        if not words and not char:
            char = _literal_anchor(token) or _token_class(token, classes)
        cost = sum(1 if w.isalpha() and len(w) > 3 else 100 if w.isalpha() else 1000 for w in words) if words \
            else 2000 if char.startswith((LOWER_LITERALS, TEXT_LITERALS)) \
            else 5000 if char in classes else 500 if char else float("inf")
        if cost < best[0]:
            best = (cost, words, char, position)
    return best[1], best[2], best[3]


# A REGEX whose every match holds one of a few literal strings ("kauppa",
# "kahvila", … in '^(?:verkko)?(?:kauppa|kahvila)(?:ssa)?$') anchors its token
# on them: the key names the attribute's case and the alternation to find.
LOWER_LITERALS, TEXT_LITERALS = "<lower-literals>:", "<text-literals>:"
MIN_LITERAL_CHARS = 3


def _literal_anchor(token: dict) -> str:
    """The key of a literal-strings anchor for a token spec, or ""."""
    for attr, prefix in (("LOWER", LOWER_LITERALS), ("ORTH", TEXT_LITERALS), ("TEXT", TEXT_LITERALS)):
        value = token.get(attr)
        regex = value.get("REGEX") if isinstance(value, dict) else None
        if not isinstance(regex, str):
            continue
        try:
            parsed = _sre_parse.parse(regex)
        except (re.error, RecursionError, OverflowError):
            continue
        if parsed.state.flags & re.IGNORECASE:
            continue
        literals = _required_literals(list(parsed))
        if literals and min(map(len, literals)) >= MIN_LITERAL_CHARS:
            return prefix + "|".join(re.escape(literal) for literal in sorted(literals))
    return ""


def _required_literals(items: list) -> frozenset[str] | None:
    """Strings one of which every match of the sequence `items` holds (the
    best such set: longest shortest string), or None."""
    best: frozenset[str] | None = None
    run = ""

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, value in items:
        if op is _sre.LITERAL:
            run += chr(value)
            continue
        consider(frozenset([run]) if run else None)
        run = ""
        if op is _sre.SUBPATTERN:
            consider(_required_literals(list(value[-1])))
        elif op is _sre.BRANCH:
            branches = [_required_literals(list(branch)) for branch in value[1]]
            if all(branches):
                consider(frozenset().union(*branches))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[0] >= 1:
            consider(_required_literals(list(value[2])))
    consider(frozenset([run]) if run else None)
    return best


def _token_class(token: dict, classes) -> str:
    """The class of characters a token spec requires, or ""."""
    if token.get("IS_CURRENCY") is True and CURRENCY in classes:
        return CURRENCY
    for attr in ("LOWER", "ORTH", "TEXT", "NORM"):
        value = token.get(attr)
        regex = value.get("REGEX") if isinstance(value, dict) else None
        if isinstance(regex, str) and DIGIT in classes and _needs_digit(regex):
            return DIGIT
    return ""


def _needs_digit(regex: str) -> bool:
    """Whether every match of `regex` holds a digit: an element of its
    top-level sequence that must occur at least once is a digit class."""
    try:
        items = _sre_parse.parse(regex)
    except (re.error, RecursionError, OverflowError):
        return False
    for op, value in items:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[0] >= 1 and len(value[2]) == 1:
            op, value = value[2][0]
        if _digits_only(op, value):
            return True
    return False


def _digits_only(op, value) -> bool:
    if op is _sre.LITERAL:
        return chr(value).isdigit()
    if op is _sre.IN:
        return bool(value) and all(
            (kind is _sre.RANGE and chr(arg[0]).isdigit() and chr(arg[1]).isdigit() and arg[1] - arg[0] < 10)
            or (kind is _sre.LITERAL and chr(arg).isdigit())
            or (kind is _sre.CATEGORY and arg is _sre.CATEGORY_DIGIT)
            for kind, arg in value)
    return False


def _token_literals(token: dict) -> tuple[frozenset[str], str]:
    for attr in _LITERAL_ATTRS:
        value = token.get(attr)
        if isinstance(value, str):
            return frozenset([value.lower()]), ""
        if isinstance(value, dict) and isinstance(value.get("IN"), list):
            return frozenset(str(v).lower() for v in value["IN"]), ""
    for attr in _LITERAL_ATTRS:
        value = token.get(attr)
        regex = value.get("REGEX", "") if isinstance(value, dict) else ""
        if len(regex) > 1 and regex[0] == "^" and regex[1] in "#@":
            return frozenset(), regex[1]
    return frozenset(), ""


def _neighbour_tests(pattern: list[dict], position: int) -> tuple[_TokenTest, ...]:
    """Tests on the anchor token and on the tokens around it that any match
    must pass: each token without an operator, at the distance (or within
    the range of distances) that the tokens between it and the anchor can
    cover, up to a token that may repeat without bound. An anchor with an
    operator may repeat, so only it is tested then."""
    tests = _token_tests(pattern[position], 0)
    if pattern[position].get("OP"):
        return tuple(tests)
    for step in (1, -1):
        nearest = farthest = 0                  # how far the last token passed may sit from the anchor
        index = position + step
        while 0 <= index < len(pattern):
            least, most = _repeats(pattern[index].get("OP", ""))
            if most is None:
                break
            nearest, farthest = nearest + least, farthest + most
            if not pattern[index].get("OP"):
                first, last = sorted((step * nearest, step * farthest))
                tests += _token_tests(pattern[index], first, None if first == last else last)
            index += step
    return tuple(tests)


def _repeats(op: str) -> tuple[int, int | None]:
    """The fewest and most tokens a token spec with operator `op` covers
    (None: no bound)."""
    if op in ("", "!"):
        return 1, 1
    if op == "?":
        return 0, 1
    if op.startswith("{") and op.endswith("}"):
        low, comma, high = op[1:-1].partition(",")
        try:
            least = int(low) if low else 0
            most = int(high) if comma and high else (None if comma else least)
        except ValueError:
            return 0, None
        return least, most
    return 0, None                              # "*", "+"


def _token_tests(token: dict, offset: int, until: int | None = None) -> list[_TokenTest]:
    """Tests equivalent to, or weaker than, the text predicates of one token
    spec; predicates on other attributes are left to the Matcher."""
    tests = []
    for attr in ("LOWER", "ORTH", "TEXT"):
        value = token.get(attr)
        if isinstance(value, str):
            value = {"IN": [value]}
        if not isinstance(value, dict):
            continue
        words = value.get("IN")
        if isinstance(words, list) and all(isinstance(word, str) for word in words):
            # ORTH and TEXT literals compared in lower case: weaker, never wrong.
            tests.append(_TokenTest(offset, frozenset(w.lower() for w in words), None, until=until))
        regex = value.get("REGEX")
        if isinstance(regex, str):
            tests.append(_TokenTest(offset, None, re.compile(regex), on_lower=attr == "LOWER", until=until))
    return tests


# --------------------------------------------------------------------------- all matchers of a language

class MatchKey(NamedTuple):
    target: str
    id: str
    at_line_start: bool
    at_line_end: bool = False
    not_after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()

    @classmethod
    def of(cls, target: str, id: str, match: Matchable) -> "MatchKey":
        return cls(target, id, match.at_line_start, match.at_line_end, match.not_after, match.not_before)

    @property
    def placed(self) -> bool:
        """Whether a match must also pass tests of where it sits."""
        return self.at_line_start or self.at_line_end or bool(self.not_after or self.not_before)


# Posts matched before every phrase is in the PhraseMatcher (see `_Phrases`).
LAZY_POSTS = 256


class _Phrases:
    """The PhraseMatcher of a language, filled as posts need it.

    Adding a phrase makes a Doc of it, and each new word a lexeme whose
    attributes spaCy computes in Python: for the packs' thousands of phrases,
    a tenth of a second at start-up, most of it for words a short run never
    meets. A phrase can only match where a token has its first word, so a
    phrase is added before the first post holding that word is matched, and
    after `LAZY_POSTS` posts every phrase left is added. Matches are the
    same as with every phrase added at once."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.pending: dict[str, list[tuple[str, tuple[str, ...]]]] = {}    # first word -> (key, words)
        self.posts = 0

    def add(self, key: str, words: tuple[str, ...]) -> None:
        if words:                           # an empty phrase matches nothing
            self.pending.setdefault(words[0].lower(), []).append((key, words))

    def __call__(self, doc: Doc, tokens: Tokens) -> list[tuple[int, int, int]]:
        if self.pending:
            self.posts += 1
            if self.posts > LAZY_POSTS:
                needed = list(self.pending)
            else:
                needed = {tokens.text_of(i).lower() for i in range(len(tokens))} & self.pending.keys()
            for word in needed:
                for key, words in self.pending.pop(word):
                    self.matcher.add(key, [Doc(self.vocab, words=list(words))])
        return self.matcher(doc)


class CompiledMatchers:
    def __init__(self, nlp: Language, ruleset: RuleSet) -> None:
        self.nlp = nlp
        self.phrases = _Phrases(nlp.vocab)
        self.patterns = _AnchoredPatterns(nlp, anchor_finder=self.phrases)
        self.urls = _UrlRules()
        self.keys: dict[int, MatchKey] = {}          # match id -> what it finds
        self.keys_by_name: dict[str, MatchKey] = {}  # "signal|id" / "label|id" -> what it finds
        self.phrase_list: list[tuple[str, tuple[str, ...]]] = []    # (name, words) of every phrase
        self.words = _phrase_words(nlp, ruleset)
        entries = [(MatchKey.of(SIGNAL, signal.id, signal.match), signal.match) for signal in ruleset.signals]
        entries += [(MatchKey.of(LABEL, label.id, label.match), label.match) for label in ruleset.labels.values()]
        plans = iter(pattern_plans(self.patterns, [list(p) for _, match in entries for p in match.patterns]))
        for key, match in entries:
            self._add(key, match, plans)

    def _add(self, key: MatchKey, match: Matchable, plans: Iterator[PatternPlan]) -> None:
        name = f"{key.target}|{key.id}"
        self.keys[self.nlp.vocab.strings.add(name)] = key
        self.keys_by_name[name] = key
        for phrase in match.phrases:
            self.phrases.add(name, self.words[phrase])
            if self.words[phrase]:
                self.phrase_list.append((name, self.words[phrase]))
        for pattern in match.patterns:
            self.patterns.add(name, list(pattern), next(plans))
        if match.hosts or match.url_params:
            self.urls.add(_compile_url_rule(key, match))

    def find(self, doc: Doc, tokens: Tokens) -> list[Hit]:
        """Every signal and label hit in `doc`, whose tokens are `tokens`."""
        matches, anchors = [], []
        for match_id, start, end in self.phrases(doc, tokens):
            if match_id in self.keys:
                matches.append((match_id, start, end))
            else:
                anchors.append((match_id, start))
        matches += self.patterns(doc, tokens, anchors)
        hits = [self._hit(match_id, start, end, tokens) for match_id, start, end in matches]
        if self.urls.rules and "." in tokens.text:
            hits.extend(self.urls.hits(tokens))
        return [hit for hit in hits if hit is not None]

    def _hit(self, match_id: int, start: int, end: int, tokens: Tokens) -> Hit | None:
        """The hit for tokens `[start, end)`, unless it sits where its entry
        says it may not."""
        key = self.keys[match_id]
        start_char, end_char = tokens.starts[start], tokens.end_of(end - 1)
        if key.placed and not _well_placed(key, tokens, start, end):
            return None
        return Hit(key.target, key.id, start_char, end_char)


def _phrase_words(nlp: Language, ruleset: RuleSet) -> dict[str, tuple[str, ...]]:
    """Each phrase of the packs as the words `nlp` splits it into (folded,
    lower-cased), kept in the cache (`checker.pack_cache`) per language."""
    from .pack_cache import cached

    phrases = sorted({phrase for entry in (*ruleset.signals, *ruleset.labels.values()) for phrase in entry.match.phrases})

    def tokenize() -> dict[str, list[str]]:
        return {phrase: [token.text for token in nlp.make_doc(normalise(phrase).text.lower())] for phrase in phrases}

    parts = [f"spacy {spacy_version} language {nlp.lang}", "\n".join(phrases)]
    found = cached(f"phrases-{nlp.lang}", parts, tokenize, code=("nlp", "normalise", "matchers"))
    if not isinstance(found, dict) or not all(isinstance(found.get(phrase), list) for phrase in phrases):
        found = tokenize()
    return {phrase: tuple(found[phrase]) for phrase in phrases}


def pattern_plans(patterns: _AnchoredPatterns, specs: list[list[dict]]) -> list[PatternPlan]:
    """`patterns.plan` of each token pattern in `specs`, kept in the cache
    (`checker.pack_cache`): a plan depends on the pattern and on which
    character classes the language can anchor on."""
    from .pack_cache import cached

    def plan_all() -> list[list]:
        return [_plan_json(patterns.plan(spec)) for spec in specs]

    classes = sorted(name for name in CHARACTER_CLASSES if name in patterns.classes)
    try:
        parts = [f"classes {' '.join(classes)}", json.dumps(specs, sort_keys=True, ensure_ascii=False)]
    except (TypeError, ValueError):
        return [patterns.plan(spec) for spec in specs]
    found = cached("patterns", parts, plan_all, code=("matchers",))
    try:
        plans = [_plan_of(item) for item in found]
    except (TypeError, ValueError):
        plans = []
    return plans if len(plans) == len(specs) else [patterns.plan(spec) for spec in specs]


def _plan_json(plan: PatternPlan) -> list:
    return [sorted(plan.words), plan.char, plan.position, plan.before, plan.after]


def _plan_of(item: list) -> PatternPlan:
    words, char, position, before, after = item
    if not (isinstance(words, list) and all(isinstance(w, str) for w in words) and isinstance(char, str)
            and isinstance(position, int) and all(r is None or isinstance(r, int) for r in (before, after))):
        raise ValueError("not a pattern plan")
    return PatternPlan(frozenset(words), char, position, before, after)


def _well_placed(key: MatchKey, tokens: Tokens, start: int, end: int) -> bool:
    if key.at_line_start and not opens_line(tokens.text, tokens.starts[start]):
        return False
    if key.at_line_end and not ends_line(tokens.text, tokens.end_of(end - 1)):
        return False
    if key.not_after and start > 0 and _listed(tokens.text_of(start - 1), key.not_after):
        return False
    return not (key.not_before and end < len(tokens) and _listed(tokens.text_of(end), key.not_before))


# In a `not_after` / `not_before` list, this entry stands for any number ("AD 1066").
NUMBER_WORD = "<number>"


def _listed(word: str, words: frozenset[str]) -> bool:
    return word.lower() in words or (NUMBER_WORD in words and word.replace(",", "").replace(".", "").isdigit())


# A line opens with optional frame markers ("[Frame 2]"), bullets, separators
# and emoji before its first word; it ends with punctuation, emoji and
# hashtags after its last word.
_LINE_OPENER = re.compile(r"^(?:\s|\[[^\]\n]{0,30}\]|[^\w\s#@])*$")
_LINE_CLOSER = re.compile(r"^(?:\s|#\w+|[^\w\s#@])*$")


def opens_line(text: str, start: int) -> bool:
    line_begin = text.rfind("\n", 0, start) + 1
    return bool(_LINE_OPENER.match(text[line_begin:start]))


def ends_line(text: str, end: int) -> bool:
    line_end = text.find("\n", end)
    return bool(_LINE_CLOSER.match(text[end:] if line_end == -1 else text[end:line_end]))


# --------------------------------------------------------------------------- links

@dataclass(frozen=True)
class _UrlRule:
    key: MatchKey
    hosts: tuple[str, ...]
    any_tld: tuple[str, ...]                # "amazon.*" -> "amazon"
    params: tuple[tuple[str, frozenset[str]], ...]   # (key, allowed values or empty = any)


class _UrlRules:
    """URL rules indexed by the host names or, for rules on any host, the
    query parameter they name, so that a link is checked against the few
    rules that can match it."""

    def __init__(self) -> None:
        self.rules: list[_UrlRule] = []
        self.by_host: dict[str, list[int]] = {}     # "amzn.to" -> rule indices
        self.by_site: dict[str, list[int]] = {}     # "amazon" (from "amazon.*") -> rule indices
        self.by_param: dict[str, list[int]] = {}    # rules on any host, by a parameter they require

    def add(self, rule: _UrlRule) -> None:
        index = len(self.rules)
        self.rules.append(rule)
        for host in rule.hosts:
            self.by_host.setdefault(host, []).append(index)
        for name in rule.any_tld:
            self.by_site.setdefault(name, []).append(index)
        if not (rule.hosts or rule.any_tld):
            self.by_param.setdefault(rule.params[0][0], []).append(index)

    def hits(self, tokens: Tokens) -> list[Hit]:
        """Hits on the tokens that look like links."""
        candidates = {i for i, like_url in enumerate(tokens.like_url) if like_url} if 1 in tokens.like_url else set()
        candidates.update(i for i in tokens.containing("/") if "." in tokens.text_of(i))
        hits = []
        for index in sorted(candidates):
            host, params = _split_url(tokens.text_of(index))
            if not host:
                continue
            start, end = tokens.starts[index], tokens.end_of(index)
            for rule_index in self._rules_for(host, params):
                rule = self.rules[rule_index]
                if _url_matches(rule, host, params) and (
                        not rule.key.at_line_start or opens_line(tokens.text, start)):
                    hits.append(Hit(rule.key.target, rule.key.id, start, end, host))
        return hits

    def _rules_for(self, host: str, params: dict[str, str]) -> list[int]:
        """The rules that may match a link to `host` with `params`, in the
        order they were added."""
        labels = host.split(".")
        found: list[int] = []
        for i in range(len(labels)):
            found += self.by_host.get(".".join(labels[i:]), ())
        for label in labels[:-1]:
            found += self.by_site.get(label, ())
        for name in params:
            found += self.by_param.get(name, ())
        return sorted(set(found)) if found else found


def _compile_url_rule(key: MatchKey, match: Matchable) -> _UrlRule:
    exact = tuple(h for h in match.hosts if not h.endswith(".*"))
    any_tld = tuple(h[:-2] for h in match.hosts if h.endswith(".*"))
    params = []
    for item in match.url_params:
        name, _, values = item.partition("=")
        params.append((name, frozenset(v for v in values.split("|") if v)))
    return _UrlRule(key, exact, any_tld, tuple(params))


def _split_url(text: str) -> tuple[str, dict[str, str]]:
    candidate = text if "://" in text else "//" + text
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return "", {}
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if not parts.query:
        return host, {}
    return host, {key.lower(): value.lower() for key, value in parse_qsl(parts.query, keep_blank_values=True)}


def _url_matches(rule: _UrlRule, host: str, params: dict[str, str]) -> bool:
    host_ok = not (rule.hosts or rule.any_tld) or any(
        host == h or host.endswith("." + h) for h in rule.hosts
    ) or any(_same_site_any_tld(host, name) for name in rule.any_tld)
    if not host_ok:
        return False
    return all(name in params and (not values or params[name] in values) for name, values in rule.params)


def _same_site_any_tld(host: str, name: str) -> bool:
    """'amazon' matches amazon.com, amazon.co.uk, smile.amazon.de."""
    labels = host.split(".")
    return name in labels[:-1] and len(labels) - labels.index(name) <= 3
