"""The HTML, Markdown and CSV audit reports, rendered from a hand-written
fixture audit and checked by parsing what was written."""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.model import (
    Evidence, Label, LabelStatus, Post, PostResult, RuleInfo, Severity, Span, Strength, Verdict,
)
from checker.reporters import csv_export, markdown
from checker.reporters.html import HTML_MARKER, ReportError, write_reports
from checker.reporters.report_data import (
    Mark, build_post_view, follower_tier, group_results, http_url, month_buckets, segment,
)
from checker.reporters.templates_path import default_templates
from checker.safe_paths import OutputDir, OutputError, safe_filename
from checker.serialize import result_from_dict

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
PACKS = ("uk@2024.2", "us@2024.1", "de@2023.4", "core@1.0")
XSS_TITLE = "document.title='pwned'"


# --- fixture loading ------------------------------------------------------------

def load_results() -> list[PostResult]:
    lines = (FIXTURES / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [result_from_dict(json.loads(line)) for line in lines if line.strip()]


def load_rules() -> dict[str, RuleInfo]:
    rules = {}
    for item in json.loads((FIXTURES / "rules.json").read_text(encoding="utf-8")):
        item = {**item, "severity": Severity(item["severity"]), "verdict": Verdict(item["verdict"])}
        rules[item["id"]] = RuleInfo(**item)
    return rules


def render(out: Path, results: list[PostResult] | None = None, **options):
    return write_reports(
        load_results() if results is None else results, out, rules=load_rules(), packs=PACKS,
        tool_version="9.9.9", audit_date="2024-07-01", **options,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return render(out)


def page_of(report, handle: str) -> Path:
    return next(item.html for item in report.influencers if item.handle == handle)


# --- a small DOM over html.parser ----------------------------------------------------

VOID = {"meta", "link", "br", "hr", "img", "input", "source", "wbr", "area", "base", "col", "embed", "track"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)
    parent: Node | None = None

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [node for node in self.iter()
                if (tag is None or node.tag == tag)
                and (cls is None or cls in node.attrs.get("class", "").split())]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}>"
        return found[0]

    def by_id(self, ident: str) -> Node:
        return next(node for node in self.iter() if node.attrs.get("id") == ident)


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        assert node is not self.root, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(path: Path) -> Node:
    builder = TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    assert builder.current is builder.root, "unclosed elements"
    return builder.root


def article(dom: Node, post_id: str) -> Node:
    for node in dom.find_all("article", "post"):
        if node.find("span", "post-id").text() == post_id:
            return node
    raise AssertionError(f"no article for {post_id}")


def cell_texts(row: Node) -> list[str]:
    return [" ".join(cell.text().split()) for cell in row.children if isinstance(cell, Node) and cell.tag in ("td", "th")]


# --- the fixture itself ---------------------------------------------------------------

def test_fixture_spans_point_at_their_text():
    for result in load_results():
        spans = [e.span for e in result.evidence] + [label.span for label in result.labels]
        spans += [span for finding in result.findings for span in finding.spans]
        for span in filter(None, spans):
            assert result.post.field_text(span.field)[span.start:span.end] == span.text


# --- files and names ----------------------------------------------------------------------

def test_writes_every_page_inside_the_output_directory(report):
    out = report.out_dir
    assert {p.relative_to(out).as_posix() for p in report.files} >= {"index.html", "index.md", "findings.csv"}
    assert len(report.influencers) == 5
    for path in report.files:
        assert path.resolve().is_relative_to(out)
        assert path.is_file()
    written = {p.resolve() for p in out.rglob("*") if p.is_file()}
    assert written == {p.resolve() for p in report.files}


def test_hostile_handles_become_safe_file_names(report):
    names = {item.handle: item.html.name for item in report.influencers}
    assert names["@maya.moves"] == "maya.moves.html"
    assert "/" not in names["../../etc/x"] and ".." not in names["../../etc/x"]
    assert names["../../etc/x"].startswith("etc_x-")
    assert names["con"].split(".")[0] != "con"
    for item in report.influencers:
        assert item.html.parent == report.out_dir / "influencers"
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*\.html", item.html.name)


@pytest.mark.parametrize("name", ["../../etc/x", "con", "CON", "aux.txt", "", "..", ".hidden", "a/b", "a\\b",
                                  "日本語", "x" * 500, "nul.", "maya moves", "@maya", "-rf"])
def test_safe_filename_is_one_portable_component(name):
    result = safe_filename(name)
    assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", result)
    assert result.split(".")[0] not in {"con", "prn", "aux", "nul"}
    assert len(result) <= 72


def test_safe_filename_keeps_safe_names_and_separates_the_rest():
    assert safe_filename("maya.moves") == "maya.moves"
    assert safe_filename("Maya") != safe_filename("maya")
    assert safe_filename("a/b") != safe_filename("a_b")
    assert safe_filename("../../etc/x", ".html").endswith(".html")


def test_output_dir_refuses_paths_that_climb_out(tmp_path):
    out = OutputDir(tmp_path / "out")
    for parts in ((".."), ("..", "x"), ("a/b",), ("/etc/passwd",), ("",), ("influencers", "../x")):
        with pytest.raises(OutputError):
            out.path(*parts)


# --- the index ----------------------------------------------------------------------

def test_index_counts(report):
    dom = parse(report.index_html)
    table = dom.by_id("influencers")
    headers = cell_texts(table.find("thead").find("tr"))
    assert headers[:6] == ["Influencer", "Platforms", "Tier", "Posts", "With strong evidence", "Disclosure rate"]
    rows = {cells[0]: dict(zip(headers, cells)) for cells in map(cell_texts, table.find("tbody").find_all("tr"))}
    assert set(rows) == {"@maya.moves", "con", "../../etc/x", "(unknown)", "@quiet.days"}
    maya = rows["@maya.moves"]
    assert maya["Platforms"] == "instagram, tiktok"
    assert maya["Tier"] == "micro (46,000 on instagram)"
    # The post with only weak evidence (left for review) is not in the rate's denominator.
    assert (maya["Posts"], maya["With strong evidence"], maya["Disclosure rate"]) == ("6", "4", "25%")
    assert [maya[h] for h in ("Undisclosed", "Inadequate", "Needs review", "Disclosed", "No evidence")] == \
        ["2", "1", "1", "1", "1"]
    assert maya["Markets"] == "GB, US"
    assert rows["con"]["Tier"].startswith("nano") and rows["con"]["Disclosure rate"] == "50%"
    assert rows["../../etc/x"]["Tier"].startswith("macro")
    assert rows["@quiet.days"]["Disclosure rate"] == "—" and rows["@quiet.days"]["Tier"] == "unknown"
    # The worst influencer comes first.
    first = cell_texts(table.find("tbody").find("tr"))[0]
    assert first == "@maya.moves"


def test_index_totals_and_chart(report):
    dom = parse(report.index_html)
    stats = {" ".join(li.find("span", "name").text().split()): li.find("span", "value").text()
             for li in dom.find_all("li", "stat")}
    assert stats["posts audited"] == "14"
    assert stats["with strong or known evidence"] == "7"
    assert stats["disclosure rate (disclosed ÷ with strong or known evidence)"] == "29%"
    assert stats["✕ Undisclosed"] == "3"
    assert stats["– No evidence"] == "5"
    svg = dom.find("svg")
    assert svg.attrs["role"] == "img"
    bars = svg.find_all("rect", "bar")
    assert sum(int(re.search(r": (\d+) ", bar.find("title").text()).group(1)) for bar in bars) == 14
    links = {a.attrs["href"] for a in dom.find_all("a")}
    for item in report.influencers:
        assert f"influencers/{item.html.name}" in links


def test_follower_tiers():
    assert [follower_tier(n) for n in (None, 0, 999, 1_000, 99_999, 100_000, 1_000_000, 1_000_001)] == \
        ["unknown", "nano", "nano", "micro", "micro", "macro", "macro", "mega"]


# --- an influencer page ---------------------------------------------------------------

def test_influencer_header_and_summary(report):
    dom = parse(page_of(report, "@maya.moves"))
    assert dom.find("h1").text() == "@maya.moves"
    facts = {node.find("dt").text(): " ".join(node.find("dd").text().split())
             for node in dom.find("dl", "facts").find_all("div")}
    assert facts["Follower tier"] == "micro (46,000 followers on instagram, the largest platform)"
    assert facts["Period covered"] == "2024-01-14 to 2024-06-21"
    assert facts["Markets"] == "GB, US"
    assert facts["Rule packs"].startswith("4 packs, versions 1.0, 2023.4, 2024.1, 2024.2")
    packs = dom.find("dl", "facts").find("details", "packs")
    assert packs.find("summary").text() == "Which packs"
    assert packs.text().endswith(", ".join(PACKS))
    assert facts["Audit date"] == "2024-07-01"
    assert facts["Tool"] == "clearlabel 9.9.9"
    months = [row.find("th").text() for row in dom.find("table", "sr-only").find("tbody").find_all("tr")]
    assert months == ["2024-01", "2024-02", "2024-03", "2024-05", "2024-06"]


def test_posts_needing_attention_are_shown_in_full(report):
    dom = parse(page_of(report, "@maya.moves"))
    articles = dom.find_all("article", "post")
    assert [a.find("span", "post-id").text() for a in articles] == ["ig-1001", "ig-1004", "ig-1002", "tt-2002"]
    for node in articles:
        badge = node.find("span", "badge").text()
        assert any(word in badge for word in ("Undisclosed", "Inadequate", "Needs review"))
    first = article(dom, "ig-1001")
    findings = first.find_all("div", "finding")
    assert [f.find("code").text() for f in findings] == ["GB-UNDISCLOSED", "US-UNDISCLOSED"]
    details = {dt.text(): dd.text() for dt, dd in zip(findings[0].find_all("dt"), findings[0].find_all("dd"))}
    assert details["Regulation"] == "CAP Code 2.1 and 2.4; CPRs 2008 Sch. 1 para 11"
    assert details["Suggested fix"] == 'Put "#ad" or "Advert" at the start of the caption.'
    compact = dom.by_id("other-h").parent.find("tbody").find_all("tr")
    assert [cell_texts(row)[1] for row in compact] == ["ig-1003", "tt-2001"]


def test_highlights_mark_evidence_labels_and_findings_in_place(report):
    dom = parse(page_of(report, "@maya.moves"))
    text_node = article(dom, "ig-1001").find("p", "post-text")
    marks = [(m.text(), set(m.attrs["class"].split())) for m in text_node.find_all("mark")]
    assert ("code ", {"hl", "hl-evidence"}) in marks
    assert ("MAYA15", {"hl", "hl-evidence", "hl-finding"}) in marks
    assert ("https://glow.example/serum?ref=maya", {"hl", "hl-evidence", "hl-finding"}) in marks
    refs = [sup.text() for sup in text_node.find_all("sup")]
    assert refs == ["E3", "E1", "F1", "F2", "E2", "F1"]
    # Without the reference markers the text is the post's text, character for character.
    for sup in text_node.find_all("sup"):
        sup.parent.children.remove(sup)
    original = next(r.post.text for r in load_results() if r.post.id == "ig-1001")
    assert text_node.text() == original

    overlapping = article(dom, "ig-1002").find("p", "post-text")
    runs = [(m.text(), set(m.attrs["class"].split()) - {"hl"}) for m in overlapping.find_all("mark")]
    assert ("#fitfuel", {"hl-evidence"}) in runs
    assert ("partner", {"hl-evidence", "hl-label"}) in runs
    assert ("#sp", {"hl-label", "hl-finding"}) in runs
    assert all(m.attrs.get("title") for m in overlapping.find_all("mark"))


def test_every_text_field_is_shown_and_highlighted(report):
    dom = parse(page_of(report, "../../etc/x"))
    post = article(dom, "yt-3001")
    names = [p.text() for p in post.find_all("p", "field-name")]
    assert names == ["Title", "Text", "Transcript"]
    title, _, transcript = post.find_all("p", "post-text")
    assert [m.text() for m in title.find_all("mark")] == ["#ad"]
    assert [m.text() for m in transcript.find_all("mark")] == ["NordFit", "Kooperation"]


def test_suppressed_findings_are_marked(report):
    dom = parse(page_of(report, "(unknown)"))
    finding = dom.find("div", "finding")
    assert "suppressed" in finding.attrs["class"].split()
    assert "agreed with legal" in finding.text()


def test_rules_appendix_lists_fired_and_checked_rules(report):
    dom = parse(page_of(report, "@maya.moves"))
    section = dom.by_id("rules-h").parent
    fired = [div.find("code").text() for div in section.find_all("div", "rule")]
    assert fired == ["GB-AMBIGUOUS", "GB-UNDISCLOSED", "US-REVIEW-TAG", "US-UNDISCLOSED"]
    checked = [cell_texts(row)[0] for row in section.find("tbody").find_all("tr")]
    assert checked == ["ANY-OBFUSCATED", "GB-AFTER-FOLD"]     # DE rules do not apply to GB/US posts


# --- safety of the pages ----------------------------------------------------------------

def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("handle", [None, "@maya.moves", "con", "../../etc/x"])
def test_pages_are_self_contained_under_a_strict_policy(report, handle):
    path = report.index_html if handle is None else page_of(report, handle)
    dom = parse(path)
    metas = {m.attrs.get("name") or m.attrs.get("http-equiv"): m.attrs.get("content") for m in dom.find_all("meta")}
    assert metas["generator"] == "clearlabel 9.9.9"
    policy = dict(part.strip().split(" ", 1) for part in metas["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["img-src"] == "data:"
    scripts, styles = dom.find_all("script"), dom.find_all("style")
    assert len(scripts) == 1 and len(styles) == 1
    assert policy["script-src"] == _hash(scripts[0].text())
    assert policy["style-src"] == _hash(styles[0].text())
    for node in dom.iter():
        assert node.tag not in ("img", "iframe", "object", "embed", "link", "base", "form")
        assert "style" not in node.attrs, "inline style attributes would be blocked by the policy"
        for name, value in node.attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{node.tag}>"
            if name in ("href", "src", "action", "xlink:href"):
                assert not value.strip().lower().startswith(("javascript:", "data:", "//")), value
                assert value.startswith(("https://", "http://", "influencers/", "../", "index", "findings", "#")) \
                    or re.fullmatch(r"[a-z0-9._-]+\.(html|md|csv)", value), value


def test_hostile_post_text_renders_as_text(report):
    dom = parse(page_of(report, "@maya.moves"))
    assert dom.find("title").text().startswith("@maya.moves")
    scripted = article(dom, "ig-1002").find("p", "post-text").text()
    assert f"<script>{XSS_TITLE}</script>" in scripted
    markup = article(dom, "ig-1004")
    assert '<img src=x onerror=alert(1)> grab yours <a href="javascript:alert(2)">here</a>' in markup.text()
    assert "javascript:alert(4)" in markup.find("p", "post-meta").text()   # the post's own url, as text
    assert not [a for a in markup.find_all("a") if "javascript" in a.attrs.get("href", "")]
    raw = page_of(report, "@maya.moves").read_text(encoding="utf-8")
    assert "<script>document" not in raw and "<img" not in raw


def test_print_styles_and_accessible_structure(report):
    dom = parse(page_of(report, "@maya.moves"))
    assert dom.find("html").attrs["lang"] == "en"
    assert "@media print" in dom.find("style").text()
    assert len(dom.find_all("h1")) == 1
    for table in dom.find_all("table"):
        assert all(th.attrs.get("scope") in ("col", "row") for th in table.find_all("th"))
    for badge in dom.find_all("span", "badge"):
        assert badge.text().strip().split(" ", 1)[1] in ("Undisclosed", "Inadequate", "Needs review",
                                                           "Disclosed", "No evidence")


# --- Markdown -----------------------------------------------------------------------------

def test_markdown_index_lists_every_influencer(report):
    text = report.index_markdown.read_text(encoding="utf-8")
    assert text.startswith(markdown.MARKER)
    table = text.split("## Influencers", 1)[1].split("## Flagged posts", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| [")]
    assert len(rows) == 5
    maya = next(row for row in rows if "maya.moves" in row)
    cells = [cell.strip() for cell in maya.strip("|").split("|")]
    assert cells[0] == r"[\@maya.moves](influencers/maya.moves.md)"
    assert cells[2] == "micro (46,000 on instagram)"
    assert cells[3:12] == ["6", "4", "25%", "2", "1", "1", "1", "1", "GB, US"]


def test_markdown_page_escapes_post_text(report):
    md = next(item.markdown for item in report.influencers if item.handle == "@maya.moves").read_text("utf-8")
    assert r"\<script\>document.title='pwned'\</script\>" in md
    lines = md.splitlines()[1:]          # after the generator comment
    body = "\n".join(line[2:] if line.startswith("> ") else line for line in lines)   # quote markers
    assert not re.search(r"(?<!\\)[<>]", body), "unescaped angle bracket"
    assert "](javascript" not in md
    assert r"**code MAYA15**\[E1\]\[F1\]\[F2\]" in md
    assert "Regulation: CAP Code 2.1 and 2.4; CPRs 2008 Sch. 1 para 11" in md
    hostile = next(item.markdown for item in report.influencers if item.handle == "../../etc/x").read_text("utf-8")
    assert r"> \=HYPERLINK(" in hostile


@pytest.mark.parametrize("raw, expected", [
    ("*bold* _it_ `code`", r"\*bold\* \_it\_ \`code\`"),
    ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
    ("<b>&amp;</b>", r"\<b\>\&amp;\</b\>"),
    ("a | b", r"a \| b"),
    ("# heading", r"\# heading"),
    ("- item", r"\- item"),
    ("1. item", r"1\. item"),
    ("0.1.0", "0.1.0"),
    ("two\nlines", "two lines"),
    ("@brand", r"\@brand"),
])
def test_markdown_escape(raw, expected):
    assert markdown.escape(raw) == expected


# --- CSV ------------------------------------------------------------------------------------

def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_findings_csv_has_one_row_per_finding(report):
    header, *rows = read_csv(report.findings_csv)
    assert tuple(header) == csv_export.COLUMNS
    expected = sum(len(r.findings) for r in load_results())
    assert len(rows) == expected == 10
    by = [dict(zip(header, row)) for row in rows]
    maya = [row for row in by if row["influencer"] == "@maya.moves"]     # a bare handle needs no apostrophe
    assert len(maya) == 6
    first = maya[0]
    assert (first["post_id"], first["rule"], first["market"], first["severity"]) == \
        ("ig-1001", "GB-UNDISCLOSED", "GB", "error")
    assert "MAYA15" in first["spans"]
    suppressed = [row for row in by if row["suppressed"]]
    assert len(suppressed) == 1 and suppressed[0]["influencer"] == "(unknown)"


def test_csv_cells_cannot_run_as_formulas(report):
    rows = read_csv(report.findings_csv)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(r"@[\w.]+", cell), cell
    ids = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in ids


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "@x y", "@a+1"])
def test_neutralise(value):
    assert csv_export.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["@maya.moves", "@sam_x", "maya", "  =1", "a=b", ""])
def test_only_cells_starting_with_a_formula_character_are_escaped(value):
    assert csv_export.neutralise(value) == value


# --- overwriting, rerunning, odd inputs ---------------------------------------------------------

def test_rerunning_replaces_its_own_reports(tmp_path):
    first = render(tmp_path / "out")
    second = render(tmp_path / "out")
    assert [p.name for p in first.files] == [p.name for p in second.files]


@pytest.mark.parametrize("name, content", [
    ("index.html", "<html><body>the agency's own page</body></html>"),
    ("index.md", "# Notes\n"),
    ("findings.csv", "a,b\n1,2\n"),
    ("influencers/maya.moves.html", "<!DOCTYPE html><p>mine</p>"),
])
def test_refuses_to_overwrite_files_it_did_not_write(tmp_path, name, content):
    out = tmp_path / "out"
    target = out / name
    target.parent.mkdir(parents=True)
    target.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError, match="not written by clearlabel"):
        render(out)
    assert target.read_text(encoding="utf-8") == content
    assert sorted(p for p in out.rglob("*") if p.is_file()) == [target]   # nothing else was written


def test_refuses_to_write_through_a_symlinked_directory(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "influencers").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ReportError):
        render(out)
    assert list(outside.iterdir()) == []


