"""TikTok Research API video query results.

`POST /v2/research/video/query/` returns
`{"data": {"videos": [...], "cursor": ..., "has_more": ..., "search_id": ...},
"error": {"code": "ok", ...}}`. `create_time` is Unix seconds, `region_code`
the country the creator registered in, `voice_to_text` the spoken words.
"""
from __future__ import annotations

from .records import Envelope, Fields, Given, RawRecord
from .shape import Shape, handle, put


def _matches(record: dict, envelope: Envelope) -> bool:
    return ("video_description" in record or "voice_to_text" in record
            or "hashtag_names" in record
            or ("create_time" in record and "region_code" in record))


def _to_fields(raw: RawRecord) -> Fields:
    video = raw.value
    fields: Fields = {"platform": Given("", "tiktok"), "format": Given("", "video")}
    put(fields, "id", "id", video.get("id"))
    put(fields, "text", "video_description", video.get("video_description"))
    put(fields, "transcript", "voice_to_text", video.get("voice_to_text"))
    put(fields, "author", "username", handle(video.get("username")))
    put(fields, "posted_at", "create_time", video.get("create_time"))
    put(fields, "market", "region_code", video.get("region_code"))
    username, video_id = video.get("username"), video.get("id")
    if isinstance(username, str) and username.strip() and isinstance(video_id, (str, int)):
        fields["url"] = Given("id", f"https://www.tiktok.com/@{username.strip().lstrip('@')}/video/{video_id}")
    return fields


TIKTOK_RESEARCH = Shape("tiktok-research", _matches, _to_fields)
