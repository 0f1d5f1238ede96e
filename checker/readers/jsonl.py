"""JSON Lines: one JSON object per line, read and judged line by line."""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Rejected
from .json_values import parse_json
from .lines import iter_lines
from .records import RawRecord, ReadItem
from .sources import BLANK, Source


def read_jsonl(source: Source) -> Iterator[ReadItem]:
    for line in iter_lines(source):
        if line.problem:
            yield Rejected(source.display, line.number, line.problem)
            continue
        body = line.text.strip(BLANK)
        if not body:
            continue
        value, problem = parse_json(body)
        if problem is not None:
            indent = len(line.text) - len(line.text.lstrip(BLANK))
            yield Rejected(source.display, line.number, problem.reason(first_column=indent + 1))
            continue
        yield RawRecord(line.number, value)
