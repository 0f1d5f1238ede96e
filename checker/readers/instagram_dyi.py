"""Instagram "Download your information" archives (JSON).

`your_instagram_activity/content/posts_1.json` is a list of posts, each
`{"media": [{"uri", "creation_timestamp", "title", ...}], "title",
"creation_timestamp"}`; a single-photo post keeps its caption in the media's
`title`. `reels.json` wraps the same under `ig_reels_media`, `stories.json`
lists bare media under `ig_stories`. The archive does not name its owner.
"""
from __future__ import annotations

from typing import Any

from .mojibake import repair_tree
from .records import Envelope, Fields, Given, RawRecord
from .shape import Shape, put

ARCHIVE_OWNER = "(archive owner)"
_CONTAINER_FORMATS = {"ig_reels_media": "reel", "ig_stories": "story"}


def _matches(record: dict, envelope: Envelope) -> bool:
    media = record.get("media")
    if isinstance(media, list) and media and all(isinstance(item, dict) and "uri" in item for item in media):
        return True
    return "uri" in record and "creation_timestamp" in record


def _to_fields(raw: RawRecord) -> Fields:
    post = repair_tree(raw.value)
    media = [item for item in post.get("media") or [] if isinstance(item, dict)]
    fields: Fields = {
        "platform": Given("", "instagram"),
        "format": Given("", _CONTAINER_FORMATS.get(raw.container_key or "", "post")),
        "author": Given("", ARCHIVE_OWNER),
    }
    _put_caption(fields, post, media)
    put(fields, "posted_at", "creation_timestamp",
        post.get("creation_timestamp") or _first(media, "creation_timestamp"))
    return fields


def _put_caption(fields: Fields, post: dict, media: list[dict]) -> None:
    if post.get("title"):
        fields["text"] = Given("title", post["title"])
        return
    for position, item in enumerate(media):
        if item.get("title"):
            fields["text"] = Given(f"media[{position}].title", item["title"])
            return


def _first(media: list[dict], key: str) -> Any:
    return next((item[key] for item in media if item.get(key) is not None), None)


INSTAGRAM_DYI = Shape("instagram-dyi", _matches, _to_fields)
