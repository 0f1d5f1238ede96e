"""Canonical field names and the names exports really use for them.

Keys are compared after folding case and dropping everything but letters and
digits, so `Posted At`, `posted_at`, `postedAt` and `POSTED-AT` are one key.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from .records import Fields, Given

CANONICAL_FIELDS = (
    "id", "author", "platform", "format", "text", "title", "transcript",
    "on_screen_text", "market", "language", "paid_partnership", "followers",
    "posted_at", "url", "brand", "expected",
)
TEXT_BEARING = ("text", "title", "transcript")

# Earlier names win when a record has several names for one field.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "post_id", "media_id", "video_id", "tweet_id", "item_id", "content_id", "guid"),
    "author": ("author", "username", "user_name", "handle", "creator", "user", "account",
               "screen_name", "influencer", "creator_handle", "author_handle", "channel",
               "channel_title", "owner", "profile"),
    "platform": ("platform", "network", "social_network", "site"),
    "format": ("format", "post_format", "post_type", "content_type", "content_format"),
    "text": ("text", "caption", "description", "body", "message", "content", "post",
             "post_text", "full_text", "tweet", "caption_text", "copy", "video_description"),
    "title": ("title", "headline", "subject"),
    "transcript": ("transcript", "transcription", "voice_to_text", "spoken_text", "subtitles"),
    "on_screen_text": ("on_screen_text", "onscreen_text", "overlay_text", "text_overlay",
                       "ocr_text", "sticker_text"),
    "market": ("market", "markets", "country", "countries", "country_code", "target_market",
               "target_markets", "audience_country", "region_code", "jurisdiction"),
    "language": ("language", "lang", "language_code", "locale"),
    "paid_partnership": ("paid_partnership", "is_paid_partnership", "branded_content",
                         "is_branded_content", "paid", "paid_partnership_label",
                         "has_paid_product_placement"),
    "followers": ("followers", "follower_count", "followers_count", "num_followers",
                  "subscribers", "subscriber_count"),
    "posted_at": ("posted_at", "timestamp", "created_at", "date", "created_time",
                  "create_time", "published_at", "publish_date", "post_date", "datetime",
                  "posted", "published"),
    "url": ("url", "link", "permalink", "post_url", "share_url", "web_url"),
    "brand": ("brand", "brand_name", "sponsor", "advertiser", "client"),
    "expected": ("expected", "expected_verdict", "verdict", "ruling"),
}


_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]")


def normal_key(key: Any) -> str:
    return _folded_key(key) if isinstance(key, str) else _folded_key(str(key))


@lru_cache(maxsize=4096)   # exports repeat the same few keys millions of times
def _folded_key(key: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", key.casefold())


def _index() -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for canonical, names in ALIASES.items():
        for rank, name in enumerate(names):
            index.setdefault(normal_key(name), (canonical, rank))
    return index


_ALIAS_INDEX = _index()


def canonical_name(key: Any) -> str | None:
    found = _ALIAS_INDEX.get(normal_key(key))
    return found[0] if found else None


def has_text_field(record: Mapping) -> bool:
    return any(canonical in TEXT_BEARING for _, canonical, _ in _plan_of(record).known)


def has_known_field(record: Mapping) -> bool:
    return bool(_plan_of(record).known)


class _KeyPlan(NamedTuple):
    """What a record's keys are: (key, canonical field, rank) for the keys
    that name a field, and (key, folded key) for the others."""
    known: tuple[tuple[Any, str, int], ...]
    other: tuple[tuple[Any, str], ...]


def _plan_of(record: Mapping) -> _KeyPlan:
    keys = tuple(record)
    if len(keys) <= _MAX_PLANNED_KEYS and all(type(key) is str for key in keys):
        return _key_plan(keys)
    # Kept plans are found by equal keys, and 1 == True == 1.0 fold differently.
    return _key_plan.__wrapped__(keys)


_MAX_PLANNED_KEYS = 64      # a record with more keys is planned afresh, not kept


@lru_cache(maxsize=1024)    # the records of an export share a handful of key sets
def _key_plan(keys: tuple) -> _KeyPlan:
    known, other = [], []
    for key in keys:
        folded = normal_key(key)
        found = _ALIAS_INDEX.get(folded)
        if found is not None:
            known.append((key, *found))
        elif folded:
            other.append((key, folded))
    return _KeyPlan(tuple(known), tuple(other))


def canonical_fields(record: Mapping) -> Fields:
    """Pick each canonical field from the record's best-ranked non-empty alias."""
    chosen: dict[str, tuple[int, Given]] = {}
    for key, canonical, rank in _plan_of(record).known:
        value = record[key]
        if is_blank(value):
            continue
        if canonical not in chosen or rank < chosen[canonical][0]:
            chosen[canonical] = (rank, Given(str(key), value))
    return {canonical: given for canonical, (_, given) in chosen.items()}


MAX_METADATA_FIELDS = 50
_METADATA_CHARS = 1000


def unknown_fields(record: Any, mapped_columns: Iterable[str] = ()) -> dict[str, Any]:
    """The record's other fields (`campaign`, `wave`), kept as metadata: plain
    values only (text, numbers, true/false), at most 50 of them, text cut
    at 1,000 characters."""
    if not isinstance(record, Mapping):
        return {}
    mapped = {normal_key(column) for column in mapped_columns}
    kept: dict[str, Any] = {}
    for key, folded in _plan_of(record).other:
        value = record[key]
        if folded in mapped or is_blank(value):
            continue
        if isinstance(value, str):
            kept[str(key)] = value[:_METADATA_CHARS]
        elif isinstance(value, (bool, int, float)) and value == value and abs(value) != float("inf"):
            kept[str(key)] = value
        if len(kept) >= MAX_METADATA_FIELDS:
            break
    return kept


def find_key(record: Mapping, name: str) -> str | None:
    """The record's key for a column the user named: exact, else folded."""
    if name in record:
        return name
    wanted = normal_key(name)
    for key in record:
        if normal_key(key) == wanted:
            return str(key)
    return None


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
