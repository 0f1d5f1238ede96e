"""Reading posts from JSON Lines, JSON and CSV: every record yields a Post or
a Rejected, bad input never hides good input, and reasons say what was wrong."""
from __future__ import annotations

import codecs
import gzip
import io
import itertools
import json
import os
from pathlib import Path

import pytest

from checker.model import Origin, Post, Rejected
from checker.readers import INPUT_FORMATS, json_document, lines, read_posts, sources

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def write(directory: Path, name: str, content: bytes | str) -> str:
    path = directory / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def read(*paths: str, **options) -> list:
    return list(read_posts(list(paths), **options))


def posts(items: list) -> list[Post]:
    return [item for item in items if isinstance(item, Post)]


def rejections(items: list) -> list[Rejected]:
    return [item for item in items if isinstance(item, Rejected)]


def jsonl(*records: object) -> str:
    return "".join((record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records)


GOOD = {"id": "good", "text": "A plain post"}


# --- canonical fields -------------------------------------------------------

def test_canonical_fields_and_aliases_are_read():
    items = read(str(FIXTURES / "canonical_posts.jsonl"))
    first, second, third = posts(items)
    assert len(items) == 3
    assert first.id == "c-1"
    assert first.author == "@mira.makes"
    assert (first.platform, first.format) == ("instagram", "reel")
    assert first.text.startswith("Testing the @glowmint serum")
    assert first.market == ("GB", "IE")
    assert first.language == "en"
    assert first.paid_partnership is False
    assert first.followers == 12400
    assert first.posted_at == "2025-05-01T09:00:00Z"
    assert first.url == "https://www.instagram.com/reel/DAbc123/"
    assert first.expected == {"verdict": "undisclosed"}
    # Keys in any case and spelling; UK is GB; Unix time becomes ISO 8601.
    assert (second.id, second.author, second.platform, second.format) == ("c-2", "mira.makes", "tiktok", "video")
    assert second.market == ("GB",)
    assert second.posted_at == "2025-05-01T09:00:00Z"
    # Title and transcript alone make a post; segments and lists are joined.
    assert third.id == "3" and third.text == "" and third.title == "Serum review"
    assert third.transcript == "This serum was sent to me\nby Glowmint."
    assert third.on_screen_text == "#gifted\n@glowmint"
    assert (third.platform, third.format, third.paid_partnership) == ("instagram", "story", True)


def test_obvious_types_are_coerced(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl(
        {"text": "a", "followers": "44,100", "paid_partnership": "yes", "market": "gb, ie"},
        {"text": "b", "followers": 44100.0, "paid_partnership": 1, "market": ["uk"]},
        {"text": "c", "followers": "44.1k", "paid_partnership": "FALSE", "id": 17},
    ))
    a, b, c = read(path)
    assert (a.followers, a.paid_partnership, a.market) == (44100, True, ("GB", "IE"))
    assert (b.followers, b.paid_partnership, b.market) == (44100, True, ("GB",))
    assert (c.followers, c.paid_partnership, c.id) == (44100, False, "17")


def test_platform_and_format_values_fold_onto_the_vocabulary(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl(
        {"text": "a", "platform": "IG", "format": "Stories"},
        {"text": "b", "platform": "Twitter", "format": "tweet"},
        {"text": "c", "platform": "Friendster", "format": "hologram"},
    ))
    found = [(post.platform, post.format) for post in read(path)]
    assert found == [("instagram", "story"), ("x", "post"), ("other", "post")]


def test_default_language_fills_only_missing_languages(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "a"}, {"text": "b", "lang": "fr-CA"}))
    assert [post.language for post in read(path, default_language="de")] == ["de", "fr"]


def test_every_post_knows_where_it_came_from(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl(GOOD, "", {"text": "second"}))
    assert [post.origin for post in read(path)] == [Origin(path, 1), Origin(path, 3)]


def test_missing_id_becomes_file_name_and_line(tmp_path):
    path = write(tmp_path, "export.jsonl", jsonl({"text": "a"}, {"text": "b", "id": ""}))
    assert [post.id for post in read(path)] == ["export.jsonl:1", "export.jsonl:2"]


def test_posts_sharing_a_line_get_distinct_fallback_ids(tmp_path):
    path = write(tmp_path, "minified.json", json.dumps([{"text": "a"}, {"text": "b"}, {"text": "c"}]))
    assert [post.id for post in read(path)] == ["minified.json:1", "minified.json:1#2", "minified.json:1#3"]


