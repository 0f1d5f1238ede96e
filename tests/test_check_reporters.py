"""Check-mode reporters: lint text, GitHub workflow commands, JUnit XML, SARIF.

Results are built by hand from drafts read off disk, so positions are real.
SARIF is validated against the OASIS SARIF 2.1.0 schema, JUnit XML is read
back with junitparser, and workflow commands are parsed and unescaped.
"""
from __future__ import annotations

import io
import json
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml
from xml.etree import ElementTree

from checker.model import (
    Finding, Origin, Post, PostResult, Rejected, RuleInfo, Severity, Span, Summary, Verdict,
)
from checker.readers.drafts import read_drafts
from checker.reporters.base import ReportContext
from checker.reporters.github import GithubReporter, escape_data, escape_property, workflow_command
from checker.reporters.junit import JunitReporter
from checker.reporters.lint_text import LintTextReporter
from checker.reporters.sarif import FINGERPRINT_KEY, SarifReporter
from checker.suppress import META_RULES, Suppression, apply_suppressions

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# The schema the Jenkins xUnit plugin validates JUnit XML with (see schemas/README.md).
JUNIT_SCHEMA = xmlschema.XMLSchema(str(Path(__file__).parent / "schemas" / "junit-10.xsd"))

RULES = {
    "GB-NO-LABEL": RuleInfo(
        id="GB-NO-LABEL", title="Commercial relationship with no label", severity=Severity.ERROR, market="GB",
        verdict=Verdict.UNDISCLOSED, message="The post is not labelled as an ad.",
        citation="CAP Code rules 2.1 and 2.3", fix='Put "Ad" at the start of the caption.',
        description="A post showing a commercial relationship must say it is an ad.", pack="market-gb@1",
        failing_examples=("code GLOW15",), passing_examples=("Ad | code GLOW15",)),
    "GB-UNCLEAR-LABEL": RuleInfo(
        id="GB-UNCLEAR-LABEL", title="Label the ASA finds unclear", severity=Severity.WARNING, market="GB",
        verdict=Verdict.INADEQUATE, message="Only an unclear label.", citation="CAP Code rule 2.1",
        fix="Use #ad.", pack="market-gb@1"),
}

DRAFTS = {
    "drafts/launch.md": """\
        ---
        platform: instagram
        market: GB
        ---
        Night routine with @glowco 🌙✨
        Use code NIGHT20, 100% worth it
        """,
    "drafts/series.md": """\
        ---
        market: GB
        ---
        #ad day one
        ---
        <!-- clearlabel: disable=GB-UNCLEAR-LABEL reason="legal approved #spon for this client" -->
        day two #spon
        """,
}


def span_of(post: Post, text: str, field: str = "text") -> Span:
    start = post.field_text(field).index(text)
    return Span(field, start, start + len(text), text)


def finding(rule: str, *spans: Span) -> Finding:
    info = RULES[rule]
    return Finding(rule=rule, severity=info.severity, market=info.market, verdict=info.verdict,
                   message=info.message, citation=info.citation, fix=info.fix, spans=spans, pack=info.pack)