def test_refuses_to_write_through_a_symlinked_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("keep me", encoding="utf-8")
    (out / "index.html").symlink_to(victim)
    with pytest.raises(ReportError, match="symbolic link"):
        render(out)
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_zero_findings(tmp_path):
    quiet = [r for r in load_results() if r.post.author == "@quiet.days"]
    report = render(tmp_path / "out", quiet)
    dom = parse(report.influencers[0].html)
    assert "No post needs attention" in dom.by_id("attention-h").parent.text()
    assert dom.find_all("article") == []
    assert "No rule produced a finding" in dom.by_id("rules-h").parent.text()
    header, *rows = read_csv(report.findings_csv)
    assert rows == []


def test_no_posts_at_all(tmp_path):
    report = render(tmp_path / "out", [])
    dom = parse(report.index_html)
    assert "No influencers in this audit" in dom.text()
    assert report.influencers == ()


def test_one_influencer_with_ten_thousand_posts(tmp_path):
    template = next(r for r in load_results() if r.post.id == "ig-1001")
    results = []
    for n in range(10_000):
        verdict = (Verdict.UNDISCLOSED, Verdict.NO_EVIDENCE, Verdict.DISCLOSED, Verdict.NO_EVIDENCE)[n % 4]
        post = replace(template.post, id=f"p{n:05d}", posted_at=f"20{10 + n % 14}-{n % 12 + 1:02d}-01")
        findings = template.findings if verdict is Verdict.UNDISCLOSED else []
        results.append(replace(template, post=post, verdict=verdict, findings=list(findings)))
    report = render(tmp_path / "out", results)
    dom = parse(report.influencers[0].html)
    assert len(dom.find_all("article", "post")) == 2_500
    assert len(dom.by_id("other-h").parent.find("tbody").find_all("tr")) == 7_500
    months = [row.find("th").text() for row in dom.find("table", "sr-only").find("tbody").find_all("tr")]
    assert months == sorted({r.post.posted_at[:7] for r in results})
    header, *rows = read_csv(report.findings_csv)
    assert len(rows) == 2_500 * 2


