"""Blank spaCy pipelines whose tokenizer understands social text.

spaCy's default tokenizer splits `#ad` into `#` + `ad` and breaks emoji
sequences into their parts. Here `#` is no longer a prefix, emoji sequences
are split off whole (before any other affix rule), and one pattern keeps
hashtags, mentions, e-mail addresses, URLs and bare domains with paths, and
discount codes together as single tokens; trailing punctuation still splits
off (`#ad!` -> `#ad` `!`).

The tokenizer callables are bound methods of module-level compiled regexes:
spaCy serialises them by their pattern and they pickle, so pipelines survive
`to_disk`/`to_bytes` and worker processes started with `spawn`.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Callable

import spacy
from spacy.lang.char_classes import ALPHA
from spacy.lang.punctuation import (
    TOKENIZER_INFIXES,
    TOKENIZER_PREFIXES,
    TOKENIZER_SUFFIXES,
)
from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS
from spacy.language import BaseDefaults, Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import (
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
    update_exc,
)

# --- emoji ------------------------------------------------------------------

_EMOJI_CHAR = (
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a-\u23ff\u24c2"
    "\u25aa-\u25fe\u2600-\u27bf\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff]"
)
_EMOJI_ELEMENT = (
    "(?:[\U0001f1e6-\U0001f1ff]{2}"                           # flag: two regional indicators
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"           # subdivision flag (tag sequence)
    "|[#*0-9]\ufe0f?\u20e3"                                   # keycap
    f"|{_EMOJI_CHAR}[\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?\ufe0f?)"  # emoji, presentation, skin tone
)
# One emoji as a person sees it: elements glued by zero-width joiners
# (families, professions, gendered activities).
EMOJI_SEQUENCE = f"{_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*"

# --- social tokens ------------------------------------------------------------

# Combining marks and joiners that belong inside a word in scripts that use
# them (accents, Indic vowel signs, Persian ZWNJ, Thai vowels).
_WORD_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0963\u0966-\u0dff\u0e00-\u0e7f\u1ab0-\u1aff\u1dc0-\u1dff\u200c\u200d"
    "\u20d0-\u20ff\ufe20-\ufe2f"
)
_HASHTAG = rf"#[\w{_WORD_MARKS}]+"
_MENTION = r"@\w(?:[\w.]*\w)?"
_EMAIL = r"[\w.+\-]+@\w[\w\-]*(?:\.[\w\-]+)*\.[A-Za-z]{2,24}"
# Bare domains need a known top-level domain, so that "went.to" is a URL only
# where a shortener makes it one and a missing space after a full stop is not.
_TLDS = "|".join(sorted((
    "com", "net", "org", "info", "biz", "io", "co", "me", "ly", "to", "us", "uk", "de", "fr",
    "it", "es", "nl", "be", "ch", "at", "dk", "no", "se", "fi", "pl", "pt", "br", "ie", "au",
    "nz", "ca", "in", "jp", "kr", "cn", "ru", "cz", "sk", "hu", "ro", "gr", "tr", "ua", "lt",
    "lv", "ee", "is", "lu", "li", "mx", "ar", "cl", "id", "th", "vn", "sg", "hk", "tw", "my",
    "ph", "za", "ng", "ke", "ae", "sa", "il", "eg", "ma", "eu", "gl", "gd", "cc", "tv", "fm",
    "ai", "gg", "sh", "st", "gy", "im", "ws", "la", "ms", "vip", "app", "shop", "store", "link",
    "page", "site", "online", "blog", "club", "xyz", "bio", "live", "news", "tech", "dev", "art",
    "design", "studio", "travel", "beauty", "fashion", "style", "health", "fit", "coffee", "wine",
    "kitchen", "codes", "deals", "sale", "gift", "shopping", "pro", "one", "world", "global",
    "media", "digital", "social", "love", "life",
), key=lambda tld: (-len(tld), tld)))   # longest first: "co" must not win over "com"
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_PATH = r"(?:[/?#](?:[\w\-.~:/?#\[\]@!$&'()*+,;=%]*[\w\-~/#=&%+@$*])?)?"
_PORT = r"(?::\d{1,5})?"
_URL = (
    rf"(?:(?:https?|ftp)://(?:[\w\-]+\.)*[\w\-]+{_PORT}{_PATH}"
    rf"|www\.(?:{_HOST_LABEL}\.)+[A-Za-z]{{2,24}}{_PORT}{_PATH}"
    rf"|(?:{_HOST_LABEL}\.)+(?:{_TLDS}){_PORT}{_PATH})"
)
# Discount codes: capitals and digits, at least one of each, maybe hyphenated.
_CODE = r"(?=[A-Z0-9_\-]*[0-9])[A-Z][A-Z0-9]*(?:[\-_][A-Z0-9]+)*"

# `\Z` anchors the patterns, so `.match` (what spaCy restores after
# deserialising) and `.fullmatch` agree.
_SOCIAL_TOKEN = re.compile(rf"(?:{_HASHTAG}|{_MENTION}|{_EMAIL}|{_URL}|{_CODE})\Z")
social_token_match = _SOCIAL_TOKEN.match

# Amounts split the same way in every language ("15%" -> "15" "%", "50kr" ->
# "50" "kr", "R$10" -> "R$" "10"), so that one offer pattern reads them all.
# An elided article glued to a handle ("d'@marque", "dall'@brand") is split off it.
_EXTRA_PREFIXES = [EMOJI_SEQUENCE, r"#(?=#)", r"\|", r"/", r"R\$(?=[0-9])", r"[^\W\d_]{1,4}['’](?=@)"]
_EXTRA_SUFFIXES = [EMOJI_SEQUENCE, r"(?<=\w)#\w+", r"\|", r"/", r"(?<=[0-9])%", r"(?<=[0-9])(?:kr|zł|zl|sek|nok|dkk)"]
_EXTRA_INFIXES = [EMOJI_SEQUENCE, r"\|"]
_DROPPED_PREFIXES = frozenset(("#", r"\#"))

# --- French -------------------------------------------------------------------

_ELISION = "'’"
_HYPHENS = "\\-–—‐‑"
_INVERTED_PRONOUNS = "ce|elle|elles|en|il|ils|je|là|moi|nous|on|t|toi|vous"


class _FrenchDefaults(BaseDefaults):
    tokenizer_exceptions = update_exc(BASE_EXCEPTIONS, {
        word: [{ORTH: word}] for word in ("aujourd'hui", "Aujourd'hui", "aujourd’hui", "Aujourd’hui")
    })
    prefixes = TOKENIZER_PREFIXES + [rf"(?:[dlnDLN][{_ELISION}])(?=[{ALPHA}])"]
    suffixes = TOKENIZER_SUFFIXES + [rf"(?<=[{ALPHA}])[{_HYPHENS}](?i:{_INVERTED_PRONOUNS})"]
    infixes = TOKENIZER_INFIXES + [rf"(?<=[{ALPHA}][{_ELISION}])(?=[{ALPHA}])"]


class _French(Language):
    """French tokenisation (elisions split: l' avion, qu' il; inverted
    pronouns: peut -il) without importing spaCy's French module, whose import
    compiles a pattern of every hyphenated French word: 4 to 9 seconds here,
    for a difference in hyphenated words that no disclosure rule needs."""
    lang = "fr"
    Defaults = _FrenchDefaults


_OWN_LANGUAGES: dict[str, type[Language]] = {"fr": _French}

# Codes spaCy names differently, or languages it covers through a relative.
_LANGUAGE_ALIASES = {"no": "nb", "nn": "nb", "iw": "he", "in": "id", "ji": "yi", "fil": "tl"}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
MAX_TEXT_CHARS = 1 << 27
MULTI_LANGUAGE = "xx"


def get_pipeline(language: str | None) -> Language:
    """A blank pipeline with the social tokenizer for `language` (an ISO 639
    code, optionally with a region: `pt-BR`), built once per process.
    Languages spaCy lacks, or whose tokenizer needs an extra package (ja, ko,
    th, vi, zh), get the multi-language pipeline."""
    return _pipeline(_language_code(language))


def make_doc(nlp: Language, text: str) -> Doc:
    """Tokenise `text` only: blank pipelines have no components to run.

    spaCy strips affixes from a chunk without white space one at a time and
    searches the whole rest of the chunk for a suffix each time, so a chunk
    of n emoji or punctuation marks costs O(n²): 20,000 emoji in a row took
    over a minute. Chunks longer than `LONG_CHUNK` that are not one social
    token (a long URL is) are cut by `_FALLBACK_TOKEN` in linear time
    instead, and no token is longer than `MAX_TOKEN_CHARS`; everything else
    is spaCy's tokenisation unchanged.

    Lone surrogates (a JSON string may escape one) cannot be hashed by spaCy;
    each is tokenised as U+FFFD, which keeps every offset.
    """
    try:
        return _make_doc(nlp, text)
    except UnicodeEncodeError:
        return _make_doc(nlp, _SURROGATE.sub("\ufffd", text))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _make_doc(nlp: Language, text: str) -> Doc:
    if len(text) <= LONG_CHUNK or not _LONG_CHUNK.search(text):
        return nlp.make_doc(text)
    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for chunk in _LONG_CHUNK.finditer(text):
        if len(chunk.group()) <= MAX_TOKEN_CHARS and _is_social_token(chunk.group()):
            continue
        _append_tokens(nlp.make_doc(text[position:chunk.start()]), words, spaces)
        for match in _FALLBACK_TOKEN.finditer(chunk.group()):
            token = match.group()
            words.extend(token[i:i + MAX_TOKEN_CHARS] for i in range(0, len(token), MAX_TOKEN_CHARS))
        spaces.extend(False for _ in range(len(words) - len(spaces)))
        position = chunk.end()
        if text.startswith(" ", position):      # one following space belongs to the last token
            spaces[-1] = True
            position += 1
    if not words:
        return nlp.make_doc(text)
    _append_tokens(nlp.make_doc(text[position:]), words, spaces)
    return Doc(nlp.vocab, words=words, spaces=spaces)


LONG_CHUNK = 64
# No token is longer than this: the REGEX predicates of rule packs run on one
# token at a time, so this bounds what a slow (polynomial) pattern can cost.
# Longer runs (a 2 KB URL is already far beyond what browsers accept) are cut.
MAX_TOKEN_CHARS = 2048
_LONG_CHUNK = re.compile(rf"\S{{{LONG_CHUNK + 1},}}")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"…’”"
_FALLBACK_TOKEN = re.compile(
    rf"{EMOJI_SEQUENCE}|{_HASHTAG}|{_MENTION}|{_URL}|\w(?:[\w.:\-]*\w)?|\S", re.UNICODE)


def _is_social_token(chunk: str) -> bool:
    return bool(social_token_match(chunk) or social_token_match(chunk.rstrip(_TRAILING_PUNCTUATION)))


def _append_tokens(doc: Doc, words: list[str], spaces: list[bool]) -> None:
    for token in doc:
        words.append(token.text)
        spaces.append(bool(token.whitespace_))


def _language_code(language: str | None) -> str:
    if not language:
        return MULTI_LANGUAGE
    code = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    code = _LANGUAGE_ALIASES.get(code, code)
    return code if _LANGUAGE_CODE.fullmatch(code) else MULTI_LANGUAGE


SOCIAL_TOKENIZER = "clearlabel.social_tokenizer.v1"
_SPACY_TOKENIZER = "spacy.Tokenizer.v1"
# The tokenizer is named in the pipeline's configuration, so that it is
# built once, not built by spaCy and then replaced (each build tokenises
# every special case of the language: a tenth of a second for English).
_SOCIAL_CONFIG = {"nlp": {"tokenizer": {"@tokenizers": SOCIAL_TOKENIZER}}}


@spacy.registry.tokenizers(SOCIAL_TOKENIZER)
def _social_tokenizer_factory() -> Callable[[Language], Tokenizer]:
    def build(nlp: Language) -> Tokenizer:
        return social_tokenizer(nlp.vocab, nlp.Defaults, nlp.Defaults.tokenizer_exceptions)
    return build


@cache
def _pipeline(code: str) -> Language:
    if code in _OWN_LANGUAGES:
        nlp = _OWN_LANGUAGES[code].from_config(_SOCIAL_CONFIG)
    else:
        try:
            language = spacy.util.get_lang_class(code)
        except ImportError:        # unknown to spaCy
            return _pipeline(MULTI_LANGUAGE)
        if language.default_config["nlp"]["tokenizer"].get("@tokenizers") != _SPACY_TOKENIZER:
            # A tokenizer of its own, that needs an extra package (ja, ko, th, vi, zh).
            return _pipeline(MULTI_LANGUAGE)
        try:
            nlp = spacy.blank(code, config=_SOCIAL_CONFIG)
        except ImportError:
            return _pipeline(MULTI_LANGUAGE)
    # spaCy refuses texts over a million characters to protect its parser and
    # NER, which blank pipelines do not have; the readers already bound a
    # record to 64 MiB, so any post they accept is tokenised.
    nlp.max_length = MAX_TEXT_CHARS
    return nlp


def forget_pipelines() -> None:
    """Build pipelines afresh from now on (after an audit was stopped half-way)."""
    _pipeline.cache_clear()


def install_social_tokenizer(nlp: Language) -> None:
    """Give `nlp` the social tokenizer, keeping its language's exceptions."""
    if not isinstance(nlp.tokenizer, Tokenizer):
        raise TypeError(f"{nlp.lang}: the social tokenizer needs spaCy's rule-based Tokenizer")
    nlp.tokenizer = social_tokenizer(nlp.vocab, nlp.Defaults, nlp.tokenizer.rules)


def social_tokenizer(vocab, defaults, rules) -> Tokenizer:
    """A Tokenizer with the social affixes and token match added to those
    of a language's `defaults`, and its special cases `rules`."""
    prefixes = _EXTRA_PREFIXES + [p for p in defaults.prefixes or () if p not in _DROPPED_PREFIXES]
    suffixes = _EXTRA_SUFFIXES + list(defaults.suffixes or ())
    infixes = _EXTRA_INFIXES + list(defaults.infixes or ())
    return Tokenizer(
        vocab,
        rules=rules,
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        # A language's own token_match (Turkish and Hungarian have one) is
        # kept. spaCy tries `url_match` after splitting off prefixes and
        # suffixes and before infixes, so it protects the social tokens there.
        token_match=defaults.token_match or social_token_match,
        url_match=social_token_match,
    )