@pytest.fixture
def drafts(tmp_path, monkeypatch):
    """Results for the drafts above, as the engine would produce them."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("CLEARLABEL_HELP_URI_BASE", raising=False)
    for name, text in DRAFTS.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(textwrap.dedent(text), encoding="utf-8")
    suppressions: dict = {}
    posts = {post.id: post for post in read_drafts(["drafts"], suppressions=suppressions)}
    launch, day_one, day_two = posts["drafts/launch.md#1"], posts["drafts/series.md#1"], posts["drafts/series.md#2"]
    results = [
        PostResult(launch, Verdict.UNDISCLOSED,
                   findings=[finding("GB-NO-LABEL", span_of(launch, "NIGHT20"), span_of(launch, "@glowco"))]),
        PostResult(day_one, Verdict.DISCLOSED),
        PostResult(day_two, Verdict.INADEQUATE, findings=[finding("GB-UNCLEAR-LABEL", span_of(day_two, "#spon"))]),
    ]
    return [apply_suppressions(result, suppressions.get(result.post.id, [])) for result in results]


def render(reporter_class, results, rejected=(), **context) -> str:
    stream = io.StringIO()
    reporter = reporter_class(ReportContext(stream=stream, rules=RULES, tool_version="0.1.0",
                                            packs=("market-gb@1",), mode="check", **context))
    summary = Summary()
    for result in results:
        summary.add(result)
        reporter.post(result)
    for item in rejected:
        summary.add_rejected()
        reporter.rejected(item)
    reporter.finish(summary)
    return stream.getvalue()


# --------------------------------------------------------------------------- lint text

LINT_LINE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info) "
                       r"(?P<rule>\S+) (?P<message>.+)$")


def test_lint_text_lines(drafts):
    out = render(LintTextReporter, drafts)
    lines = [LINT_LINE.match(line) for line in out.splitlines() if LINT_LINE.match(line)]
    assert [(m["file"], m["line"], m["col"], m["severity"], m["rule"]) for m in lines] == [
        ("drafts/launch.md", "6", "10", "error", "GB-NO-LABEL")]
    assert lines[0]["message"] == "The post is not labelled as an ad. [GB]"
    assert '    fix: Put "Ad" at the start of the caption.' in out
    assert out.rstrip().endswith("1 problem (1 error) in 3 drafts; 1 failing (1 undisclosed); 1 suppressed.")


def test_lint_text_counts_a_draft_failing_on_its_verdict_alone(drafts):
    # The suppression lifted: an inadequate draft whose only finding is a warning still fails.
    day_two = replace(drafts[2], findings=[replace(f, suppressed=None) for f in drafts[2].findings])
    out = render(LintTextReporter, [drafts[1], day_two])
    assert out.rstrip().endswith("1 problem (1 warning) in 2 drafts; 1 failing (1 inadequate).")
    assert render(LintTextReporter, [day_two], fail_on=None).rstrip().endswith("in 1 draft.")


def test_lint_text_show_source_marks_the_span(drafts):
    out = render(LintTextReporter, drafts, show_source=True)
    assert ("   6 | Use code NIGHT20, 100% worth it\n"
            "     |          ^^^^^^^\n") in out


def test_lint_text_quiet_has_no_summary(drafts):
    out = render(LintTextReporter, drafts, quiet=True)
    assert out.splitlines()[-1] == '    fix: Put "Ad" at the start of the caption.'


def test_lint_text_clean_and_rejected():
    assert render(LintTextReporter, []).strip() == "No problems in 0 drafts."
    out = render(LintTextReporter, [], rejected=[Rejected("drafts/x.yml", 4, "unknown field 'plaform'")])
    assert "drafts/x.yml:4:1: error clearlabel-input unknown field 'plaform'" in out


def test_lint_text_colour_only_when_asked(drafts):
    assert "\x1b[" not in render(LintTextReporter, drafts)
    assert "\x1b[1;31merror\x1b[0m" in render(LintTextReporter, drafts, color=True)


# --------------------------------------------------------------------------- GitHub

COMMAND = re.compile(r"^::(?P<level>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def unescape(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def parse_commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in out.splitlines():
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(pair.split("=", 1) for pair in match["props"].split(",")) if match["props"] else {}
        commands.append((match["level"], {key: unescape(value) for key, value in props.items()},
                         unescape(match["message"])))
    return commands


def test_github_annotations(drafts):
    [(level, props, message)] = parse_commands(render(GithubReporter, drafts))
    assert level == "error"
    assert props == {"file": "drafts/launch.md", "line": "6", "col": "10", "endLine": "6", "endColumn": "17",
                     "title": "GB-NO-LABEL (GB)"}
    assert message == ('The post is not labelled as an ad.\nFix: Put "Ad" at the start of the caption.\n'
                       "Citation: CAP Code rules 2.1 and 2.3")


def test_workflow_command_escaping():
    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = workflow_command("warning", "50% off\nnow", file="drafts/a,b:c.md", line=3, col=None, title="R: x, y")
    assert line == "::warning file=drafts/a%2Cb%3Ac.md,line=3,title=R%3A x%2C y::50%25 off%0Anow"
    [(level, props, message)] = parse_commands(line)
    assert props == {"file": "drafts/a,b:c.md", "line": "3", "title": "R: x, y"} and message == "50% off\nnow"


def test_github_rejected_and_workspace_paths(tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    monkeypatch.chdir(tmp_path / "site")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = render(GithubReporter, [], rejected=[Rejected("drafts/x.yml", 2, "invalid YAML: found ':'")])
    [(level, props, message)] = parse_commands(out)
    assert level == "error" and props["file"] == "site/drafts/x.yml" and props["line"] == "2"
    assert message == "invalid YAML: found ':'"


def test_github_step_summary_lists_everything(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    summary_file = tmp_path / "summary.md"
    summary_file.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    posts = [Post(id=f"d.md#{n}", text="code X | <b>", origin=Origin("d.md", n, (("text", n, 1),)))
             for n in range(1, 13)]
    results = [PostResult(post, Verdict.UNDISCLOSED, findings=[finding("GB-NO-LABEL", span_of(post, "X"))])
               for post in posts]
    out = render(GithubReporter, results)
    assert len(parse_commands(out)) == 12
    written = summary_file.read_text()
    assert written.startswith("earlier step\n"), "the summary file is appended to"
    assert "### clearlabel: 12 problems in 12 drafts" in written
    assert "GitHub shows only 10 error and 10 warning annotations" in written
    rows = [line for line in written.splitlines() if line.startswith("| d.md:")]
    assert len(rows) == 12 and rows[0].startswith("| d.md:1:6 | error | GB-NO-LABEL |")


def test_github_summary_when_clean(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "s.md"))
    assert render(GithubReporter, []) == ""
    assert "no problems in 0 drafts" in (tmp_path / "s.md").read_text()


# --------------------------------------------------------------------------- JUnit

def test_junit_xml_reads_back(drafts, tmp_path):
    rejected = [Rejected("drafts/bad.yml", 3, "unknown field 'plaform'")]
    path = tmp_path / "report.xml"
    path.write_text(render(JunitReporter, drafts, rejected=rejected), encoding="utf-8")
    JUNIT_SCHEMA.validate(str(path))
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"drafts/launch.md", "drafts/series.md", "drafts/bad.yml"}
    assert (xml.tests, xml.failures, xml.errors) == (4, 1, 1)
    [launch] = list(suites["drafts/launch.md"])
    assert launch.name == "drafts/launch.md#1" and launch.classname == "drafts/launch.md"
    [failure] = launch.result
    assert isinstance(failure, Failure) and failure.type == "GB-NO-LABEL"
    assert failure.message == "GB-NO-LABEL [GB]: The post is not labelled as an ad."
    assert failure.text.startswith("drafts/launch.md:6:10: error GB-NO-LABEL [GB]")
    assert "Fix: " in failure.text and "Citation: " in failure.text
    day_one, day_two = list(suites["drafts/series.md"])
    assert day_one.is_passed and day_two.is_passed
    assert "suppressed (legal approved #spon for this client)" in day_two.system_out
    [bad] = list(suites["drafts/bad.yml"])
    assert isinstance(bad.result[0], Error) and bad.result[0].message == "unknown field 'plaform'"


def test_junit_one_failure_per_case_counts_agree_and_clean_xml(tmp_path):
    post = Post(id="a.md#1", text="bad \x07 text", origin=Origin("a.md", 1, (("text", 1, 1),)))
    result = PostResult(post, Verdict.UNDISCLOSED, findings=[
        finding("GB-NO-LABEL", span_of(post, "bad")), finding("GB-UNCLEAR-LABEL", Span("text", 4, 5, "\x07")),
        Finding("GB-INFO", Severity.INFO, "GB", Verdict.DISCLOSED, "note", "", "")])
    path = tmp_path / "r.xml"
    path.write_text(render(JunitReporter, [result]), encoding="utf-8")
    JUNIT_SCHEMA.validate(str(path))
    xml = JUnitXml.fromfile(str(path))
    [case] = list(next(iter(xml)))
    [failure] = case.result
    assert failure.message == "2 problems: GB-NO-LABEL [GB], GB-UNCLEAR-LABEL [GB]"
    assert "error GB-NO-LABEL" in failure.text and "warning GB-UNCLEAR-LABEL" in failure.text
    assert "GB-INFO" in case.system_out
    assert (xml.tests, xml.failures, xml.errors) == (1, 1, 0)


def test_junit_fails_an_inadequate_post_whose_findings_are_warnings(drafts, tmp_path):
    day_two = replace(drafts[2], findings=[replace(f, suppressed=None) for f in drafts[2].findings])
    path = tmp_path / "r.xml"
    path.write_text(render(JunitReporter, [drafts[0], drafts[1], day_two],
                           rejected=[Rejected("drafts/bad.yml", 3, "unknown field")]), encoding="utf-8")
    JUNIT_SCHEMA.validate(str(path))
    root = ElementTree.parse(path).getroot()
    for element in (root, *root.iter("testsuite")):
        cases = list(element.iter("testcase"))
        failing = [case for case in cases if case.find("failure") is not None]
        erring = [case for case in cases if case.find("error") is not None]
        assert (int(element.get("tests")), int(element.get("failures")), int(element.get("errors"))) == \
            (len(cases), len(failing), len(erring))
        assert all(len(case.findall("failure")) <= 1 for case in cases)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "1")


# --------------------------------------------------------------------------- SARIF

def sarif(results, rejected=(), **context) -> dict:
    log = json.loads(render(SarifReporter, results, rejected=rejected, **context))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


def test_sarif_is_valid_and_complete(drafts):
    log = sarif(drafts)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run["columnKind"] == "unicodeCodePoints"
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(RULES)
    rule = rules["GB-NO-LABEL"]
    assert rule["shortDescription"]["text"] == "Commercial relationship with no label"
    assert rule["fullDescription"]["text"].startswith("A post showing")
    assert "CAP Code rules 2.1 and 2.3" in rule["help"]["text"] and "Put \"Ad\"" in rule["help"]["text"]
    assert rule["name"] == "CommercialRelationshipWithNoLabel"
    assert rule["defaultConfiguration"]["level"] == "error"
    assert "helpUri" not in rule, "no absolute address is known without a base"
    assert rule["properties"]["docs"] == "docs/rules/GB-NO-LABEL.md"

    open_result, suppressed = run["results"]
    assert open_result["ruleId"] == "GB-NO-LABEL" and open_result["level"] == "error"
    assert run["tool"]["driver"]["rules"][open_result["ruleIndex"]]["id"] == "GB-NO-LABEL"
    assert open_result["message"]["text"] == \
        '[GB] The post is not labelled as an ad. Fix: Put "Ad" at the start of the caption.'
    location = open_result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "drafts/launch.md", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 6, "startColumn": 10, "endLine": 6, "endColumn": 17,
                                  "snippet": {"text": "NIGHT20"}}
    [related] = open_result["relatedLocations"]
    assert related["physicalLocation"]["region"]["startColumn"] == 20
    assert set(open_result["partialFingerprints"]) == {FINGERPRINT_KEY}
    assert suppressed["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                           "justification": "legal approved #spon for this client"}]
    assert urlparse(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]).scheme == "file"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_columns_count_code_points(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("e.txt").write_text("✨🌙 #ad after emoji\n", encoding="utf-8")
    [post] = read_drafts(["e.txt"])
    result = PostResult(post, Verdict.UNDISCLOSED, findings=[finding("GB-NO-LABEL", span_of(post, "#ad"))])
    region = sarif([result])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (4, 7)


def test_sarif_help_uri_is_absolute_when_a_base_is_known(drafts, monkeypatch):
    log = sarif(drafts, extra={"help_uri_base": "https://example.org/clearlabel/docs/rules"})
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["GB-NO-LABEL"]["helpUri"] == "https://example.org/clearlabel/docs/rules/GB-NO-LABEL.md"
    monkeypatch.setenv("CLEARLABEL_HELP_URI_BASE", "docs/rules/")
    assert all("helpUri" not in rule for rule in sarif(drafts)["runs"][0]["tool"]["driver"]["rules"]), \
        "a relative base is not a valid helpUri"


def test_sarif_fingerprints_survive_moved_lines(tmp_path, monkeypatch, drafts):
    before = sarif(drafts)["runs"][0]["results"][0]["partialFingerprints"]
    launch = Path("drafts/launch.md")
    launch.write_text(launch.read_text().replace("---\nNight", "---\n\n\nA new first line.\n\nNight"))
    [post] = read_drafts([str(launch)])
    moved = PostResult(post, Verdict.UNDISCLOSED,
                       findings=[finding("GB-NO-LABEL", span_of(post, "NIGHT20"), span_of(post, "@glowco"))])
    log = sarif([moved])
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    assert log["runs"][0]["results"][0]["partialFingerprints"] == before


def test_sarif_meta_rules_baseline_and_duplicates(drafts):
    post = drafts[0].post
    results = [apply_suppressions(drafts[0], [Suppression(("GB-NO-LABEL",), None, "drafts/launch.md", 5)])]
    twice = finding("GB-NO-LABEL", span_of(post, "NIGHT20"))
    results.append(PostResult(post, Verdict.UNDISCLOSED, findings=[
        twice, Finding(**{**twice.__dict__, "suppressed": "accepted in baseline .clearlabel-baseline.json"})]))
    run = sarif(results)["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "clearlabel-suppression-reason" in rule_ids
    meta = run["tool"]["driver"]["rules"][rule_ids.index("clearlabel-suppression-reason")]
    assert meta["shortDescription"]["text"] == META_RULES["clearlabel-suppression-reason"].title
    fingerprints = [result["partialFingerprints"][FINGERPRINT_KEY] for result in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    assert run["results"][-1]["suppressions"][0]["kind"] == "external"


def test_sarif_for_exported_posts_and_rejected_records():
    exported = Post(id="dev-7", text="code X", origin=Origin("export.jsonl", 7))
    nowhere = Post(id="stdin-1", text="code X")
    results = [PostResult(post, Verdict.UNDISCLOSED, findings=[finding("GB-NO-LABEL", span_of(post, "X"))])
               for post in (exported, nowhere)]
    run = sarif(results, rejected=[Rejected("export.jsonl", 9, "not JSON"), Rejected("-", 0, "empty input")])["runs"][0]
    first, second = run["results"]
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert second["locations"][0] == {"logicalLocations": [{"fullyQualifiedName": "stdin-1", "kind": "object"}]}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == ["not JSON", "empty input"]


def test_sarif_with_no_results_is_valid():
    run = sarif([])["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["name"] == "clearlabel"
