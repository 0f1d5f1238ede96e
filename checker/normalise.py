"""Fold what a reader sees as the same letters, keeping a map to the original.

Posts hide disclosure labels from search and screen readers with tricks that
leave them readable to people: fullwidth or "bold" letters (`＃ａｄ`, `𝐚𝐝`),
zero-width characters inside a word (`#a\u200bd`), Cyrillic look-alikes
(`#аd`), strikethrough marks, letter spacing (`# a d`). `normalise` undoes
them so the matchers see `#ad`, and keeps, for every character of the folded
text, the range of the original it came from, so that findings point at what a
person sees. It also remembers which original characters were folded by such
an evasion, so the engine can say that a label is not machine-readable.

Ordinary accents are folded too (`publicité` matches `publicite`), but they
are not an evasion. Case is kept; the matchers lowercase.

Three passes, each cheap when it has nothing to do:
1. characters: compatibility forms, look-alike letters, invisible characters,
   combining marks;
2. letter spacing: `C O D E`, `#a d`, `A D` alone at a line start;
3. homoglyphs: Cyrillic/Greek/Armenian letters that look Latin, folded only in
   words that also hold Latin letters, or in texts where every such letter is a
   look-alike, so genuine Greek or Russian text is left alone.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Normalised:
    """Folded text plus the way back to the original.

    `_starts[i]`/`_ends[i]` are the original range of folded character `i`
    (both None when the fold changed no offsets); `_evasions` are the sorted
    original indices of characters that an evasion fold touched.
    """
    original: str
    text: str
    _starts: Sequence[int] | None = field(default=None, repr=False, compare=False)
    _ends: Sequence[int] | None = field(default=None, repr=False, compare=False)
    _evasions: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map folded `[start, end)` to the original range showing the same
        characters, including the marks and invisible characters inside it."""
        size = len(self.text)
        if not 0 <= start <= end <= size:
            raise ValueError(f"range [{start}, {end}) is outside the text (length {size})")
        if self._starts is None or self._ends is None:
            return start, end
        if start < end:
            return self._starts[start], self._ends[end - 1]
        if start < size:
            position = self._starts[start]
        else:
            position = self._ends[-1] if size else 0
        return position, position

    def is_obfuscated(self, start: int, end: int) -> bool:
        """True when folded `[start, end)` was only readable after undoing an
        evasion: invisible characters, look-alike or stylised letters,
        fullwidth forms, decorative marks or letter spacing."""
        if not self._evasions or start >= end:
            return False
        first, last = self.to_original(start, end)
        i = bisect_left(self._evasions, first)
        return i < len(self._evasions) and self._evasions[i] < last


def normalise(text: str) -> Normalised:
    """Fold `text` for matching; see the module docstring."""
    if text.isascii():
        if not _may_be_spaced(text):
            return Normalised(text, text)
        folded, starts, ends, evasions = text, None, None, []
    else:
        folded, starts, ends, evasions = _fold_characters(text)
    if _may_be_spaced(folded):
        folded, starts, ends = _collapse_spacing(folded, starts, ends, evasions)
    if not folded.isascii() and _HOMOGLYPH.search(folded):
        folded = _fold_homoglyphs(folded, starts, evasions)
    if starts is not None and len(starts) == len(text) and _is_identity(starts):
        starts = ends = None
    return Normalised(text, folded, starts, ends, tuple(sorted(set(evasions))))


def _is_identity(starts: Sequence[int]) -> bool:
    return all(i == start for i, start in enumerate(starts))


# --- character tables -------------------------------------------------------

