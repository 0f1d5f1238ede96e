"""CSV (or TSV) with a header row: one record per row, numbered by the line
the row starts on, even when quoted values run over several lines.

The delimiter (comma, semicolon, tab or pipe) is sniffed from the first rows:
the one that splits the header and the rows below it into the same number of
values wins, so a semicolon file whose captions hold commas, or a file with a
single column of captions, is read right.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from itertools import islice

from ..model import Rejected
from .fields import find_key
from .lines import MAX_LINE_BYTES, Line, iter_lines
from .records import RawRecord, ReadItem
from .sources import BLANK, Source

# In order of preference when two split the rows equally well: commas are
# common in captions, the others rarely.
_DELIMITERS = ("\t", ";", "|", ",")
_SNIFFED_ROWS = 20
_EXCEL_SEPARATOR_HINT = re.compile(r"^sep=(.)\s*$")


def read_csv(source: Source, column_map: Mapping[str, str]) -> Iterator[ReadItem]:
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))
    feed = _LineFeed(iter_lines(source))
    first = feed.first_content_line()
    if first is None:
        return
    delimiter, first = _delimiter(source, first, feed)
    if first is None:
        return
    rows = csv.reader(feed.texts_from(first), delimiter=delimiter, strict=True)
    header_line = first.number
    try:
        header = [cell.strip(BLANK) for cell in next(rows)]
    except StopIteration:
        return
    except csv.Error as error:
        yield Rejected(source.display, header_line, f"the header row cannot be read: {_csv_problem(error)}")
        return
    missing = _unmapped_columns(header, column_map)
    if missing:
        yield Rejected(source.display, 0, missing)
        return
    yield from _records(source, feed, rows, header, delimiter)


def _records(source: Source, feed: _LineFeed, rows, header: list[str],
             delimiter: str) -> Iterator[ReadItem]:
    while True:
        start = feed.last_number + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            yield Rejected(source.display, start, _csv_error_reason(error, start, feed.last_number))
            feed.forget_problems_to(feed.last_number)
            continue
        end = feed.last_number
        problem = feed.problem_between(start, end)
        if problem:
            yield Rejected(source.display, start, problem)
        elif any(cell.strip(BLANK) for cell in row):
            yield _record(source, start, row, header, delimiter)


def _record(source: Source, line: int, row: list[str], header: list[str], delimiter: str) -> ReadItem:
    extra = [cell for cell in row[len(header):] if cell.strip(BLANK)]
    if extra:
        shown = "a tab" if delimiter == "\t" else f"'{delimiter}'"
        return Rejected(source.display, line,
                        f"row has {len(row)} values but the header names {len(header)} columns; "
                        f"a value holding the delimiter {shown} probably lacks quotes")
    record: dict[str, str] = {}
    for name, cell in zip(header, row):
        if name and name not in record:
            record[name] = cell
    return RawRecord(line, record)


def _unmapped_columns(header: list[str], column_map: Mapping[str, str]) -> str | None:
    columns = dict.fromkeys(header, "")
    absent = [(field, column) for field, column in column_map.items() if find_key(columns, column) is None]
    if not absent:
        return None
    named = ", ".join(f"'{column}' (for {field})" for field, column in absent)
    return f"column {named} not found in the header; the header has: {', '.join(header)}"


def _csv_error_reason(error: csv.Error, start: int, end: int) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return (f"a quoted value that starts on line {start} is never closed; "
                f"lines {start}-{end} could not be read")
    return f"malformed CSV row: {_csv_problem(error)}"


def _csv_problem(error: csv.Error) -> str:
    """The csv module's complaint in the words of someone reading the file."""
    message = str(error)
    if "new-line character seen in unquoted field" in message:
        return "a carriage return in the middle of an unquoted value (is this really a CSV file?)"
    if "expected after" in message:
        return "a quoted value has text after its closing quote"
    if "field larger than field limit" in message:
        return "a value is longer than 64 MiB"
    if "NUL" in message:
        return "the row holds a NUL byte"
    return message


def _delimiter(source: Source, first: Line, feed: _LineFeed) -> tuple[str, Line | None]:
    if source.suffix == ".tsv":
        return "\t", first
    hint = _EXCEL_SEPARATOR_HINT.match(first.text.strip(BLANK))
    if hint:
        return hint.group(1), feed.first_content_line()
    return sniff_delimiter(source.head, whole=source.whole_file_in_head), first


def sniff_delimiter(head: str, whole: bool = True) -> str:
    """The delimiter that splits the header into several columns and most of
    the first rows into as many; then the one that splits them most evenly,
    preferring more columns, then the order of `_DELIMITERS`; a comma when
    nothing can be read."""
    text = head.lstrip(BLANK)
    if not whole and "\n" in text:
        text = text[:text.rfind("\n") + 1]       # the last line may be cut short
    best, best_score = ",", (False, -1.0, 0)
    for candidate in _DELIMITERS:
        try:
            rows = [row for row in islice(csv.reader(io.StringIO(text), delimiter=candidate), _SNIFFED_ROWS + 1)
                    if any(cell.strip(BLANK) for cell in row)]
        except csv.Error:
            continue
        if not rows:
            continue
        columns = len(rows[0])
        body = rows[1:] or rows
        consistency = sum(len(row) == columns for row in body) / len(body)
        score = (columns > 1 and consistency >= 0.5, consistency, columns)
        if score > best_score:
            best, best_score = candidate, score
    return best


class _LineFeed:
    """Hands decoded lines to the csv module and remembers which line it
    reached and which lines could not be decoded."""

    def __init__(self, lines: Iterator[Line]) -> None:
        self._lines = lines
        self.last_number = 0
        self._problems: dict[int, str] = {}

    def first_content_line(self) -> Line | None:
        for line in self._lines:
            self._note(line)
            if line.problem or line.text.strip(BLANK):
                return line
        return None

    def texts_from(self, first: Line) -> Iterator[str]:
        yield first.text
        for line in self._lines:
            self._note(line)
            yield line.text

    def _note(self, line: Line) -> None:
        self.last_number = line.number
        if line.problem:
            self._problems[line.number] = line.problem

    def problem_between(self, start: int, end: int) -> str | None:
        found = next(((number, self._problems[number]) for number in sorted(self._problems)
                      if start <= number <= end), None)
        self.forget_problems_to(end)
        if found is None:
            return None
        number, problem = found
        return problem if number == start else f"line {number} of this record: {problem}"

    def forget_problems_to(self, end: int) -> None:
        for number in [number for number in self._problems if number <= end]:
            del self._problems[number]
