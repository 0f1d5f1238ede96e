"""Reading posts from what users have: JSON Lines, JSON, CSV, standard input,
and the exports of the platforms' APIs and data downloads.

    for item in read_posts(["posts.jsonl", "-"]):
        if isinstance(item, Rejected): ...   # line 0: the whole file
        else: ...                            # a Post, with post.origin set

Every non-blank record yields exactly one `Post` or `Rejected`; a file that
cannot be read at all yields one `Rejected` with line 0, and reading goes on
with the next file.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO

from ..model import Post, Rejected
from . import coerce
from .fields import CANONICAL_FIELDS, canonical_name
from .formats import INPUT_FORMATS, input_format_named
from .pipeline import ReadOptions, read_file
from .sources import StdinGuard

__all__ = ["CANONICAL_FIELDS", "INPUT_FORMATS", "ReadOptions", "read_options", "read_posts"]


def read_posts(paths: Sequence[str], *, input_format: str | None = None,
               column_map: Mapping[str, str] | None = None,
               default_language: str | None = None,
               stdin: BinaryIO | None = None) -> Iterator[Post | Rejected]:
    """Posts and rejected records from each path in turn (`-` is standard input).

    `input_format` forces a container (jsonl, json, csv) or a platform shape;
    `column_map` maps canonical field names to the input's field names
    (`{"text": "Message"}`). Invalid arguments raise ValueError at once,
    before anything is read.
    """
    options = read_options(input_format=input_format, column_map=column_map, default_language=default_language)
    guard = StdinGuard(stdin)
    return (item for path in paths for item in read_file(path, options, guard))


def read_options(*, input_format: str | None = None, column_map: Mapping[str, str] | None = None,
                 default_language: str | None = None) -> ReadOptions:
    """The options of `read_posts`, checked: ValueError for invalid ones."""
    return ReadOptions(
        input_format=input_format_named(input_format) if input_format else None,
        column_map=_checked_column_map(column_map or {}),
        default_language=_checked_language(default_language),
    )


def _checked_column_map(column_map: Mapping[str, str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for field, column in column_map.items():
        canonical = field if field in CANONICAL_FIELDS else canonical_name(field)
        if canonical is None:
            raise ValueError(f"unknown field '{field}' in the column map; fields are: "
                             f"{', '.join(CANONICAL_FIELDS)}")
        if not isinstance(column, str) or not column.strip():
            raise ValueError(f"the column map gives no column for '{field}'")
        checked[canonical] = column.strip()
    return checked


def _checked_language(language: str | None) -> str | None:
    if language is None:
        return None
    try:
        return coerce.language(language)
    except coerce.ValueProblem as problem:
        raise ValueError(f"default language {problem}") from None
