"""A JSON document read incrementally: a top-level array, an object wrapping
a list of posts (streamed member by member), or several values one after
another (as `jq` prints them).

Each post is cut out of the text on its own and parsed on its own, so a bad
post is rejected with its line number and the next one is still read; only
damage to the surrounding structure stops the file (reported with line 0).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Rejected
from .decoding import text_problem
from .envelopes import streams_records
from .json_values import JsonProblem, parse_json
from .lines import iter_text_chunks
from .records import Envelope, RawRecord, ReadItem
from .sources import Source

MAX_RECORD_CHARS = 64 * 1024 * 1024

_BLANK_RUN = re.compile(r"[ \t\r\n\ufeff]*")
_STRING_STOP = re.compile(r'["\\]')
_STRUCTURE = re.compile(r'[\[\]{}"]')
_SCALAR_END = re.compile(r'[\s,\[\]{}":]')
_DECODER = json.JSONDecoder()


def read_json_document(source: Source) -> Iterator[ReadItem]:
    return _DocumentReader(source).items()


class _StructureBroken(Exception):
    """The document's own brackets are damaged; nothing after can be trusted."""


class _ValueEnd:
    """Finds where one JSON value ends, chunk after chunk, without parsing it
    and without recursion (so any depth of nesting is survivable)."""

    def __init__(self) -> None:
        self.started = False
        self.scalar = False
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def find(self, text: str, start: int) -> int | None:
        """The end index in `text`, or None if the value goes on past it."""
        index = start
        if not self.started:
            self.started = True
            first = text[index]
            if first in "[{":
                self.depth, index = 1, index + 1
            elif first == '"':
                self.in_string, index = True, index + 1
            else:
                self.scalar = True
        if self.scalar:
            end = _SCALAR_END.search(text, index)
            return None if end is None else end.start()
        return self._find_close(text, index)

    def _find_close(self, text: str, index: int) -> int | None:
        while True:
            if self.in_string:
                if self.escaped:
                    if index >= len(text):
                        return None
                    index, self.escaped = index + 1, False
                stop = _STRING_STOP.search(text, index)
                if stop is None:
                    return None
                index = stop.end()
                if stop.group() == "\\":
                    self.escaped = True
                    continue
                self.in_string = False
                if self.depth == 0:
                    return index
                continue
            mark = _STRUCTURE.search(text, index)
            if mark is None:
                return None
            index = mark.end()
            if mark.group() == '"':
                self.in_string = True
            elif mark.group() in "[{":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth == 0:
                    return index


@dataclass
class _Taken:
    text: str | None        # None when the value was too large to keep
    value: Any = None
    problem: JsonProblem | str | None = None


