"""Properties of the readers over arbitrary input: they never raise, and
every non-blank line of a JSON Lines file is accounted for."""
from __future__ import annotations

import codecs
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.model import Post, Rejected
from checker.readers import coerce, read_posts

_MARKS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\x1f\x8b")
WRAPPER_KEYS = {"posts", "items", "videos", "status_updates", "ig_reels_media", "ig_stories",
                "data", "business_discovery"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
post_like = st.fixed_dictionaries(
    {"text": st.one_of(st.text(max_size=30), st.integers(), st.lists(st.text(max_size=5), max_size=2))},
    optional={"market": st.one_of(st.text(max_size=6), st.integers(), st.lists(st.text(max_size=3), max_size=2)),
              "followers": st.one_of(st.integers(), st.text(max_size=6)),
              "paid": st.one_of(st.booleans(), st.text(max_size=4)),
              "id": json_values, "platform": json_values},
)
lines_of_json = st.lists(
    st.one_of(post_like.map(json.dumps), json_values.map(json.dumps), st.binary(max_size=40),
              st.sampled_from([b"", b"   ", b"\r"])),
    max_size=12,
).map(lambda parts: b"\n".join(part if isinstance(part, bytes) else part.encode() for part in parts))


def _read_file(content: bytes, name: str) -> list:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(content)
        return list(read_posts([str(path)]))


def _line(item: Post | Rejected) -> int:
    return item.line if isinstance(item, Rejected) else item.origin.line


def _non_blank_lines(content: bytes) -> list[int]:
    return [number for number, line in enumerate(content.split(b"\n"), 1)
            if line.decode("utf-8", "replace").strip(" \t\r\n\ufeff")]


def _wraps_posts(line: bytes) -> bool:
    """A line such as {"posts": [...]} holds any number of records."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and bool(set(value) & WRAPPER_KEYS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), lines_of_json))
def test_arbitrary_bytes_as_json_lines_account_for_every_line(content):
    assume(not content.startswith(_MARKS))
    assume(not (len(content) >= 4 and content[1] == 0 and content[3] == 0))   # sniffed as UTF-16
    assume(not any(_wraps_posts(line) for line in content.split(b"\n")))
    items = _read_file(content, "posts.jsonl")
    whole_file = [item for item in items if isinstance(item, Rejected) and item.line == 0]
    if whole_file:   # an empty file, or no record in a shape the readers know
        assert items == whole_file and len(whole_file) == 1
        return
    assert all(isinstance(item, (Post, Rejected)) for item in items)
    assert [_line(item) for item in items] == _non_blank_lines(content)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["posts.json", "posts.csv", "posts", "posts.jsonl.gz"]))
def test_arbitrary_bytes_in_any_format_never_raise(content, name):
    items = _read_file(content, name)
    assert all(isinstance(item, (Post, Rejected)) for item in items)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(post_like, max_size=8), st.sampled_from([0, 1, 2]))
def test_json_array_yields_one_item_per_element(records, indent):
    content = json.dumps(records, indent=indent or None).encode()
    items = list(read_posts(["-"], stdin=io.BytesIO(content)))
    whole_file = [item for item in items if isinstance(item, Rejected) and item.line == 0]
    assert not whole_file
    assert len(items) == len(records)


COERCERS = (coerce.text, coerce.spoken_text, coerce.identifier, coerce.name, coerce.platform,
            coerce.post_format, coerce.markets, coerce.language, coerce.flag, coerce.count,
            coerce.timestamp, coerce.url, coerce.expected)
odd_values = st.one_of(json_values, st.floats(), st.from_regex(r"\d{1,40}", fullmatch=True),
                       st.sampled_from(["\u00b2", "1e400", "NaN", "-5", "9" * 5000, "44,100", "1.2M"]))


@settings(max_examples=200, deadline=None)
@given(odd_values)
def test_field_coercion_either_succeeds_or_explains(value):
    for coercer in COERCERS:
        try:
            coercer(value)
        except coerce.ValueProblem as problem:
            assert str(problem)
