"""YouTube Data API v3 video resources.

`GET /youtube/v3/videos?part=snippet,contentDetails,paidProductPlacementDetails`
returns `{"kind": "youtube#videoListResponse", "items": [...]}`. Search
results and playlist items carry the video id elsewhere and no duration.

`snippet.tags` is deliberately not read: viewers never see tags, so neither a
disclosure nor a brand hidden there is shown to the audience.
"""
from __future__ import annotations

import re
from typing import Any

from .records import Envelope, FieldProblem, Fields, Given, RawRecord
from .shape import Shape, member, put

_KINDS = frozenset({"youtube#video", "youtube#searchResult", "youtube#playlistItem"})
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
SHORT_MAX_SECONDS = 60


def _matches(record: dict, envelope: Envelope) -> bool:
    snippet = record.get("snippet")
    return record.get("kind") in _KINDS or (
        isinstance(snippet, dict) and ("channelTitle" in snippet or "channelId" in snippet))


def _to_fields(raw: RawRecord) -> Fields:
    video = raw.value
    video_id = _video_id(video)
    fields: Fields = {"platform": Given("", "youtube")}
    put(fields, "id", "id", video_id)
    put(fields, "title", "snippet.title", member(video, "snippet.title"))
    put(fields, "text", "snippet.description", member(video, "snippet.description"))
    put(fields, "author", "snippet.channelTitle", member(video, "snippet.channelTitle"))
    put(fields, "posted_at", "snippet.publishedAt", member(video, "snippet.publishedAt"))
    _put_language(fields, video)
    put(fields, "paid_partnership", "paidProductPlacementDetails.hasPaidProductPlacement",
        member(video, "paidProductPlacementDetails.hasPaidProductPlacement"))
    put(fields, "transcript", "transcript", video.get("transcript"))
    if isinstance(video_id, str) and video_id:
        fields["url"] = Given("id", f"https://www.youtube.com/watch?v={video_id}")
    fields["format"] = Given("contentDetails.duration", _format(video))
    return fields


def _video_id(video: dict) -> Any:
    found = video.get("id")
    if isinstance(found, dict):      # search result: {"kind": "youtube#video", "videoId": ...}
        found = found.get("videoId")
    return (found if video.get("kind") != "youtube#playlistItem"
            else member(video, "contentDetails.videoId") or member(video, "snippet.resourceId.videoId"))


def _put_language(fields: Fields, video: dict) -> None:
    for path in ("snippet.defaultLanguage", "snippet.defaultAudioLanguage"):
        value = member(video, path)
        if value:
            fields["language"] = Given(path, value)
            return


def _format(video: dict) -> str:
    live = member(video, "snippet.liveBroadcastContent")
    if live in ("live", "upcoming") or "liveStreamingDetails" in video:
        return "live"
    seconds = duration_seconds(member(video, "contentDetails.duration"))
    if seconds is not None and seconds <= SHORT_MAX_SECONDS:
        return "short"
    return "video"


def duration_seconds(duration: Any) -> float | None:
    """ISO 8601 duration as YouTube writes it ("PT1M5S", "P0D") -> seconds."""
    if duration is None:
        return None
    if not isinstance(duration, str):
        raise FieldProblem("contentDetails.duration", "must be an ISO 8601 duration such as PT45S")
    match = _DURATION.match(duration.strip())
    if not match:
        raise FieldProblem("contentDetails.duration",
                           f"must be an ISO 8601 duration such as PT45S, got '{duration}'")
    days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    return total if total > 0 else None


YOUTUBE_DATA = Shape("youtube-data", _matches, _to_fields)