class _Cursor:
    """A window on the decoded text that knows the line and column it is at."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self.text = ""
        self.pos = 0
        self.line = 1
        self._line_start = 0
        self._at_end = False

    @property
    def column(self) -> int:
        return self.pos - self._line_start + 1

    def _next_chunk(self) -> str | None:
        if self._at_end:
            return None
        chunk = next(self._chunks, None)
        if chunk is None:
            self._at_end = True
        return chunk

    def _fill(self) -> bool:
        chunk = self._next_chunk()
        if chunk is None:
            return False
        self._line_start -= self.pos
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        return True

    def advance(self, new_pos: int) -> None:
        newlines = self.text.count("\n", self.pos, new_pos)
        if newlines:
            self.line += newlines
            self._line_start = self.text.rfind("\n", self.pos, new_pos) + 1
        self.pos = new_pos

    def step(self) -> None:
        self.advance(self.pos + 1)

    def peek(self) -> str | None:
        """The next character that is not blank, or None at the end."""
        while True:
            self.advance(_BLANK_RUN.match(self.text, self.pos).end())
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._fill():
                return None

    def skip_line(self) -> None:
        while True:
            newline = self.text.find("\n", self.pos)
            if newline >= 0:
                self.advance(newline + 1)
                return
            self.advance(len(self.text))
            if not self._fill():
                return

    def take_value(self) -> _Taken:
        """Cut the value starting here out of the text and parse it."""
        start = self.pos
        try:
            value, end = _DECODER.raw_decode(self.text, start)
        except (ValueError, RecursionError):
            return self._take_value_slowly()
        # A number at the very end of the window may go on in the next chunk.
        if end == len(self.text) and self.text[end - 1] not in '}]"':
            return self._take_value_slowly()
        piece = self.text[start:end]
        self.advance(end)
        return _Taken(piece, value)

    def _take_value_slowly(self) -> _Taken:
        finder = _ValueEnd()
        start = self.pos
        end = finder.find(self.text, start)
        if end is not None:
            piece = self.text[start:end]
            self.advance(end)
            return _parsed(piece)
        return self._take_long_value(finder, self.text[start:])

    def _take_long_value(self, finder: _ValueEnd, beginning: str) -> _Taken:
        parts, size, newlines = [beginning], len(beginning), beginning.count("\n")
        while True:
            chunk = self._next_chunk()
            if chunk is None:
                end, rest = None, ""
            else:
                end = finder.find(chunk, 0)
                rest = "" if end is None else chunk[end:]
                chunk = chunk if end is None else chunk[:end]
            if size <= MAX_RECORD_CHARS:
                parts.append(chunk or "")
            size += len(chunk or "")
            newlines += (chunk or "").count("\n")
            if end is None and chunk is not None:
                continue
            return self._after_long_value(parts, size, newlines, rest)

    def _after_long_value(self, parts: list[str], size: int, newlines: int, rest: str) -> _Taken:
        if size > MAX_RECORD_CHARS:
            self.text, self.pos = rest, 0
            self.line += newlines
            self._line_start = 0   # columns on this line are approximate from here
            return _Taken(None, problem="the record is larger than 64 MiB, far more than any post; it was skipped")
        piece = "".join(parts)
        self.text, self.pos = piece + rest, 0
        self.advance(len(piece))
        return _parsed(piece)


def _parsed(piece: str) -> _Taken:
    value, problem = parse_json(piece)
    if problem is not None:
        return _Taken(piece, problem=problem)
    return _Taken(piece, value)


class _DocumentReader:
    def __init__(self, source: Source) -> None:
        self._source = source
        self._cursor = _Cursor(iter_text_chunks(source))

    def items(self) -> Iterator[ReadItem]:
        cursor = self._cursor
        try:
            while (char := cursor.peek()) is not None:
                if char == "[":
                    yield from self._array(None, Envelope())
                elif char == "{":
                    yield from self._top_object()
                else:
                    yield self._stray_top_level_value(char)
        except _StructureBroken as broken:
            yield Rejected(self._source.display, 0, str(broken))

    def _stray_top_level_value(self, char: str) -> ReadItem:
        line, column = self._cursor.line, self._cursor.column
        if char in ",]}:":
            self._cursor.step()
            return Rejected(self._source.display, line, f"invalid JSON: unexpected '{char}' (column {column})")
        item = self._record(self._cursor.take_value(), line, column, None, Envelope())
        if isinstance(item, Rejected):
            self._cursor.skip_line()
        return item

    def _array(self, container_key: str | None, envelope: Envelope) -> Iterator[ReadItem]:
        cursor = self._cursor
        opened_on = cursor.line
        cursor.step()
        while True:
            char = cursor.peek()
            if char is None:
                raise _StructureBroken(f"invalid JSON: the file ends before the list opened on line "
                                       f"{opened_on} is closed with ']'; the posts before were read")
            if char == "]":
                cursor.step()
                return
            if char == ",":   # missing or doubled commas do not hide any post
                cursor.step()
                continue
            line, column = cursor.line, cursor.column
            if char in "}:":
                cursor.step()
                yield Rejected(self._source.display, line, f"invalid JSON: unexpected '{char}' (column {column})")
                continue
            yield self._record(cursor.take_value(), line, column, container_key, envelope)

    def _top_object(self) -> Iterator[ReadItem]:
        line = self._cursor.line
        envelope = Envelope(complete=False)
        state = _ObjectState()
        yield from self._members(envelope.members, 0, envelope, state)
        envelope.complete = True
        if state.streamed:
            return
        if state.problem:
            yield Rejected(self._source.display, line, state.problem)
            return
        yield RawRecord(line, envelope.members)

    def _members(self, members: dict, depth: int, envelope: Envelope,
                 state: _ObjectState) -> Iterator[ReadItem]:
        cursor = self._cursor
        opened_on = cursor.line
        cursor.step()
        while True:
            char = cursor.peek()
            if char is None:
                raise _StructureBroken(f"invalid JSON: the file ends before the object opened on line "
                                       f"{opened_on} is closed with '}}'")
            if char == "}":
                cursor.step()
                return
            if char == ",":
                cursor.step()
                continue
            key = self._member_name()
            char = cursor.peek()
            if char == "[" and streams_records(key, members, depth):
                state.streamed = True
                yield from self._array(key, envelope)
            elif char == "{" and key == "data" and depth == 0:
                members[key] = {}
                yield from self._members(members[key], depth + 1, envelope, state)
            else:
                members[key] = self._member_value(state)

    def _member_name(self) -> str:
        cursor = self._cursor
        line, column = cursor.line, cursor.column
        taken = cursor.take_value() if cursor.text[cursor.pos] == '"' else None
        if taken is None or not isinstance(taken.value, str) or taken.problem:
            raise _StructureBroken(f"invalid JSON: expected a field name in double quotes at line {line}, "
                                   f"column {column}; the rest of the file was not read")
        if cursor.peek() != ":":
            raise _StructureBroken(f"invalid JSON: expected ':' after the field name \"{taken.value}\" "
                                   f"on line {line}; the rest of the file was not read")
        cursor.step()
        if cursor.peek() is None:
            raise _StructureBroken(f"invalid JSON: the file ends after the field name \"{taken.value}\"")
        return taken.value

    def _member_value(self, state: _ObjectState) -> Any:
        line, column = self._cursor.line, self._cursor.column
        taken = self._cursor.take_value()
        problem = self._problem(taken, line, column)
        if problem and not state.problem:
            state.problem = problem
        return taken.value

    def _record(self, taken: _Taken, line: int, column: int, container_key: str | None,
                envelope: Envelope) -> ReadItem:
        problem = self._problem(taken, line, column)
        if problem:
            return Rejected(self._source.display, line, problem)
        return RawRecord(line, taken.value, container_key, envelope)

    def _problem(self, taken: _Taken, line: int, column: int) -> str | None:
        if isinstance(taken.problem, JsonProblem):
            return taken.problem.reason(first_line=line, first_column=column)
        if taken.problem:
            return taken.problem
        return text_problem(taken.text or "", self._source.encoding_label)


@dataclass
class _ObjectState:
    streamed: bool = False       # the object wrapped a list of records
    problem: str | None = None   # first bad member value, if the object is itself a post
