"""Decoding bytes so that one bad line spoils only itself.

Undecodable bytes are not dropped or replaced by U+FFFD: each becomes a lone
surrogate U+DC00+byte (like Python's surrogateescape, but for every codec).
A correctly decoded text never holds a lone surrogate, so the marks tell
exactly which record had bad bytes and where.
"""
from __future__ import annotations

import codecs
import re

ERRORS = "clearlabel.escape"
_UNDECODABLE = re.compile("[\udc00-\udcff]")


def _escape_undecodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(ERRORS, _escape_undecodable)


def text_problem(text: str, encoding_label: str) -> str | None:
    """Why this piece of decoded text cannot be trusted, or None."""
    bad = _UNDECODABLE.search(text)
    if bad:
        byte = ord(bad.group()) - 0xDC00
        column = _column(text, bad.start())
        return (f"not valid {encoding_label} text: byte 0x{byte:02X} at column {column}; "
                f"save the file as {encoding_label}")
    nul = text.find("\x00")
    if nul >= 0:
        return (f"contains a NUL byte at column {_column(text, nul)}: this is binary data, "
                "or UTF-16 text without a byte-order mark")
    return None


def _column(text: str, index: int) -> int:
    return index - text.rfind("\n", 0, index)
