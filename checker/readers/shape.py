"""What every input shape provides, and small helpers for writing one."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .records import Envelope, FieldProblem, Fields, Given, RawRecord, kind_of


@dataclass(frozen=True)
class Shape:
    name: str
    # Does this record (with the envelope it came in) look like this shape?
    matches: Callable[[dict, Envelope], bool]
    # The record's canonical fields; raises FieldProblem for a malformed record.
    to_fields: Callable[[RawRecord], Fields]
    # Records must wait until their envelope is read to the end (X API
    # pages list the authors in `includes`, after `data`).
    needs_whole_envelope: bool = False


def put(fields: Fields, canonical: str, source: str, value: Any) -> None:
    """Set a canonical field unless the value is absent."""
    if value is not None:
        fields[canonical] = Given(source, value)


def member(record: dict, path: str) -> Any:
    """The value at a dotted path such as "snippet.title", or None. A step
    through something that is not an object is a malformed record."""
    value: Any = record
    walked = []
    for step in path.split("."):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise FieldProblem(".".join(walked), f"must be an object, got {kind_of(value)}")
        walked.append(step)
        value = value.get(step)
    return value


def handle(username: Any) -> Any:
    """"@name" for a platform username; other values pass through for the
    field checks to judge."""
    if isinstance(username, str) and username.strip():
        name = username.strip()
        return name if name.startswith("@") else "@" + name
    return username
