"""Bounded fuzzing of the readers, in every pytest run (CI included).

Real exports (tests/fixtures/readers/ and hostile/) are damaged the ways
files get damaged or tampered with: bytes flipped, cut short, spliced,
re-encoded, quoted wrongly, nested deeply. Whatever comes in, the readers
never raise; every item is a Post or a Rejected naming the file and a line
inside it; and what they accept audits and serialises to valid UTF-8 JSON.

The budget is fixed so the run stays under about a minute on CI's two
cores: `max_examples` per test, a per-example deadline, and inputs of at
most a few kilobytes. Set CLEARLABEL_FUZZ_SCALE (e.g. 20) for a longer
run by hand or in a nightly job.
"""
from __future__ import annotations

import codecs
import gzip
import json
import os
import tempfile
from datetime import timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.engine import Auditor
from checker.model import Post, Rejected
from checker.packs import load_ruleset
from checker.readers import read_posts
from checker.readers.drafts import read_drafts
from checker.serialize import json_dumps, result_to_dict
from checker.settings import Settings

SCALE = max(1, int(os.environ.get("CLEARLABEL_FUZZ_SCALE", "1")))
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted(p for folder in ("readers", "hostile") for p in (FIXTURES / folder).iterdir()
               if p.suffix in (".jsonl", ".json", ".csv", ".tsv"))
SEED_BYTES = {path.name: path.read_bytes()[:6000] for path in SEEDS}
BUDGET = settings(max_examples=150 * SCALE, deadline=timedelta(seconds=3), derandomize=SCALE == 1,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE_BYTES = [
    b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe9", b"\xef\xbb\xbf", b"\xff\xfe", b"\x1f\x8b", b'"', b"'", b"{", b"}",
    b"[", b"]", b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"\\", b"\\u", b"\\ud800", b"\\u0000", b"\\u202e",
    b"[" * 60, b"{\"a\":" * 40, b"\xe2\x80\xae", b"\xe2\x80\xa8", b"\xf0\x9f\x98", b"\xed\xa0\x80", b'"""', b"sep=;\n",
    b"#ad", b"\x1b[2J", b"=cmd|' /C calc'!A0",
]


@st.composite
def damaged(draw) -> tuple[str, bytes]:
    """A seed export under a few random injuries, and the name it is saved as."""
    name = draw(st.sampled_from(sorted(SEED_BYTES)))
    data = bytearray(SEED_BYTES[name])
    for _ in range(draw(st.integers(0, 6))):
        operation = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        at = draw(st.integers(0, max(0, len(data))))
        if operation == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] = draw(st.integers(0, 255))
        elif operation == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(HOSTILE_BYTES), st.binary(max_size=12)))
        elif operation == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif operation == "truncate":
            del data[at:]
        else:
            data[at:at] = data[max(0, at - 200):at]
    encoding = draw(st.sampled_from(["as-is", "as-is", "as-is", "utf-16", "crlf", "gzip"]))
    blob = bytes(data)
    if encoding == "utf-16":
        blob = codecs.BOM_UTF16_LE + blob.decode("utf-8", "replace").encode("utf-16-le")
    elif encoding == "crlf":
        blob = blob.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    elif encoding == "gzip":
        blob = gzip.compress(blob, mtime=0)[:draw(st.integers(10, 10_000))]
    suffix = draw(st.sampled_from([Path(name).suffix, Path(name).suffix, ".jsonl", ".json", ".csv", ""]))
    return f"fuzzed{suffix}", blob


def _read(name: str, blob: bytes) -> tuple[str, list]:
    directory = tempfile.mkdtemp()
    path = Path(directory) / name
    path.write_bytes(blob)
    try:
        return str(path), list(read_posts([str(path)]))
    finally:
        path.unlink()
        os.rmdir(directory)


def _check_items(path: str, blob: bytes, items: list) -> None:
    lines = max(blob.count(b"\n"), blob.count(b"\n\x00"), blob.count(b"\r")) + 2
    for item in items:
        assert isinstance(item, (Post, Rejected)), item
        if isinstance(item, Rejected):
            assert item.path == path and item.reason.strip()
            assert 0 <= item.line <= lines or blob[:2] == b"\x1f\x8b"
        else:
            assert item.origin is not None and item.origin.path == path and item.origin.line >= 1
            assert any(text.strip() for _, text in item.text_fields())
            assert isinstance(item.id, str) and item.id


@cache
def _auditor() -> Auditor:
    return Auditor(load_ruleset(), Settings(), override_markets=("US", "GB", "DE"))


@BUDGET
@given(damaged())
def test_damaged_exports_never_break_the_readers(case):
    name, blob = case
    path, items = _read(name, blob)
    _check_items(path, blob, items)


@settings(BUDGET, max_examples=40 * SCALE)
@given(damaged())
def test_whatever_the_readers_accept_audits_and_serialises(case):
    name, blob = case
    _, items = _read(name, blob)
    for post in [item for item in items if isinstance(item, Post)][:5]:
        result = _auditor().audit(post)
        json.loads(json_dumps(result_to_dict(result)).encode("utf-8", "strict"))


CSV_CELL = st.one_of(st.text(max_size=12), st.sampled_from(['"', '""', '\n', '\r\n', ",", ";", "=1+1", "\x00", "é"]))


@BUDGET
@given(st.lists(st.lists(CSV_CELL, min_size=1, max_size=5), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_hand_made_csv_never_breaks_the_reader(rows, delimiter, quote_all):
    def cell(value: str) -> str:
        if quote_all or any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value
    header = delimiter.join(["id", "text", "author"][:max(len(r) for r in rows)] or ["text"])
    body = "\n".join(delimiter.join(cell(value) for value in row) for row in rows)
    blob = (header + "\n" + body + "\n").encode("utf-8", "surrogatepass")
    path, items = _read("posts.tsv" if delimiter == "\t" else "posts.csv", blob)
    _check_items(path, blob, items)


DRAFT_PIECES = st.sampled_from([
    "---\n", "title: x\n", "market: [US]\n", "brand: glow\n", "# Heading\n", "Caption text #ad\n", "<!-- clearlabel-disable X -->\n",
    "- text: hi\n", "  market: GB\n", "{", "}", "[", "]", "&a ", "*a ", "!!python/object:os.system\n", "\x00", "\ufeff",
    "\t", "é", "\\", '"', "'", ":", "\n",
])


@BUDGET
@given(st.lists(st.one_of(DRAFT_PIECES, st.text(max_size=10)), max_size=30).map("".join),
       st.sampled_from(["draft.md", "brief.yml", "brief.json", "notes.txt"]))
def test_drafts_never_break_the_check_mode_reader(content, name):
    directory = tempfile.mkdtemp()
    path = Path(directory) / name
    path.write_bytes(content.encode("utf-8", "surrogatepass"))
    try:
        items = list(read_drafts([str(path)], suppressions={}))
    finally:
        path.unlink()
        os.rmdir(directory)
    for item in items:
        assert isinstance(item, (Post, Rejected))
        if isinstance(item, Rejected):
            assert item.path == str(path) and item.reason.strip()
