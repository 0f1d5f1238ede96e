"""Draft readers: posts, fields, ids, suppressions, and that every span of a
post's text maps back to the very characters in the draft file."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.locate import finding_location, offset_position, span_location
from checker.model import Finding, Origin, Post, Rejected, Severity, Span, Verdict
from checker.readers.drafts import read_drafts


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def read(*paths: Path, **options) -> tuple[list[Post], list[Rejected], dict]:
    suppressions: dict = {}
    items = list(read_drafts([str(path) for path in paths], suppressions=suppressions, **options))
    return ([item for item in items if isinstance(item, Post)],
            [item for item in items if isinstance(item, Rejected)], suppressions)


def source_at(post: Post, field: str, offset: int, length: int) -> str:
    """The characters of the draft file at the position `locate` gives."""
    line, column = offset_position(post, field, offset)
    content = Path(post.origin.path).read_text(encoding="utf-8").split("\n")[line - 1]
    return content[column - 1:column - 1 + length]


def assert_every_word_located(post: Post, field: str = "text") -> None:
    text = post.field_text(field)
    for line_text in text.split("\n"):
        for word in line_text.split():
            offset = text.index(word)
            assert source_at(post, field, offset, len(word)) == word, (field, word)


def test_markdown_front_matter_fields_and_position(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "drafts/launch.md", """\
        ---
        platform: Instagram
        format: reel
        market: gb, us
        language: en
        title: Launch day
        brand: Glow Co
        ---
        Loving the new serum from @glowco ☀️
        Code GLOW15 for 15% off.
        """)
    posts, rejected, _ = read(Path("drafts"))
    assert rejected == []
    [post] = posts
    assert post.id == "drafts/launch.md#1"
    assert (post.platform, post.format, post.market, post.language, post.brand) == \
        ("instagram", "reel", ("GB", "US"), "en", "Glow Co")
    assert post.title == "Launch day"
    assert post.origin.path == "drafts/launch.md" and post.origin.line == 9
    assert post.text.startswith("Loving") and post.text.endswith("off.")
    start = post.text.index("GLOW15")
    assert span_location(post, Span("text", start, start + 6, "GLOW15")) == (10, 6)
    assert source_at(post, "title", 0, 6) == "Launch"
    assert_every_word_located(post)


def test_multi_post_file_split_on_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "series.md", """\
        ---
        platform: tiktok
        ---
        #ad part one with @panforge

        ---
        ---
        part two #spon
        second line
        ---
        part three
        """)
    posts, rejected, _ = read(Path("series.md"))
    assert rejected == []
    assert [post.id for post in posts] == ["series.md#1", "series.md#2", "series.md#3"]
    assert [post.text for post in posts] == ["#ad part one with @panforge", "part two #spon\nsecond line", "part three"]
    assert [post.origin.line for post in posts] == [4, 8, 11]
    assert all(post.platform == "tiktok" for post in posts)
    for post in posts:
        assert_every_word_located(post)


def test_series_posts_are_named_by_heading_or_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "series.md", """\
        ---
        market: GB
        campaign: spring-2026
        ---
        ## Day 1: Crispy potatoes
        #ad Day one with @panforge
        ---
        <!-- clearlabel: id=shakshuka -->
        #ad Day two with @panforge
        ---
        #ad Day three
        ---
        ## Day 1: crispy potatoes!
        #ad again
        """)
    posts, rejected, _ = read(Path("series.md"))
    assert [post.id for post in posts] == ["series.md#day-1-crispy-potatoes", "series.md#shakshuka", "series.md#3"]
    assert [post.origin.positional for post in posts] == [False, False, True]
    assert posts[0].text == "#ad Day one with @panforge", "the heading names the post and is not its text"
    assert posts[0].origin.line == 6 and posts[1].text == "#ad Day two with @panforge"
    assert all(post.metadata == {"campaign": "spring-2026"} for post in posts)
    [duplicate] = rejected
    assert duplicate.line == 13 and "already used on line 5" in duplicate.reason
    single = write(tmp_path, "single.md", "---\nid: launch\n---\n# Launch\nAd | new serum\n")
    [post], _, _ = read(single)
    assert post.id.endswith("single.md#launch")


def test_unknown_fields_are_metadata(tmp_path):
    path = write(tmp_path, "brief.yml", """\
        campaign: spring-2026
        posts:
          - text: "#ad hello"
            wave: 2
            launch_date: 2026-03-01
            tags: [a, b]
          - text: "#ad again"
            campaign: teaser
        """)
    posts, rejected, _ = read(path)
    assert rejected == []
    assert posts[0].metadata == {"campaign": "spring-2026", "wave": 2, "launch_date": "2026-03-01", "tags": ["a", "b"]}
    assert posts[1].metadata == {"campaign": "teaser"}


def test_text_file_without_front_matter_uses_defaults(tmp_path):
    path = write(tmp_path, "caption.txt", "  indented first line #ad\nsecond\n")
    posts, rejected, _ = read(path, platform="youtube", format="video", language="de")
    [post] = posts
    assert (post.platform, post.format, post.language) == ("youtube", "video", "de")
    assert source_at(post, "text", post.text.index("#ad"), 3) == "#ad"


def test_front_matter_wins_over_defaults(tmp_path):
    path = write(tmp_path, "a.md", "---\nplatform: x\n---\nhello #ad\n")
    [post], _, _ = read(path, platform="youtube")
    assert post.platform == "x"


def test_markdown_directives_are_removed_and_collected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "d.md", """\
        ---
        market: GB
        # clearlabel: disable=GB-A reason="applies to the whole file"
        ---
        first line
        <!-- clearlabel: disable=GB-B,GB-C reason="voice-over says \\"ad\\"" -->
        third line #ad
        <!-- clearlabel: disable=GB-D --> tail words
        ---
        other post
        """)
    posts, rejected, suppressions = read(Path("d.md"))
    assert rejected == []
    first, second = posts
    assert "clearlabel" not in first.text
    assert first.text == "first line\nthird line #ad\n tail words"
    assert_every_word_located(first)
    rules = [(s.rules, s.reason, s.line) for s in suppressions[first.id]]
    assert rules == [(("GB-A",), "applies to the whole file", 3),
                     (("GB-B", "GB-C"), 'voice-over says "ad"', 6),
                     (("GB-D",), None, 8)]
    assert [s.rules for s in suppressions[second.id]] == [("GB-A",)]


@pytest.mark.parametrize("line, reason", [
    ("<!-- clearlabel: disabel=X -->", "unknown clearlabel directive key"),
    ("<!-- clearlabel: disable= -->", "names no rule"),
    ('<!-- clearlabel: disable=X reason="open -->', "unreadable"),
    ("<!-- clearlabel: disable=X", "not closed"),
])
def test_malformed_directive_is_rejected_with_line(tmp_path, line, reason):
    path = write(tmp_path, "d.txt", f"text #ad\n{line}\n")
    posts, rejected, _ = read(path)
    assert len(posts) == 1
    assert rejected[0].line == 2 and reason in rejected[0].reason


def test_yaml_brief_fields_aliases_positions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "brief.yml", """\
        platform: instagram
        market: [GB]
        brand: Marlowe
        posts:
          - id: knit
            caption: |
              Ad | autumn knits with @marlowe
                indented line
              shop at rstyle.me/+Kq8xZ2m

              after a blank line
            handle: "@maya"
          - text: 'single ''quoted'' text #ad'
            title: "double \\"quoted\\" title"
            market: US
            paid_partnership: yes
            followers: 1200
          - text: plain flowing
              text over lines
        """)
    posts, rejected, _ = read(Path("brief.yml"))
    assert rejected == []
    knit, second, third = posts
    assert knit.id == "brief.yml#knit" and second.id == "brief.yml#2" and third.id == "brief.yml#3"
    assert [post.origin.positional for post in posts] == [False, True, True]
    assert knit.author == "@maya" and knit.market == ("GB",) and knit.brand == "Marlowe"
    assert knit.text.startswith("Ad | autumn") and "  indented line" in knit.text
    assert second.market == ("US",) and second.paid_partnership is True and second.followers == 1200
    assert second.text == "single 'quoted' text #ad" and second.title == 'double "quoted" title'
    assert knit.origin.line == 5
    assert_every_word_located(knit)
    # Quoted scalars: exact up to the first escape on a line; the line stays exact after it.
    assert source_at(second, "text", 0, 6) == "single"
    assert offset_position(second, "text", second.text.index("#ad"))[0] == 13
    assert source_at(second, "title", 0, 6) == "double"
    # A plain scalar folded over lines: the line where it starts is exact.
    assert source_at(third, "text", 0, 5) == "plain"


def test_yaml_directives_belong_to_the_post_they_sit_in_or_the_next(tmp_path):
    path = write(tmp_path, "brief.yaml", """\
        # clearlabel: disable=R0 reason="before the first post"
        - text: |
            first #ad
            # clearlabel: not a comment, part of the text
          # clearlabel: disable=R1 reason="indented with the first post"
        # clearlabel: disable=R2 reason="at the list's margin: the next post"
        - text: "second # clearlabel: inside a string"  # clearlabel: disable=R3 reason="same line"
        """)
    posts, rejected, suppressions = read(path)
    assert rejected == []
    first, second = posts
    assert "# clearlabel: not a comment" in first.text
    assert [s.rules for s in suppressions[first.id]] == [("R0",), ("R1",)]
    assert [s.rules for s in suppressions[second.id]] == [("R2",), ("R3",)]


def test_json_brief_positions_with_escapes(tmp_path):
    path = write(tmp_path, "brief.json", json.dumps({
        "market": "DE",
        "posts": [
            {"id": "a", "platform": "instagram",
             "text": "Werbung | Erster Tag\n\nmit @panforge 🍳 und \"Code\" KITCH10"},
            {"description": "zweiter Beitrag #ad", "title": "Titel"},
        ],
    }, indent=2, ensure_ascii=False))
    posts, rejected, _ = read(path)
    assert rejected == []
    first, second = posts
    assert first.id.endswith("brief.json#a") and first.market == ("DE",)
    assert second.text == "zweiter Beitrag #ad"
    for word in ("Werbung", "mit", "@panforge", "🍳"):
        assert source_at(first, "text", first.text.index(word), len(word)) == word
    assert source_at(second, "title", 0, 5) == "Titel"


def test_json_position_reader_handles_non_ascii_escapes(tmp_path):
    path = write(tmp_path, "b.json", '[{"text": "caf\\u00e9\\nline two \\ud83d\\ude00 #ad"}]')
    [post], rejected, _ = read(path)
    assert post.text == "café\nline two 😀 #ad"
    assert source_at(post, "text", post.text.index("line"), 4) == "line"


@pytest.mark.parametrize("name, text, line, reason", [
    ("a.yml", "- text: hi\n  platfrom: x\n", 2, "unknown field 'platfrom'"),
    ("a.yml", "- text: hi\n  platform: myspace\n", 2, "platform"),
    ("a.yml", "- text: hi\n  market: GBR\n", 2, "two-letter"),
    ("a.yml", "- text: hi\n  followers: many\n", 2, "whole number"),
    ("a.yml", "- title: ''\n", 1, "no text"),
    ("a.yml", "- text: hi\n  caption: again\n", 2, "repeats"),
    ("a.yml", "- text: [hi\n", 2, "invalid YAML"),
    ("a.yml", "posts: 3\n", 1, "posts:"),
    ("a.yml", "[]\n", 1, "no posts"),
    ("a.json", '[{"text": "hi",}]', 1, "invalid JSON"),
    ("a.json", '[{"text": "a", "text": "b"}]', 1, "duplicate key"),
    ("a.md", "---\nplatform: x\n", 1, "never closed"),
    ("a.md", "---\ntext: x\n---\nbody\n", 2, "'text' cannot be given in front matter"),
    ("a.md", "---\nplaform: x\n---\nbody\n", 2, "unknown field 'plaform' in front matter (did you mean 'platform'?)"),
    ("a.yml", "- text: hi\n  titel: x\n", 2, "(did you mean 'title'?)"),
    ("a.md", "---\nid: one\n---\nfirst\n---\nsecond\n", 2, "front matter 'id' names a single post"),
    ("a.txt", "\n\n", 1, "no post text"),
])
def test_bad_drafts_are_rejected_with_line(tmp_path, name, text, line, reason):
    posts, rejected, _ = read(write(tmp_path, name, text))
    assert posts == []
    assert rejected[0].line == line and reason in rejected[0].reason, rejected


def test_one_bad_post_does_not_hide_the_others(tmp_path):
    posts, rejected, _ = read(write(tmp_path, "a.yml", "- text: 'ok #ad'\n- text: x\n  format: tweet\n- text: fine\n"))
    assert [post.text for post in posts] == ["ok #ad", "fine"]
    assert [r.line for r in rejected] == [3]


def test_directory_walk_skips_hidden_and_other_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "drafts/b.md", "---\n---\nb")
    write(tmp_path, "drafts/sub/a.txt", "a")
    write(tmp_path, "drafts/.hidden.md", "---\n---\nh")
    write(tmp_path, "drafts/.git/c.md", "---\n---\nc")
    write(tmp_path, "drafts/notes.docx", "x")
    write(tmp_path, "drafts/README.md", "# How we write drafts\nUse code WELCOME10 in examples.\n")
    skipped: list = []
    posts, rejected, _ = read(Path("drafts"), Path("drafts/b.md"), skipped=skipped)
    assert [post.id for post in posts] == ["drafts/b.md#1", "drafts/sub/a.txt#1"]
    assert rejected == []
    assert {item.path: item.reason.split(" (")[0] for item in skipped} == {
        "drafts/README.md": "Markdown without front matter: not a draft",
        "drafts/notes.docx": "not a draft file"}
    posts, rejected, _ = read(Path("drafts/notes.docx"), Path("missing"))
    assert [(r.path, r.line) for r in rejected] == [("drafts/notes.docx", 0), ("missing", 0)]


def test_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"caf\xe9 #ad")
    _, rejected, _ = read(path)
    assert "UTF-8" in rejected[0].reason


def test_bom_and_crlf(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes("\ufeff---\r\nmarket: GB\r\n---\r\nline one\r\nline two #ad\r\n".encode())
    [post], _, _ = read(path)
    assert post.text == "line one\nline two #ad" and post.market == ("GB",)
    assert span_location(post, Span("text", post.text.index("#ad"), post.text.index("#ad") + 3, "#ad")) == (5, 10)


def test_finding_location_without_field_positions():
    post = Post(id="p", text="hello #ad", origin=Origin("export.jsonl", 7))
    finding = Finding("R", Severity.ERROR, "GB", Verdict.UNDISCLOSED, "m", "c", "f", (Span("text", 6, 9, "#ad"),))
    location = finding_location(post, finding)
    assert (location.path, location.line, location.column) == ("export.jsonl", 7, None)
    assert span_location(post, finding.spans[0]) == (7, 1)
    bare = Post(id="p", text="x")
    assert finding_location(bare, finding).path is None


# Property: whatever the text, every word maps back to itself in the file.

_WORD = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs"),
                                       blacklist_characters="\\\"'#<>-:{}[],&*!|%@`?\u0085\ufeff"),
                min_size=1, max_size=8)
_LINE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_TEXT = st.lists(_LINE, min_size=1, max_size=4).map("\n".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, style=st.sampled_from(["md", "yaml-literal", "json"]))
def test_any_text_maps_back_to_the_file(tmp_path, text, style):
    if style == "md":
        path = tmp_path / "p.md"
        path.write_text(f"---\nmarket: GB\n---\n{text}\n", encoding="utf-8")
    elif style == "yaml-literal":
        path = tmp_path / "p.yml"
        body = "\n".join("      " + line for line in text.split("\n"))
        path.write_text(f"- market: GB\n  text: |-\n{body}\n", encoding="utf-8")
    else:
        path = tmp_path / "p.json"
        path.write_text(json.dumps([{"text": text}], ensure_ascii=False), encoding="utf-8")
    [post], rejected, _ = read(path)
    assert post.text == text
    assert_every_word_located(post)


@pytest.mark.parametrize("text, line", [
    ("- text: loving it #ad\n", 1),
    ("- text: loving it\n  #ad #spon\n- text: next\n", 2),
    ("- title: launch\n  text: 'ok'\n  caption2: x\n", None),
])
def test_hashtag_taken_for_yaml_comment_is_refused(tmp_path, text, line):
    posts, rejected, _ = read(write(tmp_path, "a.yml", text))
    if line is None:
        assert "unknown field" in rejected[0].reason
        return
    assert rejected[0].line == line and "comment" in rejected[0].reason


def test_ordinary_yaml_comments_after_values_are_fine(tmp_path):
    text = "- text: hello  # a note\n  # another note\n  brand: Glow # client\n"
    posts, rejected, _ = read(write(tmp_path, "a.yml", text))
    assert rejected == [] and posts[0].text == "hello" and posts[0].brand == "Glow"
