"""Tell posts that cannot hold a hit that counts, without tokenizing them.

Most posts hold nothing to find, and tokenizing them is most of what they
cost. spaCy's tokenizer cuts a text at white space and tokenizes each chunk
on its own, so which tokens a chunk holds depends on the chunk alone.

Every phrase and token pattern of the packs needs certain things in a post
(its requirements), each met by one of a few "atoms":
- a phrase needs each of its words;
- a pattern's required token needs one of its literal words, or, for a
  hashtag, to pass the token's test, or a digit, a currency sign, one of
  the literal strings its regular expression needs, or an '@';
- a link rule needs a chunk that may hold a link.
`QuietScreen` learns, per chunk, which atoms it holds from the posts the
matchers tokenize (`learn`), or, for a few chunks it has not seen in a
post, by tokenizing those chunks alone. For a text whose chunks it knows,
it unites their atoms and looks, through an index on each entry's rarest
requirement, for an entry whose every requirement is met (`quiet`). A text
with many chunks not seen yet, or one too long to keep, is left to the
matchers.

Which hits count is the caller's (`counts`), and depends on whether the
text holds an @mention: a hit that cannot change a post with no other hit
(a negation that denies nothing; promotional words, unless there is an
@mention they could make a brand tag) need not be looked for. Each case has
its own index.
"""
from __future__ import annotations

import re
import runpy
from bisect import bisect_left
from pathlib import Path
from typing import Callable, Iterable, Iterator

import spacy.lang
from spacy.language import Language

from .matchers import (
    CHARACTER_CLASSES, CURRENCY, LOWER_LITERALS, MAX_REMEMBERED, CompiledMatchers, Tokens, MatchKey, _TokenTest,
    _literal_anchor, _required_literals, _token_class, _token_tests,
)
from .nlp import LONG_CHUNK, make_doc
from .packs import _sre_parse

_CHUNK = re.compile(r"\S+")
# Attributes whose literal words a token's text must have; NORM may differ
# from the text ("cuz" -> "because"), so it requires nothing here.
_TEXT_ATTRS = ("LOWER", "ORTH", "TEXT")
# Atoms other than words start with a character no token holds.
_LINK = "\0link"
_AT = "\0@"
_NONE: frozenset[str] = frozenset()
# A text with more chunks the screen has not seen goes to the matchers,
# which tokenize it whole (and teach the screen its chunks). A chunk of
# letters only is one token unless the tokenizer has a special case for it
# (spaCy's affix rules all need a character other than a letter); any other
# chunk costs a Doc of its own, about a third of a whole post's audit.
MAX_UNKNOWN_WORDS = 12
MAX_UNKNOWN_CHUNKS = 2

Requirement = frozenset       # of atoms; met when the post holds one of them


