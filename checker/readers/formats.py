"""The input formats a user can name, and recognising one from the content."""
from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence

from .canonical import CANONICAL
from .facebook_dyi import FACEBOOK_DYI
from .fields import find_key
from .instagram_dyi import INSTAGRAM_DYI
from .instagram_graph import INSTAGRAM_GRAPH
from .records import RawRecord, ReadItem
from .shape import Shape
from .sources import BLANK, Source
from .tiktok_research import TIKTOK_RESEARCH
from .x_api_v2 import X_API_V2
from .youtube_data import YOUTUBE_DATA

CONTAINERS = ("jsonl", "json", "csv")
PLATFORM_SHAPES = (INSTAGRAM_GRAPH, YOUTUBE_DATA, TIKTOK_RESEARCH, X_API_V2, INSTAGRAM_DYI, FACEBOOK_DYI)
INPUT_FORMATS: tuple[str, ...] = CONTAINERS + tuple(shape.name for shape in PLATFORM_SHAPES)

# Most specific first: canonical aliases would also match many platform records.
_DETECTION_ORDER = (YOUTUBE_DATA, TIKTOK_RESEARCH, X_API_V2, INSTAGRAM_GRAPH,
                    INSTAGRAM_DYI, FACEBOOK_DYI, CANONICAL)
_JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
_CSV_SUFFIXES = (".csv", ".tsv")
_LINES_SNIFFED = 5


def input_format_named(name: str) -> str:
    """The format's canonical spelling; ValueError lists the valid names."""
    folded = name.strip().lower().replace("_", "-")
    if folded in INPUT_FORMATS:
        return folded
    raise ValueError(f"unknown input format '{name}'; choose one of: {', '.join(INPUT_FORMATS)}")


def forced_shape(input_format: str | None) -> Shape | None:
    if input_format is None:
        return None
    if input_format in CONTAINERS:
        return CANONICAL
    return next(shape for shape in PLATFORM_SHAPES if shape.name == input_format)


def container_for(source: Source, input_format: str | None) -> str:
    if input_format in CONTAINERS:
        return input_format
    if source.suffix in _JSON_LINES_SUFFIXES:
        return "jsonl"
    if source.suffix in _CSV_SUFFIXES:
        return "csv"
    return sniff_container(source.head, prefers_json=source.suffix == ".json")


def sniff_container(head: str, prefers_json: bool = False) -> str:
    body = head.lstrip(BLANK)
    if body.startswith("["):
        return "json"
    if body.startswith("{"):
        return "jsonl" if _looks_like_json_lines(body) else "json"
    return "json" if prefers_json else "csv"


def _looks_like_json_lines(body: str) -> bool:
    lines = [line.strip(BLANK) for line in body.split("\n")]
    lines = [line for line in lines if line][:_LINES_SNIFFED]
    if _is_object(lines[0]):
        return True
    # A pretty-printed document opens with lines such as `{` or `"posts": [`;
    # a JSON Lines file whose first record is broken does not.
    if lines[0].endswith(("{", "[", ",", ":")):
        return False
    return any(_is_object(line) for line in lines[1:])


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def detect_shape(window: Sequence[ReadItem], column_map: Mapping[str, str]) -> Shape | None:
    for item in window:
        if not isinstance(item, RawRecord) or not isinstance(item.value, dict):
            continue
        for shape in _DETECTION_ORDER:
            if shape.matches(item.value, item.envelope):
                return shape
        if any(find_key(item.value, column) for column in column_map.values()):
            return CANONICAL
    return None


def unrecognised_reason(window: Sequence[ReadItem], container: str = "json") -> str:
    return (f"unrecognised input shape: no {_what(container)} holds the post's text; "
            f"{_columns_and_example(window, container)}; other shapes tried: {', '.join(INPUT_FORMATS)} "
            "(--input-format chooses one)")


def no_text_reason(window: Sequence[ReadItem], container: str) -> str:
    """One message for a file whose records have no text field: its columns
    and a --map example built from them."""
    return f"no {_what(container)} holds the post's text; {_columns_and_example(window, container)}"


def _what(container: str) -> str:
    return "column" if container == "csv" else "field"


def _columns_and_example(window: Sequence[ReadItem], container: str) -> str:
    records = [item for item in window if isinstance(item, RawRecord) and isinstance(item.value, dict)]
    first = records[0]
    keys = [str(key) for key in first.value]
    where = "the header" if container == "csv" else f"the record on line {first.line}"
    shown = ", ".join(keys[:20]) + (f" and {len(keys) - 20} more" if len(keys) > 20 else "") if keys else "none"
    text_column = _longest_text(records, keys)
    if text_column is None:
        return f"{_what(container)}s in {where}: {shown}"
    return (f"{_what(container)}s in {where}: {shown}; name the text {_what(container)} with --map, "
            f"e.g. --map {shlex.quote('text=' + text_column)}")


def _longest_text(records: Sequence[RawRecord], keys: Sequence[str]) -> str | None:
    """The column holding the longest text values: most likely the caption."""
    length: dict[str, int] = {key: 0 for key in keys}
    for record in records:
        for key, value in record.value.items():
            if isinstance(value, str) and str(key) in length:
                length[str(key)] += len(value.strip())
    best = max(length, key=lambda key: length[key], default=None)
    return best if best is not None and length[best] > 0 else None