def test_duplicate_ids_are_all_read(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"id": "same", "text": "a"}, {"id": "same", "text": "b"}))
    assert [(post.id, post.text) for post in read(path)] == [("same", "a"), ("same", "b")]


# --- malformed records: one Rejected each, the rest still read --------------

def test_invalid_json_line_is_rejected_with_its_column(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl(GOOD, '{"id": "x", "text": "b" "author": "c"}', GOOD))
    items = read(path)
    assert len(posts(items)) == 2
    [rejected] = rejections(items)
    assert (rejected.path, rejected.line) == (path, 2)
    assert rejected.reason == "invalid JSON: Expecting ',' delimiter (column 25)"


def test_a_line_that_is_not_an_object_is_rejected(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl(GOOD, "[1, 2]", '"just text"', GOOD))
    items = read(path)
    assert len(posts(items)) == 2
    assert [(r.line, r.reason) for r in rejections(items)] == [
        (2, "expected a post as a JSON object, got a list"),
        (3, "expected a post as a JSON object, got a string"),
    ]


def test_a_record_without_text_is_rejected(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl(GOOD, {"id": "empty", "author": "@a", "text": "  "}))
    [_, rejected] = read(path)
    assert rejected.line == 2
    assert rejected.reason == "no text: a post needs 'text', 'title' or 'transcript'"


def test_text_of_the_wrong_type_is_rejected_naming_the_field(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": ["a", "b"]}, {"caption": {"x": 1}}, GOOD))
    items = read(path)
    assert [(r.line, r.reason) for r in rejections(items)] == [
        (1, "field 'text' must be a string, got list"),
        (2, "field 'caption' must be a string, got object"),
    ]
    assert len(posts(items)) == 1


def test_market_as_a_number_is_rejected(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "a", "market": 44}, GOOD))
    [rejected, _] = read(path)
    assert rejected.reason.startswith("field 'market' must be a list of country codes")
    assert rejected.reason.endswith("got number")


def test_market_that_is_not_a_country_code_is_rejected(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "a", "countries": "Germany"}))
    [rejected] = read(path)
    assert rejected.reason == ("field 'countries' has 'Germany', which is not a two-letter "
                               "country code (ISO 3166-1 alpha-2)")


def test_followers_that_are_not_a_number_are_rejected(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "a", "followers": "lots"}, GOOD))
    [rejected, _] = read(path)
    assert (rejected.line, rejected.reason) == (1, "field 'followers' must be a whole number, got 'lots'")


def test_a_flag_that_is_neither_true_nor_false_is_rejected(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "a", "paid": "maybe"}))
    [rejected] = read(path)
    assert rejected.reason == "field 'paid' must be true or false, got 'maybe'"


def test_an_unreadable_date_is_rejected(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "a", "date": "last Tuesday"}))
    [rejected] = read(path)
    assert rejected.reason.startswith("field 'date' must be an ISO 8601 date")


def test_invalid_utf8_rejects_only_its_line(tmp_path):
    content = jsonl(GOOD).encode() + b'{"text": "caf\xe9 au lait"}\n' + jsonl(GOOD).encode()
    items = read(write(tmp_path, "posts.jsonl", content))
    assert len(posts(items)) == 2
    [rejected] = rejections(items)
    assert rejected.line == 2
    assert rejected.reason == "not valid UTF-8 text: byte 0xE9 at column 14; save the file as UTF-8"


def test_nul_bytes_are_rejected(tmp_path):
    content = jsonl(GOOD).encode() + b'{"text": "a\x00b"}\n' + jsonl(GOOD).encode()
    items = read(write(tmp_path, "posts.jsonl", content))
    assert len(posts(items)) == 2
    [rejected] = rejections(items)
    assert rejected.line == 2 and "NUL byte at column 12" in rejected.reason


def test_a_one_megabyte_post_is_accepted(tmp_path):
    long_text = "word " * 210_000
    path = write(tmp_path, "posts.jsonl", jsonl({"text": long_text}, GOOD))
    big, _ = read(path)
    assert big.text == long_text


def test_a_line_beyond_the_size_limit_is_rejected_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(lines, "MAX_LINE_BYTES", 1000)
    path = write(tmp_path, "posts.jsonl", jsonl(GOOD, {"text": "x" * 5000}, GOOD))
    items = read(path)
    assert len(posts(items)) == 2
    [rejected] = rejections(items)
    assert rejected.line == 2 and "longer than" in rejected.reason


