"""Outputs stay valid and safe whatever strangers write in their posts.

Post text may hold lone surrogates (JSON escapes them: "\\ud800"), NUL, the
line and paragraph separators, bidirectional controls ("Trojan Source") and
terminal escape sequences; handles may be paths. Every format must still be
valid (strict UTF-8; JSON that parses back to the same text; SARIF that
passes the OASIS schema; XML that parses), terminal output must carry no
control sequence from a post, and reports must stay inside their directory,
escape everything, carry a Content-Security-Policy and never replace a file
clearlabel did not write.
"""
from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
import xml.etree.ElementTree as ElementTree
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from checker import cli_run
from checker.cli import main
from checker.model import Post, PostResult, Summary, Verdict
from checker.packs import load_ruleset
from checker.reporters.base import ReportContext, printable
from checker.reporters.json_out import JsonLinesReporter, JsonReporter
from checker.reporters.sarif import SarifReporter
from checker.serialize import json_dumps

SARIF_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
NASTY = ("lone \ud800 and \udfff, NUL \u0000, LS \u2028 PS \u2029, RLO \u202e bidi \u2066 isolate \u2069, "
         "ESC \u001b[2J\u001b]0;pwned\u0007, CR \r, C1 \u0085\u009b, BOM \ufeff, <script>alert(1)</script> & \"q\" 'a'")
RAW_FORBIDDEN = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@cache
def _bundled_rules():
    return load_ruleset()


@pytest.fixture(scope="module", autouse=True)
def _rules_loaded_once():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_run, "load_ruleset", lambda dirs=(), **kw: _bundled_rules() if not dirs else load_ruleset(dirs, **kw))
        yield


def _posts() -> list[dict]:
    return [
        {"id": "nasty-1", "author": "maya", "text": f"#ad @glowco sent me this {NASTY} use code MAYA15",
         "title": NASTY, "market": ["US", "GB"]},
        {"id": "nasty-\u202e2\ud800", "author": "../../etc/passwd", "text": f"{NASTY} @glowco sent me this",
         "market": ["US"]},
        {"id": "formula", "author": "=HYPERLINK(\"http://evil\",\"x\")",
         "text": "=1+2 @glowco sent me this, code MAYA15", "url": "javascript:alert(1)", "market": ["US"]},
        {"id": "quiet", "author": "\u001b[31mred\u001b[0m", "text": f"{NASTY} nothing commercial", "market": ["US"]},
    ]


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("in") / "posts.jsonl"
    # json.dumps escapes every control and surrogate, as real exports do.
    path.write_text("".join(json.dumps(post) + "\n" for post in _posts()), encoding="ascii")
    return path


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _strict_utf8(data: str) -> str:
    return data.encode("utf-8", "strict").decode("utf-8")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif"])
