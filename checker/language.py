"""Guess the language of a post whose export does not say.

Some markets want the disclosure label in the language of the post (an
English `#ad` on Spanish content fails in Spain), so the engine needs a
language even when the export has none. A wrong guess would make the checker
accuse a post of using the wrong language, so `detect_language` answers None
when the text is too short, is in a language the rule packs do not cover, or
the detector is unsure.

The detector is py3langid, a naive Bayes model over byte n-grams that ships
inside its wheel (nothing is fetched at run time), deterministic, and loaded
once per process. Its probabilities are restricted to the languages the rule
packs know, so that Norwegian is not lost to Icelandic or Nynorsk and Danish
is weighed only against what it can be. `bench/language_detection.py`
measures it against the alternatives on the development corpus.

Social text is cleaned first: URLs, @mentions, emoji, discount codes, numbers
and chapter times carry no language, yet they are a large share of a short
caption and pull n-gram models towards whatever language they resemble.
Hashtag words are kept without the `#` and CamelCase tags are split
(`#SundayVibes` -> "Sunday Vibes"), but they are weighed apart from the
sentences, because creators often tag in English whatever they write in.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

# The languages the rule packs are written for (ISO 639-1, "no" = Norwegian).
SUPPORTED = ("en", "de", "fr", "it", "es", "nl", "da", "no", "fi", "pl", "pt", "sv")

# Detectors name the two written standards of Norwegian separately.
ALIASES = {"nb": "no", "nn": "no"}

MIN_LETTERS = 15        # fewer letters than this after cleaning: too short to tell
MIN_WORDS = 3
MIN_CONFIDENCE = 0.80   # probability of the best language among SUPPORTED
MIN_SHARE = 0.50        # probability that the text is in one of SUPPORTED at all
MAX_CHARS = 3000        # a caption and the start of a transcript are enough

_URL = re.compile(
    r"(?:https?://|www\.)\S+"                       # explicit links
    r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*"        # bare host/path: amzn.to/3Pq7WkL
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|co|me|ly|to|us|store|shop|link)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_MENTION = re.compile(r"@[\w.]+")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
# A token that mixes letters and digits is a code, a model name or a handle
# fragment (MAYA15, B08KQ2RZ7M, 4K), never a word of the language.
_CODE_OR_NUMBER = re.compile(r"\b(?=\w*\d)\w+\b")
# ASCII symbols and control characters become spaces; "'", "-" and sentence
# punctuation stay, as they are part of words and sentences.
_ASCII_NOISE = str.maketrans({ch: " " for ch in
                              [chr(i) for i in range(32)] + list("\"#$%&()*+/<=>@[\\]^_`{|}~\x7f")})
_APOSTROPHES = str.maketrans("\u2019\u2018\u02bc", "'''")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")

# Common words spelt differently in Danish and Norwegian (Bokmål, a few
# Nynorsk): "af"/"av", "efter"/"etter", "mig"/"meg", "tak"/"takk" ...
_DANISH_ONLY = frozenset("""
    af efter nu mig dig sig meget nogen noget nogle hvad blev tak fik gik købt
    købe tjek lidt rigtig jer vores hende ud op endnu brug gælder rabat dejlig
    dejligt spændende sjov sjovt smuk smukke tøj pige dreng skøn skønne cykel
    køre
""".split())
_NORWEGIAN_ONLY = frozenset("""
    av etter nå meg deg seg mye veldig noen noe hva ble takk fikk gikk kjøpt
    kjøpe sjekk litt riktig dere vår våre henne ut opp ennå bruk gjelder rabatt
    deilig deilige spennende gøy morsomt vakker vakre klær jente gutt skjønn
    kveld ikkje eg berre å sykkel kjøre