def test_deeply_nested_json_line_is_rejected_not_crashing(tmp_path):
    nested = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    items = read(write(tmp_path, "posts.jsonl", jsonl(GOOD, nested, GOOD)))
    assert len(posts(items)) == 2
    [rejected] = rejections(items)
    assert (rejected.line, rejected.reason) == (2, "invalid JSON: nested too deeply to read")


def test_deeply_nested_element_of_a_json_array_is_rejected_not_crashing(tmp_path):
    nested = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    content = "[\n" + json.dumps(GOOD) + ",\n" + nested + ",\n" + json.dumps(GOOD) + "\n]\n"
    items = read(write(tmp_path, "posts.json", content))
    assert len(posts(items)) == 2
    [rejected] = rejections(items)
    assert (rejected.line, rejected.reason) == (3, "invalid JSON: nested too deeply to read")


# --- encodings and line ends --------------------------------------------------

@pytest.mark.parametrize("encoding, mark", [("utf-16-le", codecs.BOM_UTF16_LE),
                                            ("utf-16-be", codecs.BOM_UTF16_BE),
                                            ("utf-8", codecs.BOM_UTF8)])
def test_byte_order_marks_are_honoured(tmp_path, encoding, mark):
    text = jsonl({"text": "Crème brûlée 🍮 #ad"}, {"text": "Zweite Zeile"})
    path = write(tmp_path, "posts.jsonl", mark + text.encode(encoding))
    assert [(post.text, post.origin.line) for post in read(path)] == [
        ("Crème brûlée 🍮 #ad", 1), ("Zweite Zeile", 2)]


def test_utf16_without_byte_order_mark_is_recognised(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "Ohne BOM"}).encode("utf-16-le"))
    [post] = read(path)
    assert post.text == "Ohne BOM"


