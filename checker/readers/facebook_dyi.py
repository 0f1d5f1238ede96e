"""Facebook "Download your information" archives (JSON).

`your_activity_across_facebook/posts/your_posts_1.json` (older archives:
`posts/your_posts_1.json`, or `{"status_updates": [...]}`) lists posts as
`{"timestamp", "data": [{"post": "..."}, {"update_timestamp": ...}],
"attachments": [...], "title": "Jane Doe updated her status."}`.
"""
from __future__ import annotations

import re

from .instagram_dyi import ARCHIVE_OWNER
from .mojibake import looks_damaged, repair_tree
from .records import Envelope, FieldProblem, Fields, Given, RawRecord, kind_of
from .shape import Shape, put

_ACTOR = re.compile(
    r"^(?P<name>[^\W\d_][\w .'\u2019-]{0,79}?) "
    r"(?:updated|shared|posted|wrote|added|was|is|created|changed|uploaded|published|feels)\b")


def _matches(record: dict, envelope: Envelope) -> bool:
    data = record.get("data")
    has_post_data = isinstance(data, list) and any(
        isinstance(item, dict) and ("post" in item or "update_timestamp" in item) for item in data)
    return "timestamp" in record and (has_post_data or isinstance(record.get("attachments"), list))


def _to_fields(raw: RawRecord) -> Fields:
    post = repair_tree(raw.value)
    fields: Fields = {"platform": Given("", "facebook"), "format": Given("", "post")}
    put(fields, "text", "data.post", _post_text(post.get("data")))
    put(fields, "posted_at", "timestamp", post.get("timestamp"))
    fields["author"] = Given("title", author_from_title(post.get("title")))
    return fields


def _post_text(data: object) -> str | None:
    if data is None:
        return None
    if not isinstance(data, list):
        raise FieldProblem("data", f"must be a list, got {kind_of(data)}")
    texts = []
    for item in data:
        if isinstance(item, dict) and "post" in item:
            if not isinstance(item["post"], str):
                raise FieldProblem("data.post", f"must be a string, got {kind_of(item['post'])}")
            texts.append(item["post"])
    return "\n\n".join(texts) if texts else None


def author_from_title(title: object) -> str:
    """"Jane Doe updated her status." -> "Jane Doe", when the title reads cleanly."""
    if not isinstance(title, str) or looks_damaged(title):
        return ARCHIVE_OWNER
    match = _ACTOR.match(title.strip())
    return match.group("name").strip() if match else ARCHIVE_OWNER


FACEBOOK_DYI = Shape("facebook-dyi", _matches, _to_fields)
