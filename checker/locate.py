"""Where a finding is in its source file: spans become lines and columns.

A span indexes a post's field text. A draft reader records, in
`Origin.field_starts`, where each line of a field begins in the file: the
k-th entry for a field is the (line, column) of the field's k-th line. Lines
past the last entry follow it on consecutive file lines at the same column,
so a Markdown body or a YAML literal block needs only one entry; readers add
more where the mapping is not that simple (a JSON string with `\\n` escapes,
lines dropped because they held a directive).

Lines and columns are 1-based; columns count Unicode code points, which is
what a Python string index counts.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Finding, Post, Span


@dataclass(frozen=True)
class Location:
    """A place in a file. `column` is None when only the line is known
    (records of an export, which are not laid out like the post's text)."""
    path: str | None
    line: int | None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None   # exclusive, as in SARIF


def _line_starts(post: Post, field: str) -> list[tuple[int, int]]:
    if post.origin is None:
        return []
    return [(line, column) for name, line, column in post.origin.field_starts if name == field]


def _field_text(post: Post, field: str) -> str:
    value = getattr(post, field, None)
    return value if isinstance(value, str) else ""


def offset_position(post: Post, field: str, offset: int) -> tuple[int, int] | None:
    """File (line, column) of `offset` in `field`, or None when the reader
    recorded no position for that field."""
    starts = _line_starts(post, field)
    if not starts:
        return None
    text = _field_text(post, field)
    offset = max(0, min(offset, len(text)))
    line_index = text.count("\n", 0, offset)
    line_begin = text.rfind("\n", 0, offset) + 1
    if line_index < len(starts):
        line, column = starts[line_index]
    else:
        last_line, column = starts[-1]
        line = last_line + line_index - (len(starts) - 1)
    return line, column + offset - line_begin


def span_location(post: Post, span: Span) -> tuple[int, int]:
    """File (line, column) where `span` starts; the post's first line when
    the field's position is unknown."""
    position = offset_position(post, span.field, span.start)
    if position is not None:
        return position
    return (post.origin.line if post.origin and post.origin.line > 0 else 1), 1


def finding_location(post: Post, finding: Finding) -> Location:
    """The location a reporter shows for a finding: where it says it is
    (`Finding.at`), its first span, or the start of the post when the
    finding has no span or no known position."""
    path = post.origin.path if post.origin else None
    if finding.at is not None:
        return Location(path, finding.at[0], finding.at[1])
    record_line = post.origin.line if post.origin and post.origin.line > 0 else None
    for span in finding.spans:
        start = offset_position(post, span.field, span.start)
        if start is None:
            continue
        end = offset_position(post, span.field, max(span.end, span.start))
        assert end is not None
        return Location(path, start[0], start[1], end[0], end[1])
    if post.origin and post.origin.field_starts and record_line is not None:
        first_line, first_column = post.origin.field_starts[0][1:]
        if first_line == record_line:
            return Location(path, record_line, first_column)
    return Location(path, record_line)
