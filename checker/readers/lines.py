"""Numbered lines and text chunks from a source, in constant memory."""
from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .decoding import ERRORS, text_problem
from .sources import Source

CHUNK_BYTES = 1 << 16
MAX_LINE_BYTES = 64 * 1024 * 1024
TOO_LONG = "line is longer than 64 MiB, far more than any post; it was skipped"


@dataclass(frozen=True)
class Line:
    number: int
    text: str              # decoded, line ending kept; undecodable bytes escaped
    problem: str | None    # why the line cannot be used, or None


def iter_lines(source: Source) -> Iterator[Line]:
    """The lines of `source`, numbered from `source.first_line`; a block of
    a file (`source.stop` set) ends with the line that starts before `stop`."""
    if source.encoding == "utf-8":
        return _utf8_lines(source.stream, source.encoding_label, source.first_line - 1, source.stop)
    return _decoded_lines(source.stream, source.encoding, source.encoding_label)


def iter_text_chunks(source: Source) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(source.encoding)(errors=ERRORS)
    while True:
        data = source.stream.read(CHUNK_BYTES)
        if not data:
            break
        text = decoder.decode(data)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def _utf8_lines(stream: BinaryIO, label: str, number: int = 0, stop: int | None = None) -> Iterator[Line]:
    # Binary readline finds line ends without decoding; each line is then
    # decoded on its own, so a bad byte cannot spill into its neighbours.
    position = 0          # bytes read, counted only when a stop is given
    while stop is None or position < stop:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if stop is not None:
            position += len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            position += _skip_rest_of_line(stream)
            yield Line(number, "\n", TOO_LONG)
            continue
        text = raw.decode("utf-8", ERRORS)
        yield Line(number, text, text_problem(text, label))


def _skip_rest_of_line(stream: BinaryIO) -> int:
    """Read to the end of the line; how many bytes that was."""
    skipped = 0
    while True:
        raw = stream.readline(CHUNK_BYTES)
        skipped += len(raw)
        if not raw or raw.endswith(b"\n"):
            return skipped


def _decoded_lines(stream: BinaryIO, encoding: str, label: str) -> Iterator[Line]:
    # UTF-16 and UTF-32 cannot be split on the byte 0x0A; decode first.
    decoder = codecs.getincrementaldecoder(encoding)(errors=ERRORS)
    pending: list[str] = []
    pending_size = 0
    number = 0
    while True:
        data = stream.read(CHUNK_BYTES)
        text = decoder.decode(data, final=not data)
        start = 0
        while True:
            end = text.find("\n", start)
            if end < 0:
                break
            number += 1
            pending.append(text[start:end + 1])
            pending_size += end + 1 - start
            yield _finished_line(number, pending, pending_size, label)
            pending, pending_size = [], 0
            start = end + 1
        if start < len(text):
            pending_size += len(text) - start
            # Past the limit only the size is kept, so memory stays bounded.
            pending = [] if pending_size > MAX_LINE_BYTES else pending + [text[start:]]
        if not data:
            break
    if pending_size:
        yield _finished_line(number + 1, pending, pending_size, label)


def _finished_line(number: int, parts: list[str], size: int, label: str) -> Line:
    if size > MAX_LINE_BYTES:
        return Line(number, "\n", TOO_LONG)
    text = "".join(parts)
    return Line(number, text, text_problem(text, label))
