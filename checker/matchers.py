"""Compile the signals and label lexicon of a RuleSet into spaCy matchers.

Lexicons (phrases) go into one `PhraseMatcher` on the lower-cased folded
text, which stays fast with thousands of entries; structural token patterns
go into one `Matcher`; URL hosts and tracking parameters are looked up in
sets for the few tokens that look like links. One `CompiledMatchers` is
built per language pipeline and reused for every post.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.attrs import IDX, LENGTH, LIKE_URL, LOWER
from spacy.tokens import Doc

from .normalise import normalise
from .packs import Matchable, RuleSet

SIGNAL = "signal"
LABEL = "label"


@dataclass(frozen=True)
class Hit:
    """A match in the folded text of one field: which signal or label, and where."""
    target: str          # SIGNAL or LABEL
    id: str
    start: int           # character offsets in the folded text
    end: int
    detail: str = ""


@dataclass(frozen=True)
class _UrlRule:
    key: str
    hosts: tuple[str, ...]
    any_tld: tuple[str, ...]                # "amazon.*" -> "amazon"
    params: tuple[tuple[str, frozenset[str]], ...]   # (key, allowed values or empty = any)


@dataclass
class _PatternGroup:
    """Patterns that share an anchor, in one Matcher, with the most tokens
    any of them can reach before and after the anchor (None: unbounded)."""
    matcher: Matcher
    before: int | None
    after: int | None


class _AnchoredPatterns:
    """Token patterns run only around their anchors.

    A pattern's anchor is a required token that must be one of a few words,
    or must start with '#' or '@'. Patterns with the same anchor share a
    Matcher, which runs only on the short span of the doc around each place
    the anchor occurs. spaCy's Matcher walks every token of what it is given
    in Python, so running it on a handful of small spans instead of whole
    docs is what keeps large lexicons cheap.
    """

    def __init__(self, nlp: Language) -> None:
        self.vocab = nlp.vocab
        self.groups: dict[tuple, _PatternGroup] = {}
        self.by_word: dict[int, list[_PatternGroup]] = {}
        self.by_char: dict[str, list[_PatternGroup]] = {}
        self.always: list[_PatternGroup] = []

    def add(self, key: str, pattern: list[dict]) -> None:
        words, char, position = _anchor(pattern)
        before = _reach(pattern[:position]) if (words or char) else None
        after = _reach(pattern[position + 1:]) if (words or char) else None
        group_key = (words, char)
        group = self.groups.get(group_key)
        if group is None:
            group = self.groups[group_key] = _PatternGroup(Matcher(self.vocab), before, after)
            if words:
                for word in words:
                    self.by_word.setdefault(self.vocab.strings.add(word), []).append(group)
            elif char:
                self.by_char.setdefault(char, []).append(group)
            else:
                self.always.append(group)
        else:
            group.before = _wider(group.before, before)
            group.after = _wider(group.after, after)
        group.matcher.add(key, [pattern])

    def __call__(self, doc: Doc, text: str) -> list[tuple[int, int, int]]:
        windows: dict[int, tuple[_PatternGroup, list[tuple[int, int]]]] = {}
        for group in self.always:
            windows[id(group)] = (group, [(0, len(doc))])
        if not self.by_word.keys().isdisjoint(doc.count_by(LOWER)):
            for index, word_hash in enumerate(doc.to_array(LOWER).tolist()):
                for group in self.by_word.get(word_hash, ()):
                    _add_window(windows, group, index, len(doc))
        if self.by_char:
            token_at = {offset: index for index, offset in enumerate(doc.to_array(IDX).tolist())}
            for char, groups in self.by_char.items():
                position = text.find(char)
                while position != -1:
                    index = token_at.get(position)
                    if index is not None:
                        for group in groups:
                            _add_window(windows, group, index, len(doc))
                    position = text.find(char, position + 1)
        matches = []
        for group, spans in windows.values():
            for start, end in _merged(spans):
                matches.extend((key, start + s, start + e) for key, s, e in group.matcher(doc[start:end]))
        return matches


def _add_window(windows: dict, group: _PatternGroup, index: int, length: int) -> None:
    start = 0 if group.before is None else max(0, index - group.before)
    end = length if group.after is None else min(length, index + group.after + 1)
    windows.setdefault(id(group), (group, []))[1].append((start, end))


# A Matcher call costs about as much as walking a dozen tokens, so windows
# closer than this are matched in one call.
_WINDOW_GAP = 12


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
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


def _anchor(pattern: list[dict]) -> tuple[frozenset[str], str, int]:
    """The rarest anchor of a pattern: the words (lower-cased) or leading
    character that one required token must have, and that token's position.
    Long words make better anchors than short words, punctuation or a
    leading '#'/'@', which occur in most posts."""
    best: tuple[float, frozenset[str], str, int] = (float("inf"), frozenset(), "", 0)
    for position, token in enumerate(pattern):
        op = token.get("OP", "")
        if op in ("?", "*", "!") or op.startswith("{0"):
            continue
        words, char = _token_literals(token)
        cost = sum(1 if w.isalpha() and len(w) > 3 else 100 if w.isalpha() else 1000 for w in words) if words \
            else 500 if char else float("inf")
        if cost < best[0]:
            best = (cost, words, char, position)
    return best[1], best[2], best[3]


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


class CompiledMatchers:
    def __init__(self, nlp: Language, ruleset: RuleSet) -> None:
        self.nlp = nlp
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns = _AnchoredPatterns(nlp)
        self.url_rules: list[_UrlRule] = []
        self.line_start_keys: set[str] = set()
        for signal in ruleset.signals:
            self._add(f"{SIGNAL}|{signal.id}", signal.match)
        for label in ruleset.labels.values():
            self._add(f"{LABEL}|{label.id}", label.match)

    def _add(self, key: str, match: Matchable) -> None:
        if match.at_line_start:
            self.line_start_keys.add(key)
        if match.phrases:
            docs = [self.nlp.make_doc(normalise(phrase).text.lower()) for phrase in match.phrases]
            self.phrases.add(key, docs)
        for pattern in match.patterns:
            self.patterns.add(key, list(pattern))
        if match.hosts or match.url_params:
            self.url_rules.append(_compile_url_rule(key, match))

    def find(self, doc: Doc, text: str, tokens: list[tuple[int, int, int]]) -> list[Hit]:
        """Every signal and label hit in `doc`, made from `text`; `tokens`
        holds (offset, length, like_url) per token (see `token_table`)."""
        strings = self.nlp.vocab.strings
        hits: list[Hit] = []
        for match_id, start, end in [*self.phrases(doc), *self.patterns(doc, text)]:
            key = strings[match_id]
            start_char = doc[start].idx
            last = doc[end - 1]
            hits.append(_hit(key, start_char, last.idx + len(last.text)))
        if self.url_rules and ("." in text):
            hits.extend(self._url_hits(text, tokens))
        return [hit for hit in hits if self._placed(hit, text)]

    def _url_hits(self, text: str, tokens: list[tuple[int, int, int]]) -> list[Hit]:
        hits = []
        for start, length, like_url in tokens:
            token = text[start:start + length]
            if not (like_url or "/" in token and "." in token):
                continue
            host, params = _split_url(token)
            if not host:
                continue
            for rule in self.url_rules:
                if _url_matches(rule, host, params):
                    hits.append(_hit(rule.key, start, start + length, host))
        return hits

    def _placed(self, hit: Hit, text: str) -> bool:
        key = f"{hit.target}|{hit.id}"
        return key not in self.line_start_keys or opens_line(text, hit.start)


def token_table(doc: Doc) -> list[tuple[int, int, int]]:
    """(character offset, length, like_url) of every token, read in one call:
    cheaper than walking Token objects, which spaCy builds one by one."""
    return doc.to_array([IDX, LENGTH, LIKE_URL]).tolist()


def _hit(key: str, start: int, end: int, detail: str = "") -> Hit:
    target, _, item_id = key.partition("|")
    return Hit(target, item_id, start, end, detail)


# A line opens with optional frame markers ("[Frame 2]"), bullets, separators
# and emoji before its first word.
_LINE_OPENER = re.compile(r"^(?:\s|\[[^\]\n]{0,30}\]|[^\w\s#@])*$")


def opens_line(text: str, start: int) -> bool:
    line_begin = text.rfind("\n", 0, start) + 1
    return bool(_LINE_OPENER.match(text[line_begin:start]))


def _compile_url_rule(key: str, match: Matchable) -> _UrlRule:
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
    params = {key.lower(): value.lower() for key, value in parse_qsl(parts.query, keep_blank_values=True)}
    return host, params


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