def test_json_formats_are_valid_and_keep_the_text_exactly(export, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = _run("audit", str(export), "--format", fmt, "-o", str(out), "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes().decode("utf-8", "strict")             # valid UTF-8: no raw surrogate
    assert not RAW_FORBIDDEN.search(raw)                         # controls, separators, bidi all escaped
    documents = [json.loads(line) for line in raw.splitlines()] if fmt == "jsonl" else [json.loads(raw)]
    if fmt == "sarif":
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(documents[0])
        snippets = [r["locations"][0]["physicalLocation"]["region"].get("snippet", {}).get("text")
                    for r in documents[0]["runs"][0]["results"] if "physicalLocation" in r["locations"][0]]
        assert snippets is not None
        return
    posts = [d for d in documents if d.get("type") == "post"] if fmt == "jsonl" else documents[0]["posts"]
    by_id = {post["id"]: post for post in posts}
    for original in _posts():
        written = by_id[original["id"]]["post"]
        assert written["text"] == original["text"] and written["author"] == original["author"]
        for item in by_id[original["id"]]["labels"] + by_id[original["id"]]["evidence"]:
            if item["span"]:
                field = written[item["span"]["field"]]
                assert field[item["span"]["start"]:item["span"]["end"]] == item["span"]["text"]


def test_reporters_given_any_text_write_valid_json_and_sarif():
    """The reporters themselves, not only the command: a post built in code."""
    post = Post(id="p\ud800", text=NASTY, author="\udcff", market=("US",))
    result = PostResult(post=post, verdict=Verdict.NO_EVIDENCE)
    for reporter_class in (JsonReporter, JsonLinesReporter, SarifReporter):
        stream = io.StringIO()
        reporter = reporter_class(ReportContext(stream=stream, rules={}, tool_version="t"))
        reporter.post(result)
        reporter.finish(Summary())
        text = _strict_utf8(stream.getvalue())
        assert not RAW_FORBIDDEN.search(text)
        for line in (text.splitlines() if reporter_class is JsonLinesReporter else [text]):
            json.loads(line)


@pytest.mark.parametrize("value", ["\ud800", "\udc80\ud800", "\u2028", "\u202e", "\x00", "\x85", "😀", "e\u0301"])
def test_json_dumps_round_trips(value):
    written = json_dumps({"v": value})
    written.encode("utf-8", "strict")
    assert json.loads(written) == {"v": value}
    assert len(written.splitlines()) == 1


def test_json_dumps_of_a_surrogate_pair_spelled_as_two_code_points():
    # Only code can build such a string (JSON input joins an escaped pair
    # into one character); JSON has no way to keep the two apart.
    assert json.loads(json_dumps("a\ud83d\ude00b")) == "a😀b"


@pytest.mark.parametrize("fmt", ["text", "github", "junit"])
def test_text_formats_never_crash_and_carry_no_control_sequences(export, fmt):
    result = _run("audit", str(export), "--format", fmt, "--fail-on", "never", "--no-color")
    assert result.exit_code == 0, result.stderr
    out = _strict_utf8(result.stdout)
    assert "\x1b" not in out and "\u202e" not in out and "\u2066" not in out and "\x9b" not in out
    if fmt == "junit":
        ElementTree.fromstring(out)
    if fmt == "text":
        assert "\\x1b" in out and "\\u202e" in out        # shown, as escapes


def test_printable_escapes_what_a_terminal_would_obey():
    assert printable("a\x1b[2Jb\u202ec\ud800\rd\te\nf") == "a\\x1b[2Jb\\u202ec\\ud800\\rd\te\nf"
    assert printable("plain ünïcode 😀 #ad") == "plain ünïcode 😀 #ad"


def test_stderr_messages_carry_no_control_sequences(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "hi", "language": "e\u001b]0;pwned\u0007n"}) + "\n"
                    + json.dumps({"id": "y\u001b[2J", "text": "hi"}) + "\n"
                    + json.dumps({"id": "y\u001b[2J", "text": "hi"}) + "\n", encoding="ascii")
    result = _run("audit", str(path), "--market", "US", "--format", "jsonl")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert f"{path}:1" in result.stderr and "warning" in result.stderr


# --------------------------------------------------------------------------- reports

@pytest.fixture(scope="module")
def reports(export, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "out"
    result = _run("audit", str(export), "--format", "jsonl", "-o", str(out.parent / "audit.jsonl"),
                  "--report-dir", str(out), "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    return out


def test_reports_stay_inside_their_directory_under_safe_names(reports):
    root = reports.resolve()
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert len(files) >= 3 + 2 * 3
    for path in files:
        assert root in path.resolve().parents
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", path.name), path.name
    assert not (root.parent / "etc").exists()


def test_html_reports_escape_text_and_carry_a_strict_policy(reports):
    for page in reports.rglob("*.html"):
        html = _strict_utf8(page.read_text(encoding="utf-8"))
        head = html[:html.index("</head>")]
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', head)
        assert policy and "default-src 'none'" in unescape(policy.group(1))
        assert "'unsafe-inline'" not in unescape(policy.group(1))
        assert "<script>alert(1)</script>" not in html
        assert 'href="javascript' not in html
        assert "\x00" not in html and "\x1b" not in html


def test_csv_cells_cannot_become_formulas(reports):
    rows = list(csv.reader(io.StringIO((reports / "findings.csv").read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells, "the fixture posts have findings"
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


def test_markdown_reports_escape_markup(reports):
    for page in reports.rglob("*.md"):
        text = _strict_utf8(page.read_text(encoding="utf-8"))
        assert "<script>" not in text


def test_a_file_clearlabel_did_not_write_is_never_replaced(export, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    precious = out / "index.html"
    precious.write_text("<html>someone else's page</html>", encoding="utf-8")
    result = _run("audit", str(export), "--format", "jsonl", "-o", str(tmp_path / "a.jsonl"), "--report-dir", str(out))
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.stderr and "index.html" in result.stderr
    assert precious.read_text(encoding="utf-8") == "<html>someone else's page</html>"
    assert not (out / "influencers").exists()           # checked before anything was written


def test_reports_are_not_written_through_a_symbolic_link(export, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "influencers").symlink_to(outside, target_is_directory=True)
    result = _run("audit", str(export), "--format", "jsonl", "-o", str(tmp_path / "a.jsonl"), "--report-dir", str(out))
    assert result.exit_code == 2
    assert list(outside.iterdir()) == []