# --- highlighting and aggregation, unit by unit -------------------------------------------

def test_segment_overlaps_and_clipping():
    runs = segment("abcdefgh", [
        Mark(1, 5, "evidence", "E1", "e"), Mark(3, 7, "label", "L1", "l"), Mark(6, 99, "finding", "F1", "f"),
        Mark(-4, 0, "evidence", "E2", "outside"), Mark(5, 5, "label", "L2", "empty"),
    ])
    assert [(r.text, r.kinds, r.ends) for r in runs] == [
        ("a", (), ()),
        ("bc", ("evidence",), ()),
        ("de", ("evidence", "label"), ("E1",)),
        ("f", ("label",), ()),
        ("g", ("label", "finding"), ("L1",)),
        ("h", ("finding",), ("F1",)),
    ]
    assert "".join(r.text for r in runs) == "abcdefgh"
    assert segment("", []) == [] and [r.text for r in segment("plain", [])] == ["plain"]


def test_spans_with_shifted_offsets_are_found_by_their_text():
    post = Post(id="x", text="Use code SAVE10 today")
    shifted = Evidence("discount_code", Strength.STRONG, "code", Span("text", 0, 6, "SAVE10"))
    missing = Label("GB", LabelStatus.ACCEPTED, "ad", Span("text", 0, 3, "#ad"))
    view = build_post_view(PostResult(post, Verdict.UNDISCLOSED, evidence=[shifted], labels=[missing]), {})
    assert [(e.ref, e.lost) for e in view.evidence] == [("E1", False)]
    assert [(l.ref, l.lost) for l in view.labels] == [("L1", True)]
    marked = [s.text for s in view.fields[0].segments if s.kinds]
    assert marked == ["SAVE10"]


