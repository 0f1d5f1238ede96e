"""One input file, from opening to posts: container, shape, fields, `Post`."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ..model import Origin, Post, Rejected
from .build import build_post
from .canonical import CANONICAL
from .csv_rows import read_csv
from .envelopes import expand_envelopes
from .fields import find_key, has_text_field, unknown_fields
from .formats import container_for, detect_shape, forced_shape, no_text_reason, unrecognised_reason
from .json_document import read_json_document
from .jsonl import read_jsonl
from .records import Envelope, FieldProblem, Given, RawRecord, ReadItem
from .shape import Shape
from .sources import (
    DAMAGED_STREAM_ERRORS,
    Source,
    StdinGuard,
    describe_os_error,
    open_source,
)

DETECTION_WINDOW = 20         # records looked at to recognise the shape
DETECTION_BUFFER_LIMIT = 500  # items held back meanwhile, rejections included


@dataclass(frozen=True)
class ReadOptions:
    input_format: str | None = None
    column_map: Mapping[str, str] = field(default_factory=dict)
    default_language: str | None = None


def read_file(path: str, options: ReadOptions, stdin: StdinGuard) -> Iterator[Post | Rejected]:
    opened = open_source(path, stdin)
    if isinstance(opened, Rejected):
        yield opened
        return
    with opened as source:
        try:
            yield from _read_source(source, options)
        except DAMAGED_STREAM_ERRORS as error:
            yield Rejected(source.display, 0,
                           f"reading stopped: {describe_os_error(error)}; the posts before it were read")
        except ValueError as error:  # e.g. standard input closed while being read
            yield Rejected(source.display, 0, f"reading stopped: {error}; the posts before it were read")


def _read_source(source: Source, options: ReadOptions) -> Iterator[Post | Rejected]:
    if source.is_empty:
        what = "standard input" if source.is_stdin else "file"
        yield Rejected(source.display, 0, f"{what} is empty: no posts")
        return
    if looks_binary(source.head):
        yield Rejected(source.display, 0, "not a text file (it holds binary data): clearlabel reads JSON Lines, "
                                          "JSON and CSV, optionally gzip-compressed")
        return
    container = container_for(source, options.input_format)
    items = _container_items(source, container, options)
    shape = forced_shape(options.input_format)
    window = _take_window(items)
    if shape is None:
        shape = detect_shape(window, options.column_map)
        if shape is None and any(isinstance(item, RawRecord) for item in window):
            yield Rejected(source.display, 0, unrecognised_reason(window, container))
            return
    shape = shape or CANONICAL
    if shape is CANONICAL and _lacks_text(window, options.column_map):
        # One message for the file, not one "no text" per record.
        yield Rejected(source.display, 0, no_text_reason(window, container))
        return
    yield from _posts(_chain(window, items), shape, source, options)


def looks_binary(head: str) -> bool:
    """Whether the beginning of a file is binary data rather than text: NUL
    bytes and control characters that no export writes."""
    sample = head[:4096]
    controls = sum(1 for char in sample if char < " " and char not in "\t\n\r\f\v\x1a")
    return bool(sample) and controls / len(sample) > 0.1


def _lacks_text(window: list[ReadItem], column_map: Mapping[str, str]) -> bool:
    records = [item.value for item in window if isinstance(item, RawRecord) and isinstance(item.value, dict)]
    mapped = [column for field, column in column_map.items() if field in ("text", "title", "transcript")]
    return bool(records) and not any(
        has_text_field(record) or any(find_key(record, column) is not None for column in mapped)
        for record in records)


def _container_items(source: Source, container: str, options: ReadOptions) -> Iterator[ReadItem]:
    if container == "csv":
        return read_csv(source, options.column_map)
    reader = read_jsonl if container == "jsonl" else read_json_document
    return expand_envelopes(reader(source), source.display)


def _take_window(items: Iterator[ReadItem]) -> list[ReadItem]:
    window: list[ReadItem] = []
    records = 0
    for item in items:
        window.append(item)
        records += isinstance(item, RawRecord)
        if records >= DETECTION_WINDOW or len(window) >= DETECTION_BUFFER_LIMIT:
            break
    return window


def _chain(first: list[ReadItem], rest: Iterator[ReadItem]) -> Iterator[ReadItem]:
    yield from first
    yield from rest


def _posts(items: Iterable[ReadItem], shape: Shape, source: Source,
           options: ReadOptions) -> Iterator[Post | Rejected]:
    if shape.needs_whole_envelope:
        items = _after_envelopes(items)
    ids = _FallbackIds(source.id_prefix)
    for item in items:
        if isinstance(item, Rejected):
            yield item
        else:
            yield _post(item, shape, source, options, ids.next(item.line))


def _post(raw: RawRecord, shape: Shape, source: Source, options: ReadOptions,
          fallback_id: str) -> Post | Rejected:
    origin = Origin(source.display, raw.line)
    try:
        fields = shape.to_fields(raw)
    except FieldProblem as problem:
        return Rejected(origin.path, origin.line, problem.reason)
    except RecursionError:
        return Rejected(origin.path, origin.line, "the record is nested too deeply to read")
    for canonical, column in options.column_map.items():
        key = find_key(raw.value, column)
        if key is not None:
            fields[canonical] = Given(key, raw.value[key])
    metadata = unknown_fields(raw.value, options.column_map.values()) if shape is CANONICAL else {}
    return build_post(fields, origin, fallback_id, options.default_language, metadata)


def _after_envelopes(items: Iterable[ReadItem]) -> Iterator[ReadItem]:
    """Hold records back until the envelope they came in is read to its end,
    keeping the order of everything else."""
    waiting: list[ReadItem] = []
    envelope: Envelope | None = None
    for item in items:
        if waiting and envelope is not None and envelope.complete:
            yield from waiting
            waiting, envelope = [], None
        if isinstance(item, RawRecord) and not item.envelope.complete:
            if envelope is not None and item.envelope is not envelope:
                yield from waiting
                waiting = []
            envelope = item.envelope
            waiting.append(item)
        elif waiting:
            waiting.append(item)
        else:
            yield item
    yield from waiting


class _FallbackIds:
    """`<file>:<line>` for posts without an id; a second post starting on
    the same line (a one-line JSON array) gets `<file>:<line>#2`."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._line = -1
        self._count = 0

    def next(self, line: int) -> str:
        self._count = self._count + 1 if line == self._line else 1
        self._line = line
        suffix = f"#{self._count}" if self._count > 1 else ""
        return f"{self._prefix}:{line}{suffix}"
