"""Which @mentions are brand tags, and whether the author is a brand itself.

People tag friends, photographers, venues, airlines they complain to and
accounts they reply to far more often than brands. A mention is a brand tag
only when something says so:

- the configuration lists it as a brand (or a declared relationship does);
- the post also spells it as a hashtag (`@emberlane.sauce` … `#emberlanesauce`);
- promotional context stands next to it in the same sentence: a
  `brand_context` hit of the rule packs ("wearing", "dress from", "my fave",
  "new collection", "available at", a price …).

On X a post that opens with @handles is a reply: those handles are the
people addressed, not tags. The author's own handle is never a brand tag.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from .model import Evidence, Post, Span, Strength
from .sentences import Sentences

REPLY_PLATFORMS = frozenset({"x"})
# How far (in characters, within one sentence) promotional context reaches.
CONTEXT_REACH = 150
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_HANDLE_PARTS = re.compile(r"[._\-]+|\d+")


def letters(text: str) -> str:
    """A handle, hashtag or name as lower-case letters and digits only."""
    lowered = text.lower()
    if lowered[1:].isalnum():           # "#tag", "@handle", "word": at most the first character goes
        return lowered if lowered[0].isalnum() else lowered[1:]
    return _NOT_LETTER_OR_DIGIT.sub("", lowered)


@dataclass(frozen=True)
class BrandSettings:
    configured: frozenset[str]          # letters of the brands the configuration names
    known_relationship: bool            # check mode: configured brands are known evidence
    account_words: frozenset[str]       # handle parts that name a business ("bakery", "official")


@dataclass(frozen=True)
class Context:
    """A piece of promotional context found by a `brand_context` signal (or
    other evidence, a label, a denial). A thank-you is context only for an
    account whose handle names a business: "Grazie @gelateria.delponte per il
    gelato" is a brand tag, "thanks @sarah for the flowers" is not."""
    span: Span
    signal: str
    business_only: bool = False


def brand_evidence(post: Post, mentions: list[Span], hashtags: list[Span], contexts: list[Context],
                   sentences: Callable[[str], Sentences], settings: BrandSettings) -> list[Evidence]:
    """Brand-mention and brand-hashtag evidence of a post: mentions in
    promotional context, and hashtags spelling one of them (#burnsidesauce
    for @burnside.sauce)."""
    author = letters(post.author or "")
    addressed = _addressees(post, mentions)
    nearby = _ContextIndex(contexts)
    tags = hashtag_spellings(hashtags)
    evidence = []
    brand_handles = set(settings.configured)
    for mention in mentions:
        handle = letters(mention.text)
        if handle == author or id(mention) in addressed:
            continue
        found = _why_a_brand(handle, mention, nearby, tags, sentences, settings, post.field_text)
        if found is None:
            continue
        signal, detail = found
        strength = Strength.KNOWN if signal == "configured-brand" and settings.known_relationship else Strength.WEAK
        evidence.append(Evidence("brand_mention", strength, signal, mention, detail))
        brand_handles.add(handle)
    evidence += _brand_hashtags(hashtags, sorted(h for h in brand_handles if len(h) >= 4))
    return evidence


class _ContextIndex:
    """Contexts per field sorted by start, so that a mention looks only at
    those within reach: a post stuffed with labels and mentions must not cost
    a scan of every context per mention."""

    def __init__(self, contexts: list[Context]) -> None:
        by_field: dict[str, list[Context]] = {}
        for context in contexts:
            by_field.setdefault(context.span.field, []).append(context)
        self.contexts = {name: sorted(items, key=lambda c: c.span.start) for name, items in by_field.items()}
        self.starts = {name: [c.span.start for c in items] for name, items in self.contexts.items()}
        self.longest = max((c.span.end - c.span.start for c in contexts), default=0)

    def near(self, span: Span) -> list[Context]:
        starts = self.starts.get(span.field)
        if not starts:
            return []
        first = bisect_left(starts, span.start - CONTEXT_REACH - self.longest)
        last = bisect_right(starts, span.end + CONTEXT_REACH)
        return self.contexts[span.field][first:last]


def _bare_tag(mention: Span, sentences: Sentences, index: int, text: str) -> bool:
    """Whether the mention's sentence holds at most two words besides handles,
    hashtags and emoji."""
    start, end = sentences.bounds(index, len(text))
    return len(_PLAIN_WORD.findall(text[start:end])) <= 2


_PLAIN_WORD = re.compile(r"(?<![@#\w.])[^\W\d_][\w'’-]*")