def test_month_buckets_fill_gaps_and_keep_undated_posts():
    def result(date):
        return PostResult(Post(id=date or "u", text="t", posted_at=date), Verdict.NO_EVIDENCE)
    buckets = month_buckets([result("2023-11-30"), result("2024-02-01T00:00:00Z"), result(None), result("soon")])
    assert [b.month for b in buckets] == ["2023-11", "2023-12", "2024-01", "2024-02", "undated"]
    assert [b.total for b in buckets] == [1, 0, 0, 1, 2]


def test_only_http_addresses_become_links():
    assert http_url("https://example.com/p?a=1") == "https://example.com/p?a=1"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "//evil.example",
                "https://x.example/\"onmouseover=1", "ftp://x", None, ""):
        assert http_url(bad) is None


def test_handles_are_compared_case_insensitively():
    posts = [PostResult(Post(id=str(n), text="t", author=author), Verdict.NO_EVIDENCE)
             for n, author in enumerate(["@Sam.X", "@sam.x", "sam.x", "@maya", None])]
    grouped = group_results(posts)
    assert {handle: len(items) for handle, items in grouped.by_handle.items()} == \
        {"@Sam.X": 3, "@maya": 1, "(unknown)": 1}
    assert grouped.slugs["@Sam.X"] == "sam.x" and len(set(grouped.slugs.values())) == 3