# Removed wherever they appear: they are invisible and carry no meaning a
# label needs. (Joiners, variation selectors and tags are decided by context.)
_INVISIBLE = frozenset(
    "\u00ad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d"
    "\u206e\u206f\u3164\ufeff\uffa0\U0001bca0\U0001bca1\U0001bca2\U0001bca3"
)
_JOINERS = frozenset("\u200c\u200d")
_TAG_BASE = "\U0001f3f4"            # black flag: tag characters after it spell a subdivision flag
_KEYCAP = "\u20e3"
# Combining marks that only decorate (strikethrough, underline, overline,
# enclosing shapes) or are invisible.
_DECORATIVE_MARKS = frozenset(
    "\u0305\u0332\u0333\u0334\u0335\u0336\u0337\u0338\u033f\u034f\u0488\u0489\u17b4\u17b5"
) | frozenset(chr(cp) for cp in range(0x20D0, 0x2100) if chr(cp) != _KEYCAP)
_GENERIC_MARK_BLOCKS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF),
                        (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
_STACKED_MARKS = 3      # this many generic marks on one letter is decoration ("zalgo")

# Typographic apostrophes read as the plain one, so "can’t", "m’a" and
# "l’envoi" match packs written with "'".
_APOSTROPHES = frozenset("\u2019\u2018\u02bc")

# Compatibility characters NFKC would spell out as several letters, which would
# glue them onto the word before (`Brand™` -> `BrandTM`).
_KEEP_AS_IS = frozenset("™℠℡")

# Latin-script letters and symbols that stand in for plain letters and that
# NFKC leaves alone: small capitals, IPA look-alikes, negative circled and
# squared letters; parenthesised letters lose their brackets.
_LOOKALIKE: dict[str, str] = {
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h",
    "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p",
    "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    "ɡ": "g", "ɑ": "a",
}
for _offset in range(26):
    _LOOKALIKE[chr(0x1F150 + _offset)] = chr(0x41 + _offset)   # 🅐
    _LOOKALIKE[chr(0x1F170 + _offset)] = chr(0x41 + _offset)   # 🅰
    _LOOKALIKE[chr(0x1F110 + _offset)] = chr(0x41 + _offset)   # 🄐 (A)
    _LOOKALIKE[chr(0x249C + _offset)] = chr(0x61 + _offset)    # ⒜ (a)

# Code points whose compatibility folding is a known way of dressing up
# letters: superscripts, modifier letters, letterlike and enclosed forms,
# fullwidth forms, mathematical alphanumerics, segmented digits.
_STYLISED_RANGES = (
    (0x00B2, 0x00B3), (0x00B9, 0x00B9), (0x02B0, 0x02FF), (0x1D00, 0x1DBF),
    (0x2070, 0x209F), (0x2100, 0x214F), (0x2460, 0x24FF), (0xFF01, 0xFF5E),
    (0x1D400, 0x1D7FF), (0x1F100, 0x1F1E5), (0x1FBF0, 0x1FBF9),
)

# Letters of other scripts that look like Latin ones.
_HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y",
    "к": "k",
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y",
    "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ρ": "p", "τ": "t", "κ": "k", "ι": "i", "υ": "u",
    "χ": "x", "γ": "y", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Armenian
    "օ": "o", "ս": "u", "հ": "h", "Օ": "O", "Ս": "U",
}
_HOMOGLYPH_CLASS = "".join(sorted(_HOMOGLYPHS))
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)


def _in_ranges(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= cp <= high for low, high in ranges)


def _is_alphabet_letter(ch: str) -> bool:
    """A Latin, Greek or Cyrillic letter: the scripts whose accents are folded
    and whose letters never need a joiner."""
    if not ch.isalpha():
        return False
    cp = ord(ch)
    return (cp <= 0x02AF or 0x0370 <= cp <= 0x052F
            or 0x1D00 <= cp <= 0x1DBF or 0x1E00 <= cp <= 0x1FFF or 0x2C60 <= cp <= 0x2C7F
            or 0xA640 <= cp <= 0xA69F or 0xA720 <= cp <= 0xA7FF or 0xAB30 <= cp <= 0xAB6F)


def _strip_accents(text: str) -> str:
    out = []
    for ch in text:
        if _is_alphabet_letter(ch):
            ch = "".join(c for c in unicodedata.normalize("NFD", ch)
                         if unicodedata.category(c) != "Mn")
        elif out and unicodedata.category(ch) == "Mn" and _is_alphabet_letter(out[-1][-1:]):
            continue
        out.append(ch)
    return "".join(out)


# What pass 1 does with one character out of context.
_KEEP, _FOLD, _EVADE, _DROP, _MARK, _JOIN, _TAG = range(7)
_CLUSTER_KINDS = frozenset((_DROP, _MARK, _JOIN, _TAG))
_classified: dict[str, tuple[int, str]] = {}


def _classify(ch: str) -> tuple[int, str]:
    known = _classified.get(ch)
    if known is None:
        known = _classified[ch] = _classify_uncached(ch)
    return known