def _why_a_brand(handle: str, mention: Span, nearby: _ContextIndex, tags: list[str],
                 sentences: Callable[[str], Sentences], settings: BrandSettings,
                 text_of: Callable[[str], str]) -> tuple[str, str] | None:
    if handle in settings.configured:
        return "configured-brand", "a brand named in the configuration"
    if spelled_as_hashtag(handle, tags):
        return "brand-mention", "tagged and spelled as a hashtag"
    field_sentences = sentences(mention.field)
    sentence = field_sentences.index(mention.start)
    # A tag standing almost alone ("@orbitindia cooked.", a frame holding only
    # handles) takes its context from the sentence before it.
    reach = {sentence, sentence - 1} if _bare_tag(mention, field_sentences, sentence, text_of(mention.field)) else {sentence}
    is_business = None
    for context in nearby.near(mention):
        span = context.span
        if field_sentences.index(span.start) not in reach:
            continue
        if context.business_only:
            if is_business is None:
                is_business = _names_a_business(mention.text, settings.account_words)
            if not is_business:
                continue
        gap = mention.start - span.end if span.end <= mention.start else span.start - mention.end
        if gap <= CONTEXT_REACH:
            return "brand-mention", f"tagged next to {span.text!r}"
    return None


def hashtag_spellings(hashtags: list[Span]) -> list[str]:
    """The letters of a post's hashtags, sorted, for `spelled_as_hashtag`."""
    return sorted({spelled for tag in hashtags if len(spelled := letters(tag.text)) >= 4})


def spelled_as_hashtag(handle: str, tags: list[str]) -> bool:
    """Whether a hashtag of the post spells the handle or its start
    (#burnside for @burnside.sauce); `tags` is sorted, so this is a bisection."""
    at = bisect_right(tags, handle) - 1
    return len(handle) >= 4 and at >= 0 and handle.startswith(tags[at])


def _brand_hashtags(hashtags: list[Span], handles: list[str]) -> list[Evidence]:
    """Hashtags spelling a brand's handle, or its start (#burnside for
    @burnside.sauce); `handles` is sorted, so each tag costs a bisection."""
    found = []
    for tag in hashtags:
        spelled = letters(tag.text)
        at = bisect_left(handles, spelled)
        if len(spelled) >= 4 and at < len(handles) and handles[at].startswith(spelled):
            found.append(Evidence("brand_hashtag", Strength.WEAK, "brand-hashtag", tag))
    return found


def _addressees(post: Post, mentions: list[Span]) -> set[int]:
    """The `id()`s of the mentions a reply opens with, on platforms where a
    post can be a reply."""
    if post.platform not in REPLY_PLATFORMS:
        return set()
    addressed: set[int] = set()
    position = {}
    for mention in mentions:
        position.setdefault(mention.field, 0)
        text = post.field_text(mention.field)
        if text[position[mention.field]:mention.start].strip():
            continue
        addressed.add(id(mention))
        position[mention.field] = mention.end
    return addressed


def brand_account(post: Post, settings: BrandSettings, speaks_as_business: bool) -> str:
    """Why the author looks like a brand or shop posting on its own account
    ("" when it does not): a brand of the configuration, a handle with a part
    that names a business (@oakandcrumb.bakery, @lumen_official), or a post
    that speaks of "our shop" and never as "I" (`speaks_as_business`)."""
    if post.author:
        handle = letters(post.author)
        if handle in settings.configured:
            return f"{post.author} is a brand named in the configuration"
        for part in _HANDLE_PARTS.split(post.author.lstrip("@").lower()):
            word = _business_word(part, settings.account_words) if part else ""
            if word:
                return f"the handle {post.author} names a business ({word!r})"
    if speaks_as_business:
        return "the post speaks for a business (\"our …\") and never as a person"
    return ""


def _names_a_business(handle: str, words: frozenset[str]) -> bool:
    return any(_business_word(part, words) for part in _HANDLE_PARTS.split(handle.lstrip("@").lower()) if part)


def _business_word(part: str, words: frozenset[str]) -> str:
    """The business word a handle part is or starts or ends with ("bageriet",
    "goodgrainbakehouse"); short words must match the whole part. The
    longest such word wins, a start before an end: the answer must not
    depend on the order of a set, which changes from process to process."""
    if part in words:
        return part
    for length in _long_word_lengths(words):
        if length > len(part):
            continue
        if part[:length] in words:
            return part[:length]
        if part[-length:] in words:
            return part[-length:]
    return ""


@lru_cache(maxsize=8)
def _long_word_lengths(words: frozenset[str]) -> tuple[int, ...]:
    return tuple(sorted({len(word) for word in words if len(word) >= 5}, reverse=True))
