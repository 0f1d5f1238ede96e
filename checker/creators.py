"""Who a post is by: one key per creator, whatever the spelling of the handle.

Exports spell the same account several ways (`@Sam.X`, `@sam.x`, `sam.x`);
platforms treat handles case-insensitively, so reports, the history store
and comparisons between audits group posts by `creator_key`.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

UNKNOWN_CREATOR = "(unknown)"


@lru_cache(maxsize=65536)
def creator_key(handle: str | None) -> str:
    """`handle` folded for comparison: NFKC, case-folded, without spaces
    around it or the leading `@`. Posts without an author share one key."""
    if not handle or not handle.strip():
        return UNKNOWN_CREATOR
    folded = unicodedata.normalize("NFKC", handle).strip().casefold()
    return folded[1:] if folded.startswith("@") and len(folded) > 1 else folded
