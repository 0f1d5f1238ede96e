"""Lists of posts wrapped in an object: `{"posts": [...]}`, an API page
(`{"data": [...], "paging": ...}`, `{"items": [...]}`, `{"data": {"videos": [...]}}`)
or a "Download your information" file (`{"ig_stories": [...]}`).

The streaming JSON reader asks `streams_records` while it walks an object;
everything else arrives parsed and goes through `expand_envelopes`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model import Rejected
from .fields import has_text_field
from .records import Envelope, RawRecord, ReadItem, kind_of

# Keys whose list can only hold posts.
POST_LIST_KEYS = ("posts", "status_updates", "ig_reels_media", "ig_stories")
# Keys whose list holds posts in an API page, but which a post of its own
# could also carry (a list of products, say): only read as a wrapper when
# the object has no text of its own.
PAGE_LIST_KEYS = ("items", "videos")
# Keys whose list holds the records inside a top-level "data" object.
NESTED_RECORD_LIST_KEYS = ("videos", "posts", "items")


def streams_records(key: str, members_so_far: dict, depth: int) -> bool:
    """Whether the list under `key` holds the records, judged as a streamed
    object is walked (only the members before `key` are known)."""
    if depth > 0:
        return key in NESTED_RECORD_LIST_KEYS
    if key in POST_LIST_KEYS:
        return True
    if has_text_field(members_so_far):
        return False
    # A Facebook archive post has its own "data" list, next to "timestamp".
    return key in PAGE_LIST_KEYS or (key == "data" and "timestamp" not in members_so_far)


def listed_records(value: dict) -> tuple[str, list] | None:
    """(container key, records) when a parsed object wraps a list of posts."""
    for key in POST_LIST_KEYS:
        if isinstance(value.get(key), list):
            return key, value[key]
    if has_text_field(value):
        return None
    for key in PAGE_LIST_KEYS:
        if isinstance(value.get(key), list):
            return key, value[key]
    data = value.get("data")
    if isinstance(data, list) and "timestamp" not in value:
        return "data", data
    if isinstance(data, dict):
        for key in NESTED_RECORD_LIST_KEYS:
            if isinstance(data.get(key), list):
                return key, data[key]
        if "includes" in value or "edit_history_tweet_ids" in data:
            return "data", [data]      # a single-post lookup, e.g. X API v2
    discovery = value.get("business_discovery")
    if isinstance(discovery, dict):
        media = discovery.get("media")
        if isinstance(media, dict) and isinstance(media.get("data"), list):
            return "business_discovery", media["data"]
    return None


def expand_envelopes(items: Iterable[ReadItem], path: str) -> Iterator[ReadItem]:
    """Each post object as its own record; wrappers are opened, and anything
    that is not an object is rejected."""
    for item in items:
        if isinstance(item, Rejected):
            yield item
        elif not isinstance(item.value, dict):
            yield Rejected(path, item.line, f"expected a post as a JSON object, got {_article(kind_of(item.value))}")
        elif item.container_key is None and (listed := listed_records(item.value)):
            yield from _opened(item, path, *listed)
        else:
            yield item


def _opened(item: RawRecord, path: str, key: str, records: list) -> Iterator[ReadItem]:
    envelope = Envelope(members=item.value)
    for position, record in enumerate(records, 1):
        if isinstance(record, dict):
            yield RawRecord(item.line, record, key, envelope)
        else:
            yield Rejected(path, item.line,
                           f"item {position} of '{key}' is {_article(kind_of(record))}, not a post object")


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