# --- templates -------------------------------------------------------------------------------

def test_shipped_templates_are_found():
    root = default_templates()
    for name in ("base.html", "index.html", "influencer.html", "base.md", "index.md", "influencer.md",
                 "partials/style.css", "partials/sort.js"):
        assert root.joinpath(*name.split("/")).is_file(), name


def test_user_templates_override_single_files_and_stay_escaped(tmp_path):
    custom = tmp_path / "brand"
    (custom / "partials").mkdir(parents=True)
    (custom / "partials" / "style.css").write_text("body { font-family: serif; }\n", encoding="utf-8")
    (custom / "index.html").write_text(
        '{% extends "base.html" %}{% block title %}Acme{% endblock %}'
        '{% block content %}<h1>Acme compliance</h1>'
        '{% for s in overview.influencers %}<p class="who">{{ s.handle }}</p>{% endfor %}{% endblock %}',
        encoding="utf-8",
    )
    hostile = replace(load_results()[0], post=replace(load_results()[0].post, author="<b onclick=x>boss</b>"))
    report = render(tmp_path / "out", [hostile], templates_dir=custom)
    dom = parse(report.index_html)
    assert dom.find("h1").text() == "Acme compliance"
    assert dom.find("style").text() == "body { font-family: serif; }\n"
    assert [p.text() for p in dom.find_all("p", "who")] == ["<b onclick=x>boss</b>"]
    assert dom.find_all("b") == []
    # Pages the user did not copy come from the shipped templates.
    assert parse(report.influencers[0].html).find("dl", "facts")


