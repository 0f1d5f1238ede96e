"""What the text summary groups posts by: a post field or a metadata key.

`author`, `brand`, `platform`, `format` and `language` are the post's own
fields; `market` counts a post once in each market it was judged for, with
that market's verdict; any other name is looked up in the post's metadata
(`campaign`, a column of the export), comparing names without regard to
case, spaces or punctuation.
"""
from __future__ import annotations

from typing import Any

from ..model import PostResult, Verdict
from ..readers.fields import normal_key

POST_GROUPS = ("author", "brand", "campaign", "platform", "market", "format", "language")
NONE = "(none)"


def group_values(result: PostResult, by: str) -> list[tuple[str, Verdict]]:
    """The groups a post counts in, each with the verdict it counts with."""
    post = result.post
    if by == "market":
        return [(market, verdict) for market, verdict in result.market_verdicts.items()] or [(NONE, result.verdict)]
    if by in ("author", "brand", "platform", "format", "language"):
        value = getattr(post, by)
        return [(str(value) if value else ("(unknown)" if by == "author" else NONE), result.verdict)]
    return [(value, result.verdict) for value in _metadata_values(post.metadata, by)]


def _metadata_values(metadata: dict, key: str) -> list[str]:
    wanted = normal_key(key)
    value: Any = next((item for name, item in metadata.items() if normal_key(name) == wanted), None)
    if value is None or value == "" or value == []:
        return [NONE]
    if isinstance(value, list):
        return [str(item) for item in value if item not in (None, "")] or [NONE]
    return [str(value)]