def test_utf16_csv_with_bom_as_excel_writes_it(tmp_path):
    text = "Caption\tUsername\r\nGrüße aus Köln 🌧\t@lea\r\n"
    path = write(tmp_path, "export.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    [post] = read(path)
    assert (post.text, post.author, post.origin.line) == ("Grüße aus Köln 🌧", "@lea", 2)


def test_crlf_line_ends(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl(GOOD, {"text": "second"}).replace("\n", "\r\n"))
    assert [(post.text, post.origin.line) for post in read(path)] == [("A plain post", 1), ("second", 2)]


def test_blank_lines_are_not_records(tmp_path):
    path = write(tmp_path, "posts.jsonl", "\n  \n" + jsonl(GOOD) + "\r\n\t\n" + jsonl({"text": "b"}) + "\n\n")
    items = read(path)
    assert [(type(item), item.origin.line) for item in items] == [(Post, 3), (Post, 6)]


# --- CSV ----------------------------------------------------------------------

def test_csv_aliases_and_quoted_newlines(tmp_path):
    items = read(str(FIXTURES / "canonical_aliases.csv"))
    first, second = items
    assert first.origin.line == 2 and second.origin.line == 4   # the first row spans lines 2-3
    assert first.text == "Packing list for the Lake District 🏕️\nTent: @ridgeline (gifted)"
    assert (first.id, first.author, first.market, first.followers) == ("p-1", "@olli.outdoors", ("GB",), 8950)
    assert (second.platform, second.format, second.followers, second.paid_partnership) == (
        "youtube", "short", 8900, True)
    assert second.market == ("GB", "IE")


def test_csv_column_map_names_the_columns(tmp_path):
    path = str(FIXTURES / "mapped.tsv")
    [post] = read(path, column_map={"text": "Message", "author": "author"})
    assert (post.text, post.author, post.platform) == ("New blender day! Loving my new @blendco blender", "@kai.kitchen", "x")


def test_csv_column_map_naming_an_absent_column_rejects_the_file(tmp_path):
    path = write(tmp_path, "posts.csv", "Caption,Handle\nhello,@a\n")
    [rejected] = read(path, column_map={"text": "Message"})
    assert rejected.line == 0
    assert rejected.reason == ("column 'Message' (for text) not found in the header; "
                               "the header has: Caption, Handle")


def test_csv_semicolons_and_excel_separator_hint(tmp_path):
    semicolons = write(tmp_path, "a.csv", "text;market\nBonjour;FR\n")
    hinted = write(tmp_path, "b.csv", "sep=;\ntext;market\nHallo, Welt;DE\n")
    assert [(post.text, post.market) for post in read(semicolons, hinted)] == [
        ("Bonjour", ("FR",)), ("Hallo, Welt", ("DE",))]


def test_csv_row_with_too_many_values_is_rejected(tmp_path):
    path = write(tmp_path, "posts.csv", "text,author\nfine,@a\nnot, quoted,@b\nalso fine,@c\n")
    items = read(path)
    assert [post.text for post in posts(items)] == ["fine", "also fine"]
    [rejected] = rejections(items)
    assert rejected.line == 3
    assert rejected.reason == ("row has 3 values but the header names 2 columns; "
                               "a value holding the delimiter ',' probably lacks quotes")


def test_csv_unclosed_quote_is_reported_from_its_line(tmp_path):
    path = write(tmp_path, "posts.csv", 'text,author\nfine,@a\n"never closed,@b\nmore,@c\n')
    items = read(path)
    assert [post.text for post in posts(items)] == ["fine"]
    [rejected] = rejections(items)
    assert rejected.line == 3
    assert rejected.reason == "a quoted value that starts on line 3 is never closed; lines 3-4 could not be read"


def test_csv_invalid_utf8_rejects_only_its_row(tmp_path):
    content = b"text,author\nfine,@a\n\"multi\nline caf\xe9\",@b\nalso fine,@c\n"
    items = read(write(tmp_path, "posts.csv", content))
    assert [post.text for post in posts(items)] == ["fine", "also fine"]
    [rejected] = rejections(items)
    assert rejected.line == 3
    assert rejected.reason.startswith("line 4 of this record: not valid UTF-8 text: byte 0xE9")


def test_csv_rows_of_empty_cells_are_blank(tmp_path):
    path = write(tmp_path, "posts.csv", "text,author\nfine,@a\n,\n,,\n")
    assert [post.text for post in read(path)] == ["fine"]


# --- JSON documents -----------------------------------------------------------

def test_json_array_elements_keep_their_line_numbers(tmp_path):
    content = ('[\n  {"text": "one"},\n  {"text": "two",\n   "market": 5},\n'
               '  {"text": "three" "x": 1},\n  {"text": "four"}\n]\n')
    items = read(write(tmp_path, "posts.json", content))
    assert [(type(item).__name__, item.line if isinstance(item, Rejected) else item.origin.line)
            for item in items] == [("Post", 2), ("Rejected", 3), ("Rejected", 5), ("Post", 6)]
    assert rejections(items)[1].reason == "invalid JSON: Expecting ',' delimiter (line 5, column 20)"


def test_json_object_with_a_posts_list(tmp_path):
    content = json.dumps({"exported": "2025-06-01", "posts": [{"text": "a"}, {"text": "b"}]}, indent=1)
    assert [post.text for post in read(write(tmp_path, "export.json", content))] == ["a", "b"]


def test_export_metadata_beside_the_posts_list_is_not_a_post(tmp_path):
    content = json.dumps({"title": "Spring campaign", "description": "All creators",
                          "posts": [{"text": "a"}, {"text": "b"}]}, indent=2)
    assert [post.text for post in read(write(tmp_path, "export.json", content))] == ["a", "b"]


def test_a_post_with_its_own_items_list_is_one_post(tmp_path):
    path = write(tmp_path, "posts.jsonl", jsonl({"text": "My haul", "items": [{"sku": 1}, {"sku": 2}]}))
    [post] = read(path)
    assert post.text == "My haul"


def test_a_single_json_object_is_one_post(tmp_path):
    path = write(tmp_path, "post.json", json.dumps({"text": "only one", "author": "@a"}, indent=2))
    [post] = read(path)
    assert (post.text, post.origin.line) == ("only one", 1)


def test_json_lines_in_a_file_named_json(tmp_path):
    path = write(tmp_path, "posts.json", jsonl(GOOD, "{broken", {"text": "b"}))
    items = read(path)
    assert [item.line if isinstance(item, Rejected) else item.origin.line for item in items] == [1, 2, 3]


def test_pretty_printed_objects_one_after_another(tmp_path):
    content = json.dumps({"text": "a"}, indent=2) + "\n" + json.dumps({"text": "b"}, indent=2) + "\n"
    items = read(write(tmp_path, "jq-output.json", content))
    assert [(post.text, post.origin.line) for post in items] == [("a", 1), ("b", 4)]


def test_truncated_json_array_keeps_the_posts_before(tmp_path):
    path = write(tmp_path, "posts.json", '[\n{"text": "a"},\n{"text": "b"},\n{"text": "c')
    items = read(path)
    assert [post.text for post in posts(items)] == ["a", "b"]
    element, whole_file = rejections(items)
    assert element.line == 4 and element.reason.startswith("invalid JSON: Unterminated string")
    assert whole_file.line == 0 and "ends before the list opened on line 1" in whole_file.reason


def test_json_array_read_in_small_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(lines, "CHUNK_BYTES", 7)
    records = [{"text": f"post {n} " + "é" * n, "n": [n, {"deep": "}]\\\""}]} for n in range(40)]
    content = "[\n" + ",\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "\n]"
    items = read(write(tmp_path, "posts.json", content))
    assert [(post.text, post.origin.line) for post in items] == [
        (record["text"], n + 2) for n, record in enumerate(records)]