""".split())


def detect_language(texts: Sequence[str]) -> str | None:
    """The ISO 639-1 code of the language the texts are written in, or None
    when they are too short, in a language the rule packs do not cover, or the
    detector is not confident.

    `texts` are the text fields of one post (title, caption, transcript ...);
    they are judged together. The answer is one of SUPPORTED.
    """
    prose, tags = split_for_detection("\n".join(t for t in texts if t))
    if not tags and not _long_enough(prose):
        return None
    prose_guess = _detector().guess(prose[:MAX_CHARS]) if prose else None
    if prose_guess and _long_enough(prose):
        answer = _settle(prose_guess, prose)
        if answer:
            return answer
    # Hashtags decide only when the sentences cannot, and only if they agree
    # with the sentences' best guess, however short: creators write in their
    # own language but often tag in English for reach.
    combined = f"{prose} {tags}".strip()
    if not tags or not _long_enough(combined):
        return None
    answer = _settle(_detector().guess(combined[:MAX_CHARS]), combined)
    if answer and prose_guess and not _same_family(prose_guess.language, answer):
        return None
    return answer


def clean_for_detection(text: str) -> str:
    """Text with what carries no language removed: URLs, e-mail addresses,
    @mentions, emoji and other symbols, codes and numbers. Hashtag words stay,
    after the sentences."""
    prose, tags = split_for_detection(text)
    return f"{prose} {tags}".strip()


def split_for_detection(text: str) -> tuple[str, str]:
    """(sentences, hashtag words) of `text`, each cleaned like
    `clean_for_detection`."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    tags = " ".join(_CAMEL.sub(" ", tag) for tag in _HASHTAG.findall(text))
    return _words(_HASHTAG.sub(" ", text)), _words(tags)


def _words(text: str) -> str:
    text = _CODE_OR_NUMBER.sub(" ", text).translate(_ASCII_NOISE)
    text = _NON_ASCII.sub(_drop_symbols, text)
    return " ".join(word for word in text.split() if any(ch.isalpha() for ch in word))


def _drop_symbols(match: re.Match[str]) -> str:
    """Letters, accents and punctuation stay; emoji and other symbols, emoji
    variation selectors and invisible characters go."""
    return "".join(ch if _keeps(ch) else " " for ch in match.group())


@functools.lru_cache(maxsize=4096)
def _keeps(ch: str) -> bool:
    if "\ufe00" <= ch <= "\ufe0f":
        return False
    return unicodedata.category(ch)[0] in "LMP"


def _settle(guess: Guess, text: str) -> str | None:
    if guess.share < MIN_SHARE:
        return None
    if guess.confidence >= MIN_CONFIDENCE:
        return guess.language
    return _danish_or_norwegian(guess, text)


def _danish_or_norwegian(guess: Guess, text: str) -> str | None:
    """Danish and Norwegian share most of their words, so on a short caption
    the model often cannot split them. When it is sure the text is one of the
    two, a few spellings that only one of them uses settle it; without such a
    word, or with words of both, the answer stays None."""
    if guess.of("da") + guess.of("no") < MIN_CONFIDENCE:
        return None
    words = set(_WORD.findall(text.lower()))
    danish, norwegian = bool(words & _DANISH_ONLY), bool(words & _NORWEGIAN_ONLY)
    if danish != norwegian:
        return "da" if danish else "no"
    return None


def _same_family(first: str, second: str) -> bool:
    return first == second or {first, second} <= {"da", "no"}


def _long_enough(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS and len(_LETTER.findall(text, 0, 200)) >= MIN_LETTERS


class Guess(NamedTuple):
    language: str       # the likeliest of SUPPORTED
    confidence: float   # its probability among SUPPORTED
    share: float        # the probability that the text is in one of SUPPORTED at all
    scores: dict[str, float]    # every SUPPORTED language's probability among SUPPORTED

    def of(self, language: str) -> float:
        return self.scores.get(language, 0.0)


class _LangId:
    """py3langid over all its languages, its probabilities then restricted to
    SUPPORTED. Restricting by renormalising gives the same ranking as a model
    restricted beforehand, and the mass left outside SUPPORTED tells when the
    text is in some other language (Russian, Czech, Catalan ...), which a
    restricted model would force into the nearest supported one."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def guess(self, text: str) -> Guess:
        scores = dict.fromkeys(SUPPORTED, 0.0)
        for code, probability in self._identifier.rank(text):
            code = ALIASES.get(code, code)
            if code in scores:
                scores[code] += probability
        share = sum(scores.values())
        if share > 0:
            scores = {code: value / share for code, value in scores.items()}
        # Ties (text without features) go to the first in SUPPORTED order.
        language = max(scores, key=scores.__getitem__)
        return Guess(language, scores[language], share, scores)


@functools.cache
def _detector() -> _LangId:
    # Loading the model takes about a second: once per process.
    return _LangId()