def _classify_uncached(ch: str) -> tuple[int, str]:
    if ch in _INVISIBLE:
        return _DROP, ""
    if ch in _JOINERS:
        return _JOIN, ch
    cp = ord(ch)
    if 0xE0000 <= cp <= 0xE007F:
        return _TAG, ch
    category = unicodedata.category(ch)
    if category in ("Mn", "Me"):
        return _MARK, ch
    if ch in _LOOKALIKE:
        return _EVADE, _LOOKALIKE[ch]
    if category == "Zs" or ch == "\u2800":   # braille blank: Instagram's "empty line"
        return _FOLD, " "
    if ch in _APOSTROPHES:
        return _FOLD, "'"
    if ch in _KEEP_AS_IS:
        return _KEEP, ch
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) > 1 and folded[0] == " ":
        return _KEEP, ch        # spacing accents (´ ¨): NFKC would add a space
    folded = "".join("'" if c in _APOSTROPHES else _LOOKALIKE.get(c, c) for c in _strip_accents(folded))
    if any(c in _INVISIBLE for c in folded):
        return _DROP, ""        # compatibility forms of invisible fillers
    if any(unicodedata.category(c) in ("Mn", "Me") for c in folded):
        return _KEEP, ch        # would leave a bare combining mark (Thai ำ, halfwidth ﾞ)
    if folded == ch:
        return _KEEP, ch
    return (_EVADE if _in_ranges(cp, _STYLISED_RANGES) else _FOLD), folded


def _joinable(ch: str) -> bool:
    """A character a joiner may legitimately sit next to: emoji and the
    letters of scripts that use joiners (Indic, Arabic, Persian …)."""
    return (not ch.isascii() and not ch.isspace() and not _is_alphabet_letter(ch)
            and unicodedata.category(ch) not in ("Mn", "Me"))


# --- pass 1: characters ------------------------------------------------------

_NON_ASCII_RUNS = re.compile("([\x80-\U0010ffff]+)")


class _RunPlan(NamedTuple):
    """How one run of non-ASCII characters folds, relative to its start."""
    replacement: str
    starts: tuple[int, ...] | None      # None: one folded character per original one
    ends: tuple[int, ...] | None
    attach: int             # > 0: the character before the run now ends here (marks on it)
    evasions: tuple[int, ...]


# Non-ASCII runs (an emoji sequence, an accented letter, a word in another
# script) recur across posts: each is folded once and its plan replayed. A
# run's folding depends only on its characters and, when it opens with a mark
# or an invisible character, on the ASCII character before it.
_CACHED_RUN = 24
_PLAN_CACHE_SIZE = 50_000
_CONTEXTUAL = _RunPlan("", None, None, 0, ())     # marker: look up with the character before
_plans: dict[str, _RunPlan] = {}
_contextual_plans: dict[tuple[str, str], _RunPlan] = {}


def _fold_characters(text: str) -> tuple[str, list[int] | None, list[int] | None, list[int]]:
    parts = _NON_ASCII_RUNS.split(text)      # ASCII, run, ASCII, run, …, ASCII
    evasions: list[int] = []
    replays: list[tuple[int, int, _RunPlan]] = []
    start = 0
    for k in range(1, len(parts), 2):
        start += len(parts[k - 1])
        chunk = parts[k]
        plan = _plans.get(chunk)
        if plan is None or plan is _CONTEXTUAL:
            plan = _plan(chunk, text[start - 1] if start else "")
        parts[k] = plan.replacement
        end = start + len(chunk)
        if plan.starts is not None:
            replays.append((start, end, plan))
        if plan.evasions:
            evasions.extend(start + offset for offset in plan.evasions)
        start = end
    folded = "".join(parts)
    if not replays:
        return folded, None, None, evasions
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for start, end, plan in replays:
        starts.extend(range(position, start))
        ends.extend(range(position + 1, start + 1))
        if plan.attach and ends:
            ends[-1] = start + plan.attach
        assert plan.starts is not None and plan.ends is not None
        starts.extend(start + offset for offset in plan.starts)
        ends.extend(start + offset for offset in plan.ends)
        position = end
    starts.extend(range(position, len(text)))
    ends.extend(range(position + 1, len(text) + 1))
    return folded, starts, ends, evasions


