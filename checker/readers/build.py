"""Canonical fields -> `Post`, or a `Rejected` that says which field was wrong."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Origin, Post, Rejected
from . import coerce
from .fields import TEXT_BEARING, is_blank
from .records import FieldProblem, Fields
from .vocabulary import DEFAULT_FORMATS, format_from_url, platform_from_url

NO_TEXT = "no text: a post needs 'text', 'title' or 'transcript'"

_COERCERS: dict[str, Callable[[Any], Any]] = {
    "id": coerce.identifier,
    "author": coerce.name,
    "platform": coerce.platform,
    "format": coerce.post_format,
    "text": coerce.text,
    "title": coerce.text,
    "transcript": coerce.spoken_text,
    "on_screen_text": coerce.spoken_text,
    "market": coerce.markets,
    "language": coerce.language,
    "paid_partnership": coerce.flag,
    "followers": coerce.count,
    "posted_at": coerce.timestamp,
    "url": coerce.url,
    "brand": coerce.name,
    "expected": coerce.expected,
}


def build_post(fields: Fields, origin: Origin, fallback_id: str,
               default_language: str | None = None, metadata: dict | None = None) -> Post | Rejected:
    try:
        values = _coerced(fields)
    except FieldProblem as problem:
        return Rejected(origin.path, origin.line, problem.reason)
    if not any(values.get(name, "").strip() for name in TEXT_BEARING):
        return Rejected(origin.path, origin.line, NO_TEXT)
    platform = values.get("platform") or _platform_from(values.get("url"))
    return Post(
        id=values.get("id") or fallback_id,
        text=values.get("text", ""),
        title=values.get("title"),
        transcript=values.get("transcript"),
        on_screen_text=values.get("on_screen_text"),
        author=values.get("author") or None,
        platform=platform,
        format=values.get("format") or _format_from(values.get("url"), platform),
        market=values.get("market", ()),
        language=values.get("language") or default_language,
        paid_partnership=values.get("paid_partnership", False),
        followers=values.get("followers"),
        posted_at=values.get("posted_at"),
        url=values.get("url") or None,
        brand=values.get("brand") or None,
        origin=origin,
        expected=values.get("expected"),
        metadata=metadata or {},
    )


def _coerced(fields: Fields) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for canonical, (source, raw) in fields.items():
        if is_blank(raw):
            continue
        try:
            values[canonical] = _COERCERS[canonical](raw)
        except coerce.ValueProblem as problem:
            raise FieldProblem(source, str(problem)) from None
    return values


def _platform_from(url: str | None) -> str:
    return (platform_from_url(url) if url else None) or "other"


def _format_from(url: str | None, platform: str) -> str:
    return (format_from_url(url, platform) if url else None) or DEFAULT_FORMATS.get(platform, "post")
