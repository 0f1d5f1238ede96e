"""What the container readers hand to the shape mappers.

A container reader (JSONL, JSON document, CSV) turns bytes into `RawRecord`s:
one parsed object per post, with the line it starts on. A shape mapper turns a
`RawRecord` into the canonical fields of a `Post`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..model import Rejected


@dataclass
class Envelope:
    """The members around a list of records, e.g. an API page's `includes`.

    A streamed JSON document fills `members` while its records go by, and
    sets `complete` once the enclosing object is closed.
    """
    members: dict = field(default_factory=dict)
    complete: bool = True


@dataclass
class RawRecord:
    line: int
    value: Any
    container_key: str | None = None   # the list the record came from, e.g. "ig_stories"
    envelope: Envelope = field(default_factory=Envelope)


class Given(NamedTuple):
    """A value for a canonical field, and the input field it was taken from
    (named in rejection reasons)."""
    source: str
    value: Any


Fields = dict[str, Given]

ReadItem = RawRecord | Rejected


class FieldProblem(Exception):
    """A field holds a value of the wrong kind; the post cannot be read."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"field '{source}' {problem}")
        self.reason = f"field '{source}' {problem}"


def kind_of(value: Any) -> str:
    """The JSON name of a value's type, as a compliance officer would read it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
