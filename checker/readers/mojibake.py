"""Undoing the text damage in Meta's "Download your information" archives.

The archives write each UTF-8 byte as its own escaped character, so "é"
arrives as "\\u00c3\\u00a9" and an emoji as four such characters. Encoding
those characters back to bytes (Latin-1 maps U+0000-U+00FF one to one) and
decoding the bytes as UTF-8 restores the text. A string that does not
survive that round trip was not damaged this way and is left alone.
"""
from __future__ import annotations

import re
from typing import Any

_MAX_DEPTH = 64
_LEFTOVER_DAMAGE = re.compile("[\u0080-\u009f\ufffd]|\u00c3[\u0080-\u00bf]|\u00e2\u0080")


def repair_text(text: str) -> str:
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repair_tree(value: Any, depth: int = 0) -> Any:
    """Repair every string in a parsed JSON value (archives nest shallowly;
    anything deeper than 64 levels is returned untouched)."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, str):
        return repair_text(value)
    if isinstance(value, list):
        return [repair_tree(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: repair_tree(item, depth + 1) for key, item in value.items()}
    return value


def looks_damaged(text: str) -> bool:
    return bool(_LEFTOVER_DAMAGE.search(text))