def test_a_template_without_the_generator_tag_is_refused(tmp_path):
    custom = tmp_path / "brand"
    custom.mkdir()
    (custom / "base.html").write_text("<!DOCTYPE html><html><body>{% block content %}{% endblock %}</body></html>",
                                      encoding="utf-8")
    with pytest.raises(ReportError, match="generator"):
        render(tmp_path / "out", templates_dir=custom)


def test_an_undefined_variable_in_a_template_is_an_error(tmp_path):
    custom = tmp_path / "brand"
    custom.mkdir()
    (custom / "index.html").write_text('{% extends "base.html" %}{% block content %}{{ nonsense }}{% endblock %}',
                                       encoding="utf-8")
    with pytest.raises(ReportError, match="nonsense"):
        render(tmp_path / "out", templates_dir=custom)


def test_a_missing_templates_directory_is_an_error(tmp_path):
    with pytest.raises(ReportError, match="templates directory"):
        render(tmp_path / "out", templates_dir=tmp_path / "nowhere")


def test_marker_constants_match_the_files(report):
    assert HTML_MARKER in report.index_html.read_text(encoding="utf-8")[:1000]
    assert report.findings_csv.read_bytes().startswith(b"\xef\xbb\xbf" + csv_export.MARKER.encode())
    assert os.access(report.index_html, os.R_OK)


