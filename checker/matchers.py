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


class CompiledMatchers:
    def __init__(self, nlp: Language, ruleset: RuleSet) -> None:
        self.nlp = nlp
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns = Matcher(nlp.vocab)
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
        if match.patterns:
            self.patterns.add(key, [list(pattern) for pattern in match.patterns])
        if match.hosts or match.url_params:
            self.url_rules.append(_compile_url_rule(key, match))

    def find(self, doc: Doc) -> list[Hit]:
        strings = self.nlp.vocab.strings
        hits: list[Hit] = []
        for match_id, start, end in [*self.phrases(doc), *self.patterns(doc)]:
            key = strings[match_id]
            span = doc[start:end]
            hits.append(_hit(key, span.start_char, span.end_char))
        if self.url_rules:
            hits.extend(self._url_hits(doc))
        return [hit for hit in hits if self._placed(hit, doc.text)]

    def _url_hits(self, doc: Doc) -> list[Hit]:
        hits = []
        for token in doc:
            if not (token.like_url or "/" in token.text and "." in token.text):
                continue
            host, params = _split_url(token.text)
            if not host:
                continue
            for rule in self.url_rules:
                if _url_matches(rule, host, params):
                    hits.append(_hit(rule.key, token.idx, token.idx + len(token.text), host))
        return hits

    def _placed(self, hit: Hit, text: str) -> bool:
        key = f"{hit.target}|{hit.id}"
        return key not in self.line_start_keys or opens_line(text, hit.start)


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