def _plan(chunk: str, before: str) -> _RunPlan:
    contextual = _classify(chunk[0])[0] in _CLUSTER_KINDS
    if not contextual:
        before = ""
    if len(chunk) > _CACHED_RUN:
        return _make_plan(chunk, before)
    if len(_plans) + len(_contextual_plans) >= _PLAN_CACHE_SIZE:
        _plans.clear()
        _contextual_plans.clear()
    if not contextual:
        plan = _plans[chunk] = _make_plan(chunk, before)
        return plan
    _plans[chunk] = _CONTEXTUAL
    plan = _contextual_plans.get((before, chunk))
    if plan is None:
        plan = _contextual_plans[(before, chunk)] = _make_plan(chunk, before)
    return plan


def _make_plan(chunk: str, before: str) -> _RunPlan:
    out = _Builder(before + chunk)
    if before:
        out.emit(0, before)
    index = shift = len(before)
    while index < len(out.original):
        kind, replacement = _classify(out.original[index])
        if kind in _CLUSTER_KINDS:
            index = _fold_cluster(out.original, index, len(out.original), out)
            continue
        if kind == _EVADE:
            out.evasions.append(index)
        out.emit(index, replacement)
        index += 1
    starts = tuple(start - shift for start in out.starts[shift:])
    ends = tuple(end - shift for end in out.ends[shift:])
    attach = out.ends[0] - shift if before and out.ends[0] != shift else 0
    evasions = tuple(e - shift for e in out.evasions)
    replacement = "".join(out.pieces)[shift:]
    if not attach and len(starts) == len(chunk) and _is_identity(starts):
        return _RunPlan(replacement, None, None, 0, evasions)
    return _RunPlan(replacement, starts, ends, attach, evasions)