# --- parallel rendering ------------------------------------------------------------------------

def test_worker_processes_write_the_same_reports(tmp_path):
    one = render(tmp_path / "one")
    two = render(tmp_path / "two", jobs=2)
    assert [p.relative_to(one.out_dir) for p in one.files] == [p.relative_to(two.out_dir) for p in two.files]
    for a, b in zip(one.files, two.files):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_template_error_in_a_worker_is_reported(tmp_path):
    custom = tmp_path / "brand"
    custom.mkdir()
    (custom / "influencer.html").write_text('{% extends "base.html" %}{% block content %}{{ missing.x }}'
                                            '{% endblock %}', encoding="utf-8")
    with pytest.raises(ReportError, match="missing"):
        render(tmp_path / "out", templates_dir=custom, jobs=2)


# --- rendering shortcuts keep what pages show ----------------------------------------------------

def test_highlighted_runs_escape_text_descriptions_and_refs():
    from checker.reporters.html import highlight
    from checker.reporters.report_data import FieldView
    runs = segment('<b>"x"</b> & \'y\'', [Mark(0, 3, "evidence", "E1", 'E1 evidence: "<i>"')])
    markup = str(highlight(FieldView("text", "Text", runs)))
    assert markup == ('<mark class="hl hl-evidence" title="E1 evidence: &#34;&lt;i&gt;&#34;">&lt;b&gt;</mark>'
                      '<sup class="ref ref-E">E1</sup>&#34;x&#34;&lt;/b&gt; &amp; &#39;y&#39;')