def test_json_element_above_the_size_limit_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(lines, "CHUNK_BYTES", 64)
    monkeypatch.setattr(json_document, "MAX_RECORD_CHARS", 500)
    content = "[\n" + json.dumps({"text": "x" * 2000}) + ",\n" + json.dumps({"text": "small"}) + "\n]"
    items = read(write(tmp_path, "posts.json", content))
    rejected, post = items
    assert rejected.line == 2 and "larger than" in rejected.reason
    assert (post.text, post.origin.line) == ("small", 3)


class _EndlessExport(io.RawIOBase):
    """An export that never ends: a reader that loads it whole never returns."""

    def __init__(self, opening: bytes, record: bytes) -> None:
        self._pending = opening
        self._record = record

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self._pending) < len(buffer):
            self._pending += self._record
        buffer[:] = self._pending[:len(buffer)]
        self._pending = self._pending[len(buffer):]
        return len(buffer)


@pytest.mark.parametrize("opening, record", [
    (b"", b'{"text": "streamed"}\n'),
    (b"[\n", b'{"text": "streamed"},\n'),
    (b'{"posts": [\n', b'{"text": "streamed"},\n'),
])
def test_input_is_streamed_not_loaded_whole(opening, record):
    stream = io.BufferedReader(_EndlessExport(opening, record))
    first = list(itertools.islice(read_posts(["-"], stdin=stream), 3))
    assert [post.text for post in first] == ["streamed"] * 3


# --- whole files: line 0 ------------------------------------------------------

def test_empty_file(tmp_path):
    assert read(write(tmp_path, "empty.jsonl", b"")) == [
        Rejected(str(tmp_path / "empty.jsonl"), 0, "file is empty: no posts")]


def test_file_of_blank_lines_is_empty(tmp_path):
    path = write(tmp_path, "blank.csv", "\n\r\n  \n")
    assert read(path) == [Rejected(path, 0, "file is empty: no posts")]