class _Builder:
    """Folded characters of a run and the original range of each."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.pieces: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.evasions: list[int] = []
        self.last = ""                      # last folded character

    def emit(self, index: int, replacement: str) -> None:
        """Folded `replacement` stands for original character `index`."""
        self.pieces.append(replacement)
        self.starts.extend([index] * len(replacement))
        self.ends.extend([index + 1] * len(replacement))
        if replacement:
            self.last = replacement[-1]

    def drop(self, index: int, attach: bool) -> None:
        """Leave out original character `index`; `attach` makes it part of
        the previous folded character (a mark on its letter)."""
        if attach and self.ends:
            self.ends[-1] = index + 1


def _fold_cluster(text: str, start: int, end: int, out: _Builder) -> int:
    """Fold the marks, joiners and invisible characters that follow a base
    character (or open the text); return where the cluster ends."""
    stop = start
    while stop < end and _classify(text[stop])[0] in _CLUSTER_KINDS:
        stop += 1
    base = out.last if start > 0 else ""
    on_letter = _is_alphabet_letter(base)
    generic = sum(1 for ch in text[start:stop]
                  if _classify(ch)[0] == _MARK and _in_ranges(ord(ch), _GENERIC_MARK_BLOCKS))
    stacked = generic >= _STACKED_MARKS
    for index in range(start, stop):
        ch = text[index]
        kind = _classify(ch)[0]
        if kind == _MARK:
            generic_mark = _in_ranges(ord(ch), _GENERIC_MARK_BLOCKS)
            if on_letter:
                # Accents on Latin/Greek/Cyrillic letters fold away; only
                # decoration, stacking or exotic marks count as evasion.
                ordinary = 0x0300 <= ord(ch) <= 0x036F and ch not in _DECORATIVE_MARKS and not stacked
                if not ordinary:
                    out.evasions.append(index)
                out.drop(index, attach=True)
            elif ch in _DECORATIVE_MARKS or (stacked and generic_mark):
                out.evasions.append(index)
                out.drop(index, attach=True)
            else:
                out.emit(index, ch)      # emoji presentation, keycaps, Indic vowel signs
        elif ((kind == _JOIN and _joinable(base) and _joinable(_next_visible(text, index + 1)))
              or (kind == _TAG and base == _TAG_BASE)):
            out.emit(index, ch)      # inside an emoji sequence or a joining script
        else:
            out.evasions.append(index)
            out.drop(index, attach=False)
    return stop


def _next_visible(text: str, index: int) -> str:
    while index < len(text):
        kind, replacement = _classify(text[index])
        if kind != _DROP:
            return replacement[:1] if kind in (_KEEP, _FOLD, _EVADE) else ""
        index += 1
    return ""


# --- pass 2: letter spacing ----------------------------------------------------

_SPACED_LETTER = f"[A-Za-z{_HOMOGLYPH_CLASS}]"
_SPACED_CHAR = f"[A-Za-z0-9{_HOMOGLYPH_CLASS}]"
_NOT_AFTER = r"(?<![\w@#/&=?%+~.:\-])"
_SPACING = re.compile(
    # "#a d", "# a d", "#a.d"
    rf"(?P<hash>(?<![\w#])#(?P<hash_gap> ?){_SPACED_LETTER}"
    rf"(?:(?: {_SPACED_CHAR})+|(?:\.{_SPACED_CHAR})+(?!\.\w))(?![\w@]))"
    # "C O D E", "C-O-D-E", "C·O·D·E": three or more, one separator throughout
    rf"|(?P<run>{_NOT_AFTER}{_SPACED_CHAR}(?:(?: {_SPACED_CHAR}){{2,}}"
    rf"|(?P<sep>[·•\-]){_SPACED_CHAR}(?:(?P=sep){_SPACED_CHAR})+(?!(?P=sep)\w))(?![\w@]))"
    # "A D" alone at the start of a line, or before a separator
    rf"|(?P<pair>^[ \t]*{_SPACED_LETTER} {_SPACED_LETTER}(?=[ \t]*(?:$|[:|/,!\-–—])))",
    re.MULTILINE,
)
_SEPARATORS = frozenset(" .·•-")
# What every spaced form contains: two single characters and a separator.
# Searching for it first is several times cheaper than the full pattern, more
# so when the pattern opens with the separator and looks back from there.
_SPACING_HINT = re.compile(rf"[ .·•\-]{_SPACED_CHAR}(?<=\W{_SPACED_CHAR}[ .·•\-]{_SPACED_CHAR})(?!\w)")
_SPACING_HINT_AT_START = re.compile(rf"{_SPACED_CHAR}[ .·•\-]{_SPACED_CHAR}(?!\w)")


def _may_be_spaced(text: str) -> bool:
    return bool(_SPACING_HINT.search(text) or _SPACING_HINT_AT_START.match(text))


def _collapse_spacing(
    text: str, starts: list[int] | None, ends: list[int] | None, evasions: list[int],
) -> tuple[str, list[int] | None, list[int] | None]:
    removed: list[int] = []
    for match in _SPACING.finditer(text):
        kind = match.lastgroup
        begin, finish = match.span()
        if kind == "pair":
            begin = finish - 3
        if kind == "run" and sum(ch.isalpha() for ch in match.group()) < 2:
            continue                  # "1 2 3" or "5 x 3" is not a spaced word
        if kind == "hash":
            begin += 1
        removed.extend(i for i in range(begin, finish) if text[i] in _SEPARATORS)
    if not removed:
        return text, starts, ends
    if starts is None or ends is None:
        starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    gone = set(removed)
    evasions.extend(starts[i] for i in removed)
    kept = [i for i in range(len(text)) if i not in gone]
    return ("".join(text[i] for i in kept), [starts[i] for i in kept], [ends[i] for i in kept])


# --- pass 3: homoglyphs --------------------------------------------------------

_HOMOGLYPH = re.compile(f"[{_HOMOGLYPH_CLASS}]")
_WORD = re.compile(r"\w+")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# A Greek, Cyrillic or Armenian letter that is not a look-alike: the mark of
# genuine text in those scripts.
_OTHER_SCRIPT_LETTER = re.compile(
    "[^\\W\\d_" + _HOMOGLYPH_CLASS + "]"
    "(?<=[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f\u2de0-\u2dff\ua640-\ua69f\u0530-\u058f])"
)


def _fold_homoglyphs(text: str, starts: list[int] | None, evasions: list[int]) -> str:
    words = [word for word in _WORD.finditer(text) if _HOMOGLYPH.search(word.group())]
    disguised_text = _OTHER_SCRIPT_LETTER.search(text) is None and _LATIN_LETTER.search(text) is not None
    chars = list(text)
    for word in words:
        if not (disguised_text or _LATIN_LETTER.search(word.group())):
            continue
        for i in range(word.start(), word.end()):
            if chars[i] in _HOMOGLYPHS:
                chars[i] = chars[i].translate(_HOMOGLYPH_TABLE)
                evasions.append(starts[i] if starts is not None else i)
    return "".join(chars)