class QuietScreen:
    """Per language pipeline: which atoms each chunk of folded text holds,
    and the entries (phrases, patterns, link rules) that count, by their
    requirements."""

    def __init__(self, matchers: CompiledMatchers, counts: Callable[[MatchKey, bool], bool],
                 languages: Iterable[str]) -> None:
        self.common = _common_words(languages)
        self.hashtag_tests: list[_TokenTest] = []
        self.classes: dict[str, tuple[re.Pattern, bool]] = {}     # atom -> (finder, on the lower-cased chunk)
        self.available_classes = matchers.patterns.classes
        # Per whether the text holds an @mention: what counts differs.
        by_mentions = {mentions: self._entries(matchers, counts, mentions) for mentions in (False, True)}
        every = [entry for entries in by_mentions.values() for entry in entries]
        self.links = (frozenset([_LINK]),) in every
        self.enabled = all(every)                                 # an entry that requires nothing may match anywhere
        self.words = frozenset(atom for entry in every for requirement in entry for atom in requirement
                               if not atom.startswith("\0"))
        self.indexes = {mentions: self._index(entries) for mentions, entries in by_mentions.items()}
        # One search tells most chunks hold no class at all.
        self.any_class = re.compile("|".join(f"(?:{finder.pattern})" for finder, _ in self.classes.values()) or "(?!)")
        self.chunks: dict[str, frozenset[str]] = {}
        self._splits: tuple[Language, frozenset[str]] | None = None

    def _index(self, entries: list[tuple[Requirement, ...]]) -> dict[str, list[tuple[Requirement, ...]]]:
        index: dict[str, list[tuple[Requirement, ...]]] = {}
        for entry in set(entries) if self.enabled else ():
            for atom in min(entry, key=self._cost):
                index.setdefault(atom, []).append(entry)
        return index

    def quiet(self, text: str, nlp: Language, mentions: bool) -> bool:
        """True when `text` (folded) meets every requirement of no entry;
        False when it may. A few chunks not known yet are tokenized with
        `nlp` one by one and learned (most posts have a name or a rare
        word); a text with more, or with a chunk too long to remember, is
        left to the matchers."""
        if not self.enabled:
            return False
        chunks = self.chunks
        present: set[str] = set()
        words: list[str] = []               # chunks not known yet, all letters: one token each
        others: list[str] = []              # chunks not known yet, tokenized alone
        splits = self._special_cases(nlp)
        for chunk in text.split():
            atoms = chunks.get(chunk)
            if atoms is not None:
                present |= atoms
            elif len(chunk) > LONG_CHUNK:
                return False
            elif chunk.isalpha() and chunk not in splits and len(words) < MAX_UNKNOWN_WORDS:
                words.append(chunk)
            elif len(others) < MAX_UNKNOWN_CHUNKS:
                others.append(chunk)
            else:
                return False
        for chunk in words:
            present |= self._learn_chunk(chunk, [chunk])
        for chunk in others:
            present |= self._learn_chunk(chunk, [token.text for token in make_doc(nlp, chunk)])
        index = self.indexes[mentions]
        for atom in present:
            for entry in index.get(atom, ()):
                if all(not requirement.isdisjoint(present) for requirement in entry):
                    return False
        return True

    def _special_cases(self, nlp: Language) -> frozenset[str]:
        """The tokenizer's special cases (English "cannot" is two tokens)."""
        if self._splits is None or self._splits[0] is not nlp:
            self._splits = (nlp, frozenset(nlp.tokenizer.rules))
        return self._splits[1]

    def learn(self, text: str, tokens: Tokens) -> None:
        """Remember the atoms of each chunk of `text` not known yet, read
        from `tokens`, the tokens of `text`."""
        chunks, starts = self.chunks, tokens.starts
        if not self.enabled or all(chunk in chunks for chunk in text.split()):
            return
        for match in _CHUNK.finditer(text):
            chunk = match.group()
            if chunk in chunks or len(chunk) > LONG_CHUNK:
                continue
            first, last = bisect_left(starts, match.start()), bisect_left(starts, match.end())
            self._learn_chunk(chunk, [tokens.text_of(i) for i in range(first, last)])

    def _learn_chunk(self, chunk: str, tokens: list[str]) -> frozenset[str]:
        if len(self.chunks) >= MAX_REMEMBERED:
            self.chunks.clear()
        atoms = self.chunks[chunk] = self._atoms(chunk, tokens) or _NONE
        return atoms

    def _atoms(self, chunk: str, tokens: list[str]) -> frozenset[str]:
        atoms = {text.lower() for text in tokens} & self.words
        for text in tokens:
            if text.startswith("#"):
                atoms.update(f"\0#{i}" for i, test in enumerate(self.hashtag_tests) if test.fits(text))
        lowered = chunk.lower()
        if self.any_class.search(lowered) or self.any_class.search(chunk):
            atoms.update(atom for atom, (finder, lower) in self.classes.items()
                         if finder.search(lowered if lower else chunk))
        if self.links and _may_hold_link(chunk):
            atoms.add(_LINK)
        if "@" in chunk:
            atoms.add(_AT)
        return frozenset(atoms)

    # ------------------------------------------------------------------ building

    def _entries(self, matchers: CompiledMatchers, counts: Callable[[MatchKey, bool], bool],
                 mentions: bool) -> list[tuple[Requirement, ...]]:
        """The requirements of every phrase, pattern and link rule whose hits
        count, in a text with an @mention or (`mentions` false) without:
        there, what needs an '@' cannot match."""
        entries = [tuple(frozenset([word]) for word in words) for name, words in matchers.phrase_list
                   if counts(matchers.keys_by_name[name], mentions) and (mentions or not any("@" in word for word in words))]
        for group in matchers.patterns.groups.values():
            for name, pattern, _ in group.patterns:
                if counts(matchers.keys_by_name[name], mentions):
                    requirements = self._pattern_requirements(pattern)
                    if mentions or frozenset([_AT]) not in requirements:
                        entries.append(requirements)
        if any(counts(rule.key, mentions) for rule in matchers.urls.rules):
            entries.append((frozenset([_LINK]),))
        return entries

    def _pattern_requirements(self, pattern: list[dict]) -> tuple[Requirement, ...]:
        """What a token pattern needs."""
        requirements: list[Requirement] = []
        for token in pattern:
            op = token.get("OP", "")
            if op in ("?", "*", "!") or op.startswith(("{0", "{,")):
                continue
            if _needs_at(token):
                requirements.append(frozenset([_AT]))
            requirements.extend(self._token_requirements(token))
        return tuple(requirements)

    def _token_requirements(self, token: dict) -> Iterator[Requirement]:
        for attr in _TEXT_ATTRS:
            value = token.get(attr)
            words = _literal_words(value)
            if words is not None:
                yield frozenset(word.lower() for word in words)
            regex = value.get("REGEX") if isinstance(value, dict) else None
            if isinstance(regex, str) and regex.startswith("^#"):
                yield frozenset(self._hashtag_atom(test) for test in _token_tests({attr: {"REGEX": regex}}, 0))
        literal = _literal_anchor(token)
        if literal:
            yield frozenset([self._class_atom(literal)])
        character_class = _token_class(token, self.available_classes)
        if character_class:
            yield frozenset([self._class_atom(character_class)])

    def _hashtag_atom(self, test: _TokenTest) -> str:
        if test not in self.hashtag_tests:
            self.hashtag_tests.append(test)
        return f"\0#{self.hashtag_tests.index(test)}"

    def _class_atom(self, name: str) -> str:
        atom = f"\0{name}"
        if atom not in self.classes:
            finder = self.available_classes.get(name) or CHARACTER_CLASSES.get(name) or re.compile(name.split(":", 1)[1])
            self.classes[atom] = (finder, name.startswith(LOWER_LITERALS))
        return atom

    def _cost(self, requirement: Requirement) -> int:
        """How often a requirement is likely met: the entry is indexed under
        its cheapest, so that common words lead to few entries."""
        return sum(_atom_cost(atom, self.common) for atom in requirement)


