"""Inputs cut into pieces that worker processes (or Dask workers) read on
their own: blocks of a JSON Lines file, or whole files.

A block covers the lines that *start* in its byte range `[start, end)`:
its reader seeks to `start`, skips the rest of a line begun before it, and
reads on until a line would start at or after `end`. Blocks of one file
therefore share no line and miss none, whatever the cut points. The number
of a block's first line comes from counting the line ends before it
(`count_line_ends`, which a worker can do too), so post ids made from
`file:line` and every rejection name the same line as a reading of the whole
file.

Only plain (not compressed) UTF-8 JSON Lines files whose shape the first
records settle are cut; any other input is one piece, read whole, and
standard input is read by the caller.
"""
from __future__ import annotations

import codecs
import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

from ..model import Rejected
from .envelopes import expand_envelopes
from .formats import PLATFORM_SHAPES
from .canonical import CANONICAL
from .jsonl import read_jsonl
from .pipeline import ReadOptions, read_file, read_records, settled_shape
from .records import ReadItem
from .sources import (
    DAMAGED_STREAM_ERRORS, STDIN_NAME, Source, StdinGuard, describe_os_error, format_suffix, is_url, open_url,
    url_basename,
)

_SHAPES = {shape.name: shape for shape in (CANONICAL, *PLATFORM_SHAPES)}
_COUNT_BYTES = 1 << 22
GLOB_CHARS = "*?["


@dataclass(frozen=True)
class Block:
    """Lines of a JSON Lines file that start in `[start, end)`, read with
    the shape found for the whole file."""
    path: str
    start: int
    end: int
    shape: str
    first_line: int = 0        # 0 until numbered (`number_blocks`)


@dataclass(frozen=True)
class WholeFile:
    path: str


Piece = Block | WholeFile


def expand_sources(paths: Sequence[str]) -> list[str]:
    """Paths with glob patterns (`exports/*.jsonl`, `s3://bucket/2026-*/*.jsonl`)
    replaced by what they match, sorted; a pattern that matches nothing, and
    any path that exists as written, stay as given."""
    expanded: list[str] = []
    for path in paths:
        if path == STDIN_NAME or not any(char in path for char in GLOB_CHARS) or _exists(path):
            expanded.append(path)
            continue
        matches = _glob(path)
        expanded.extend(matches or [path])
    return expanded


def _exists(path: str) -> bool:
    return not is_url(path) and os.path.exists(path)


def _glob(pattern: str) -> list[str]:
    if not is_url(pattern):
        return sorted(path for path in glob.glob(pattern, recursive=True) if not os.path.isdir(path))
    try:
        import fsspec
        filesystem, _, _ = fsspec.get_fs_token_paths(pattern)
    except (ImportError, OSError, ValueError):
        return []
    protocol = pattern.split("://", 1)[0]
    return sorted(f"{protocol}://{path}" if "://" not in path else path for path in filesystem.glob(pattern.split("://", 1)[1]))


def plan_pieces(paths: Sequence[str], options: ReadOptions, block_bytes: int) -> list[Piece]:
    """The pieces of every input, in order. Standard input is not among
    them: it can only be read by the process that owns it."""
    pieces: list[Piece] = []
    for path in paths:
        shape, size = settled_shape(path, options)
        if shape is None or size <= block_bytes:
            pieces.append(WholeFile(path))
            continue
        cuts = list(range(0, size, block_bytes))
        pieces.extend(Block(path, cut, min(cut + block_bytes, size), shape.name) for cut in cuts)
    return pieces


def count_line_ends(block: Block) -> int:
    """Line ends from `block.start - 1` (the byte that tells whether a line
    starts at `start`) to `block.end - 1`: summed over the blocks before
    one, plus one, the number of its first line."""
    begin = max(block.start - 1, 0)
    count = 0
    with _open(block.path) as stream:
        stream.seek(begin)
        remaining = max(block.end - 1, 0) - begin
        while remaining > 0:
            data = stream.read(min(_COUNT_BYTES, remaining))
            if not data:
                break
            count += data.count(b"\n")
            remaining -= len(data)
    return count


def number_blocks(pieces: Iterable[tuple[Piece, int | None]]) -> Iterator[Piece]:
    """The pieces with each block's first line set, from (piece, its
    `count_line_ends`) pairs in input order (None for a whole file)."""
    counted: dict[str, int] = {}        # per file, the line ends before the next block
    for piece, ends in pieces:
        if isinstance(piece, Block):
            before = counted.get(piece.path)
            # Line 1 starts the file; a later block starts with the line after
            # line 1 and the line ends before its first byte but one.
            yield replace(piece, first_line=1 if before is None else before + 2)
            counted[piece.path] = (before or 0) + (ends or 0)
        else:
            yield piece


def read_piece(piece: Piece, options: ReadOptions) -> Iterator:
    """Posts and rejections of one piece, as reading the whole input gives them."""
    if isinstance(piece, WholeFile):
        yield from read_file(piece.path, options, StdinGuard(None))
        return
    try:
        stream = _open(piece.path)
    except OSError as error:
        yield Rejected(piece.path, 0, describe_os_error(error))
        return
    with stream:
        try:
            skipped = _align(stream, piece.start)
            name = url_basename(piece.path) if is_url(piece.path) else os.path.basename(piece.path)
            source = Source(piece.path, name, format_suffix(name), stream, "utf-8", "", False,
                            first_line=piece.first_line, stop=piece.end - piece.start - skipped)
            items: Iterator[ReadItem] = expand_envelopes(read_jsonl(source), source.display)
            yield from read_records(items, _SHAPES[piece.shape], source, options)
        except DAMAGED_STREAM_ERRORS as error:
            yield Rejected(piece.path, 0, f"reading stopped: {describe_os_error(error)}; the posts before it were read")


def _align(stream: BinaryIO, start: int) -> int:
    """Put `stream` at the first line starting at or after `start` (after
    the byte-order mark, at the start of the file); how many bytes past
    `start` that is."""
    if start == 0:
        mark = stream.read(len(codecs.BOM_UTF8))
        if mark == codecs.BOM_UTF8:
            return len(mark)
        stream.seek(0)
        return 0
    stream.seek(start - 1)
    if stream.read(1) == b"\n":
        return 0
    return len(stream.readline())


def _open(path: str) -> BinaryIO:
    if is_url(path):
        opened = open_url(path)
        if isinstance(opened, str):
            raise OSError(opened)
        return opened
    return open(path, "rb")