def test_missing_file_and_directory_are_reported_and_others_still_read(tmp_path):
    good = write(tmp_path, "good.jsonl", jsonl(GOOD))
    missing = str(tmp_path / "missing.jsonl")
    items = read(missing, str(tmp_path), good)
    assert items[:2] == [Rejected(missing, 0, "file not found"),
                         Rejected(str(tmp_path), 0, "is a directory, not a file of posts")]
    assert [post.text for post in posts(items)] == ["A plain post"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions that bind")
def test_unreadable_file_is_reported(tmp_path):
    path = write(tmp_path, "secret.jsonl", jsonl(GOOD))
    os.chmod(path, 0)
    try:
        assert read(path) == [Rejected(path, 0, "cannot be read: permission denied")]
    finally:
        os.chmod(path, 0o600)


def test_permission_denied_is_reported(tmp_path, monkeypatch):
    def refuse(path, mode="r"):
        raise PermissionError(13, "Permission denied", path)
    path = write(tmp_path, "secret.jsonl", jsonl(GOOD))
    monkeypatch.setattr(sources, "open", refuse, raising=False)
    assert read(path) == [Rejected(path, 0, "cannot be read: permission denied")]


class _FailingDisk(io.RawIOBase):
    """Serves some bytes, then fails the way a dying disk or network share does."""

    def __init__(self, good: bytes) -> None:
        self._good = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._good:
            raise OSError(5, "Input/output error")
        count = min(len(buffer), len(self._good))
        buffer[:count], self._good = self._good[:count], self._good[count:]
        return count


def test_read_error_midway_keeps_the_posts_before():
    content = jsonl(*[{"text": f"post {n}"} for n in range(10_000)]).encode()
    items = read("-", stdin=io.BufferedReader(_FailingDisk(content)))
    assert len(posts(items)) == 10_000
    assert items[-1] == Rejected("<stdin>", 0, "reading stopped: cannot be read: Input/output error; "
                                               "the posts before it were read")


def test_unrecognised_shape_names_the_shapes_tried(tmp_path):
    path = write(tmp_path, "mystery.jsonl", jsonl({"foo": 1, "bar": 2}, {"foo": 3}))
    [rejected] = read(path)
    assert rejected.line == 0
    assert rejected.reason.startswith("unrecognised input shape")
    assert "foo, bar" in rejected.reason
    assert "tried: " + ", ".join(INPUT_FORMATS) in rejected.reason


def test_column_map_makes_an_unknown_shape_readable(tmp_path):
    path = write(tmp_path, "mystery.jsonl", jsonl({"foo": "hello", "bar": 2}))
    [post] = read(path, column_map={"text": "foo"})
    assert post.text == "hello"


def test_gzip_compressed_input(tmp_path):
    path = write(tmp_path, "posts.jsonl.gz", gzip.compress(jsonl(GOOD, {"text": "b"}).encode()))
    assert [post.text for post in read(path)] == ["A plain post", "b"]


def test_damaged_gzip_is_reported_as_a_file_problem(tmp_path):
    data = gzip.compress(jsonl(*[{"text": f"post {n}"} for n in range(5000)]).encode())
    path = write(tmp_path, "posts.jsonl.gz", data[: len(data) // 2])
    items = read(path)
    assert rejections(items)[-1].line == 0
    assert "compressed (gzip) data is damaged" in rejections(items)[-1].reason


# --- standard input -----------------------------------------------------------

@pytest.mark.parametrize("content", [
    jsonl({"text": "a"}, {"text": "b"}),
    json.dumps([{"text": "a"}, {"text": "b"}]),
    "text,author\na,@x\nb,@y\n",
])
def test_stdin_format_is_sniffed(content):
    items = read("-", stdin=io.BytesIO(content.encode()))
    assert [post.text for post in items] == ["a", "b"]
    assert {post.origin.path for post in items} == {"<stdin>"}


def test_empty_and_closed_stdin():
    closed = io.BytesIO(b"")
    closed.close()
    assert read("-", stdin=io.BytesIO(b"")) == [Rejected("<stdin>", 0, "standard input is empty: no posts")]
    assert read("-", stdin=closed) == [Rejected("<stdin>", 0, "standard input is closed: no posts")]


def test_stdin_named_twice_is_read_once():
    items = read("-", "-", stdin=io.BytesIO(jsonl(GOOD).encode()))
    assert [type(item) for item in items] == [Post, Rejected]
    assert items[1] == Rejected("<stdin>", 0, "standard input was already read earlier in this run")


# --- arguments ----------------------------------------------------------------

def test_unknown_input_format_raises_before_reading():
    with pytest.raises(ValueError, match="unknown input format 'tsv'; choose one of: jsonl, json, csv"):
        read_posts(["posts.tsv"], input_format="tsv")


def test_unknown_column_map_field_raises():
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        read_posts(["posts.csv"], column_map={"colour": "Colour"})


def test_column_map_accepts_aliases_of_field_names(tmp_path):
    path = write(tmp_path, "posts.csv", "Msg,Who\nhi,@a\n")
    [post] = read(path, column_map={"caption": "Msg", "username": "Who"})
    assert (post.text, post.author) == ("hi", "@a")


def test_invalid_default_language_raises():
    with pytest.raises(ValueError, match="default language must be a language code"):
        read_posts(["posts.csv"], default_language="English!")


# --- counts reconcile -----------------------------------------------------------

def test_every_non_blank_line_yields_exactly_one_item(tmp_path):
    lines_ = [json.dumps(GOOD), "", "{bad", "[]", json.dumps({"text": 5.5}), "  ",
              json.dumps({"title": "t"}), json.dumps({"text": None}), "null", json.dumps({"text": "z"})]
    path = write(tmp_path, "mixed.jsonl", "\n".join(lines_) + "\n")
    items = read(path)
    lines_read = [item.line if isinstance(item, Rejected) else item.origin.line for item in items]
    assert lines_read == [n for n, line in enumerate(lines_, 1) if line.strip()]