def _literal_words(value) -> list[str] | None:
    words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
    if isinstance(words, list) and words and all(isinstance(word, str) for word in words):
        return words
    return None


def _needs_at(token: dict) -> bool:
    """Whether every token a spec matches holds '@' (its text's regular
    expression needs one, or every literal word has one)."""
    for attr in _TEXT_ATTRS:
        value = token.get(attr)
        words = _literal_words(value)
        if words is not None and all("@" in word for word in words):
            return True
        regex = value.get("REGEX") if isinstance(value, dict) else None
        if isinstance(regex, str) and "@" in regex:
            try:
                literals = _required_literals(list(_sre_parse.parse(regex)))
            except (re.error, RecursionError, OverflowError):
                continue
            if literals and all("@" in literal for literal in literals):
                return True
    return False


def _atom_cost(atom: str, common: frozenset[str]) -> int:
    """How likely an atom is in a post: punctuation, stop words and digits
    most, then short words, hashtags, literal strings, long words."""
    if atom.startswith("\0"):
        name = atom[1:]
        if name.startswith("#"):
            return 50
        if name.startswith(LOWER_LITERALS) or ":" in name:
            shortest = min(len(part) for part in name.split(":", 1)[1].split("|"))
            return 5 if shortest >= 5 else 20 if shortest == 4 else 200
        return 300 if name in (CURRENCY,) else 1000          # a currency sign; a digit, a link
    if atom in common or not any(c.isalnum() for c in atom):
        return 1000
    return 100 if len(atom) <= 2 else 10 if len(atom) == 3 else 1


def _common_words(languages: Iterable[str]) -> frozenset[str]:
    """The stop words spaCy lists for the packs' languages, read from its
    `stop_words.py` files: importing a language's package would compile
    its tokenizer exceptions, a third of a second each."""
    words: set[str] = set()
    spacy_lang = Path(spacy.lang.__file__).parent
    for language in sorted(set(languages)):
        path = spacy_lang / {"no": "nb"}.get(language, language) / "stop_words.py"
        if path.is_file():
            found = runpy.run_path(str(path)).get("STOP_WORDS", ())
            words.update(str(word).lower() for word in found)
    return frozenset(words)


def _may_hold_link(chunk: str) -> bool:
    """Whether a chunk may hold a token the link rules read: one that looks
    like a link (a dot inside it, or a scheme or "www." in front) or holds
    a '/' (`matchers._UrlRules.hits`)."""
    return "/" in chunk or "." in chunk.strip(".") or chunk.lower().startswith(("http", "www"))