def test_findings_that_differ_in_any_shown_value_render_apart(tmp_path):
    """Finding blocks are rendered once per distinct finding: two findings of
    one rule and market that differ in message or suppression both show."""
    template = next(r for r in load_results() if r.post.id == "ig-1001")
    first = template.findings[0]
    results = [
        replace(template, post=replace(template.post, id="p1"), findings=[first]),
        replace(template, post=replace(template.post, id="p2"),
                findings=[replace(first, message="A <dated> message", suppressed="agreed & signed")]),
    ]
    report = render(tmp_path / "out", results)
    dom = parse(report.influencers[0].html)
    plain, changed = (article(dom, post_id).find("div", "finding") for post_id in ("p1", "p2"))
    assert "suppressed" not in plain.attrs["class"] and first.message in plain.text()
    assert "suppressed" in changed.attrs["class"].split()
    assert "A <dated> message" in changed.text() and "agreed & signed" in changed.text()
    notes = report.influencers[0].markdown.read_text(encoding="utf-8")
    assert "A \\<dated\\> message" in notes and "suppressed: agreed \\& signed" in notes


def test_csv_cells_that_need_quoting_survive_a_round_trip(tmp_path):
    template = next(r for r in load_results() if r.post.id == "ig-1001")
    tricky = 'Say "ad",\nthen =SUM(A1); \'quoted\''
    finding = replace(template.findings[0], message=tricky, citation="", fix="-1", suppressed="yes, \"really\"")
    result = replace(template, post=replace(template.post, url="https://x.example/a,b"), findings=[finding, finding])
    report = render(tmp_path / "out", [result])
    header, *rows = read_csv(report.findings_csv)
    assert len(rows) == 2 and rows[0] == rows[1]
    cells = dict(zip(header, rows[0]))
    assert cells["message"] == tricky and cells["citation"] == "" and cells["fix"] == "'-1"
    assert cells["suppressed"] == 'yes, "really"' and cells["url"] == "https://x.example/a,b"


def test_control_characters_are_written_as_visible_escapes(tmp_path):
    out = OutputDir(tmp_path)
    for encoding in ("utf-8", "utf-8-sig"):
        path = out.write_text((f"{encoding}.md",), "<!-- m -->\x1b[31m\x85 café \ud800", "<!-- m -->",
                              encoding=encoding)
        assert path.read_text(encoding=encoding) == "<!-- m -->\\x1b[31m\\x85 café \\ud800"


def test_rendering_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    import gc
    render(tmp_path / "one")
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        render(tmp_path / "two")
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
