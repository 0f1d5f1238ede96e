"""The project's own shape: canonical field names or their common aliases,
from JSON Lines, JSON or CSV."""
from __future__ import annotations

from .fields import canonical_fields, has_known_field
from .records import Envelope, Fields, RawRecord
from .shape import Shape


def _matches(record: dict, envelope: Envelope) -> bool:
    return has_known_field(record)


def _to_fields(raw: RawRecord) -> Fields:
    return canonical_fields(raw.value)


CANONICAL = Shape("canonical", _matches, _to_fields)
