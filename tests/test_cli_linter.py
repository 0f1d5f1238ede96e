"""The command line behaves like a mature linter: one rule for failing,
no silent mistakes, drafts chosen with care, stable baselines, one message
instead of a flood, help that reads at 80 columns, and the usual options
(--select, --ignore, --exclude, --quiet, --statistics, --no-config,
--show-source, --summary-by).

Where a test needs a rule of a given severity, it loads its own market
("ZZ", Testland) from a pack written here, so it does not depend on how the
bundled packs judge."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import click
import pytest
import xmlschema
from click.testing import CliRunner

from checker.cli import main
from checker.cli_docs import commands, render

ROOT = Path(__file__).resolve().parents[1]
JUNIT_SCHEMA = xmlschema.XMLSchema(str(Path(__file__).parent / "schemas" / "junit-10.xsd"))
LINT = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info) (?P<rule>\S+) ",
                  re.MULTILINE)

TESTLAND = """\
pack: market-zz
version: "1"
labels:
  - {id: zz-ad, language: en, phrases: ["#zzad"]}
  - {id: zz-spon, language: en, phrases: ["#zzspon"]}
market: {id: ZZ, name: Testland, languages: [en], citation: "Testland Consumer Act",
         accepted: [zz-ad], ambiguous: [zz-spon], rules: [
  {id: ZZ-NO-LABEL, check: missing_label, severity: error, verdict: undisclosed, title: No label,
   message: No label., citation: "Testland Consumer Act s. 1", fix: "Add #zzad.",
   examples: {fail: ["use code TEST10 for 10% off"], pass: ["#zzad use code TEST10 for 10% off"]}},
  {id: ZZ-UNCLEAR-LABEL, check: ambiguous_label_only, severity: warning, verdict: inadequate,
   title: Unclear label, message: Only an unclear label., citation: "Testland Consumer Act s. 2",
   fix: "Use #zzad.", examples: {fail: ["#zzspon code TEST10"], pass: ["#zzad code TEST10"]}}]}
"""
UNDISCLOSED = "use code MAYA15 for 15% off"        # a discount code and no label at all
DISCLOSED = "#ad use code MAYA15 for 15% off"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def write(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def flagged(output: str) -> list[tuple[str, str, str]]:
    return [(m["file"], m["line"], m["rule"]) for m in LINT.finditer(output)]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory with the Testland pack in rules/."""
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "CLEARLABEL_HELP_URI_BASE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    write("rules/zz.yml", TESTLAND)
    return tmp_path


# --------------------------------------------------------------------------- one rule for failing

def test_inadequate_verdict_fails_even_when_its_findings_are_warnings(workdir):
    write("posts.jsonl", jsonl({"id": "p1", "text": "#zzspon use code TEST10 for 10% off", "market": ["ZZ"]}))
    result = run("audit", "posts.jsonl", "--rules", "rules", "--format", "jsonl")
    [post] = [json.loads(line) for line in result.stdout.splitlines() if '"type": "post"' in line]
    assert post["verdict"] == "inadequate" and {f["severity"] for f in post["findings"]} == {"warning"}
    assert result.exit_code == 1, "an inadequate post fails at the default --fail-on"
    assert run("audit", "posts.jsonl", "--rules", "rules", "--fail-on", "never").exit_code == 0
    write("drafts/a.md", "---\nmarket: ZZ\n---\n#zzspon our spring range\n")
    checked = run("check", "drafts", "--rules", "rules")
    assert checked.exit_code == 1 and flagged(checked.stdout) == [("drafts/a.md", "4", "ZZ-UNCLEAR-LABEL")]
    assert "1 failing (1 inadequate)" in checked.stdout


def test_fail_on_in_the_configuration_is_honoured(workdir):
    write("posts.jsonl", jsonl({"id": "p1", "text": UNDISCLOSED, "market": ["GB"]}))
    assert run("audit", "posts.jsonl").exit_code == 1
    write(".clearlabel.yml", "fail-on: never\n")
    assert run("audit", "posts.jsonl").exit_code == 0
    assert run("audit", "posts.jsonl", "--fail-on", "error").exit_code == 1


# --------------------------------------------------------------------------- no silent mistakes

def test_misspelt_rule_in_the_configuration_is_an_error_with_its_line(workdir):
    write(".clearlabel.yml", "markets: [US]\ndisable-rules:\n  - US-BRAND-TAG-REVIEW\n  - US-NO-LABLE\n")
    write("posts.jsonl", jsonl({"id": "p1", "text": UNDISCLOSED}))
    for command in (["audit", "posts.jsonl"], ["check", "posts.jsonl"]):
        result = run(*command)
        assert result.exit_code == 2
        assert "error: .clearlabel.yml:4: unknown rule 'US-NO-LABLE' (did you mean 'US-NO-LABEL'?)" in result.stderr


@pytest.mark.parametrize("option, value, message", [
    ("--select", "GB-NO-LABLE", "--select: unknown rule 'GB-NO-LABLE' (did you mean 'GB-NO-LABEL'?)"),
    ("--ignore", "GBB-", "--ignore: unknown prefix 'GBB-' (did you mean 'GB-'?)"),
    ("--ignore", "*-NOPE", "--ignore: '*-NOPE' matches no rule"),
])
def test_unknown_selectors_are_errors(workdir, option, value, message):
    write("posts.jsonl", jsonl({"id": "p1", "text": UNDISCLOSED, "market": ["GB"]}))
    result = run("audit", "posts.jsonl", option, value)
    assert result.exit_code == 2 and message in result.stderr


def test_suppression_of_an_unknown_rule_is_an_error_on_its_own_line(workdir):
    write("drafts/a.md", """\
        ---
        market: GB
        ---
        <!-- clearlabel: disable=GB-NO-LABLE reason="legal signed it off" -->
        Use code SPRING10 at @glowco
        <!-- clearlabel: disable=GB-NO-LABEL -->
        """)
    result = run("check", "drafts")
    assert result.exit_code == 1
    found = flagged(result.stdout)
    assert ("drafts/a.md", "4", "clearlabel-unknown-rule") in found
    assert ("drafts/a.md", "6", "clearlabel-suppression-reason") in found, "at the suppression, not the line after"
    assert "did you mean 'GB-NO-LABEL'?" in result.stdout


def test_baseline_naming_an_unknown_rule_is_an_error_with_its_line(workdir):
    write("drafts/a.md", f"---\nmarket: GB\n---\n{UNDISCLOSED}\n")
    run("check", "drafts", "--write-baseline", "baseline.json")
    text = Path("baseline.json").read_text().replace('"GB-NO-LABEL"', '"GB-NO-LABLE"')
    Path("baseline.json").write_text(text)
    line = text[:text.index("GB-NO-LABLE")].count("\n") + 1
    result = run("check", "drafts", "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert f"baseline.json:{line}: unknown rule 'GB-NO-LABLE' (did you mean 'GB-NO-LABEL'?)" in result.stderr


# --------------------------------------------------------------------------- which files are drafts

def test_readme_in_drafts_is_left_out_and_listed_with_verbose(workdir):
    write("drafts/README.md", "# How we write drafts\nUse code WELCOME10 in the examples.\n")
    write("drafts/a.md", f"---\nmarket: GB\n---\n{DISCLOSED}\n")
    result = run("check", "drafts")
    assert result.exit_code == 0, result.output
    assert "README" not in result.output
    verbose = run("check", "drafts", "--verbose")
    assert "drafts/README.md: left out: Markdown without front matter" in verbose.stderr


def test_exclude_in_configuration_and_on_the_command_line(workdir):
    write("drafts/old/a.md", f"---\nmarket: GB\n---\n{UNDISCLOSED}\n")
    write("drafts/b.yml", f"- market: GB\n  text: '{UNDISCLOSED}'\n")
    write("drafts/c.md", f"---\nmarket: GB\n---\n{DISCLOSED}\n")
    assert {f for f, _, _ in flagged(run("check", "drafts").stdout)} == {"drafts/old/a.md", "drafts/b.yml"}
    write(".clearlabel.yml", "exclude: [drafts/old/**]\n")
    result = run("check", "drafts", "--exclude", "*.yml", "--verbose")
    assert result.exit_code == 0, result.output
    assert "drafts/old/a.md: left out: excluded by 'drafts/old/**' (.clearlabel.yml:1)" in result.stderr
    assert "drafts/b.yml: left out: excluded by '*.yml' (--exclude)" in result.stderr
    # pre-commit names files: excluded ones are left out all the same.
    assert run("check", "drafts/old/a.md").exit_code == 0


def test_custom_front_matter_fields_are_metadata(workdir):
    write("drafts/a.md", f"---\nmarket: GB\ncampaign: spring-2026\nwave: 2\n---\n{UNDISCLOSED}\n")
    result = run("check", "drafts", "--format", "json")
    assert result.exit_code == 1, result.output
    [post] = json.loads(result.stdout)["posts"]
    assert post["post"]["metadata"] == {"campaign": "spring-2026", "wave": 2}
    write("drafts/a.md", f"---\nmarket: GB\nplaform: tiktok\n---\n{UNDISCLOSED}\n")
    misspelt = run("check", "drafts")
    assert misspelt.exit_code == 2
    assert "drafts/a.md:3:1: error clearlabel-input unknown field 'plaform' in front matter " \
           "(did you mean 'platform'?)" in misspelt.stdout


def test_audit_keeps_extra_columns_and_summarises_by_them(workdir):
    write("posts.csv", f"""\
        id,text,author,brand,campaign,market
        1,{UNDISCLOSED},@maya,Glow Co,spring-2026,GB
        2,{DISCLOSED},@maya,Glow Co,spring-2026,GB
        3,{UNDISCLOSED},@lee,Panforge,autumn-2026,GB
        """)
    records = [json.loads(line) for line in run("audit", "posts.csv", "--format", "jsonl").stdout.splitlines()]
    assert records[0]["post"]["metadata"] == {"campaign": "spring-2026"}
    for by, rows in (("campaign", {"autumn-2026": "1", "spring-2026": "1"}), ("brand", {"Glow Co": "1", "Panforge": "1"})):
        out = run("audit", "posts.csv", "--summary-by", by).stdout
        table = out[out.index(f"  {by} "):]
        assert re.search(r"\n  spring-2026 +1 +0 +1 " if by == "campaign" else r"\n  Glow Co +1 +0 +1 ", table), table
        assert all(name in table for name in rows)


# --------------------------------------------------------------------------- stable baselines

def test_inserting_a_post_at_the_top_keeps_baselined_findings(workdir):
    write(".clearlabel.yml", "markets: [GB]\nbaseline: .clearlabel-baseline.json\n")
    series = f"---\nplatform: tiktok\n---\n{DISCLOSED}\n---\nDay two: {UNDISCLOSED}\n"
    write("drafts/series.md", series)
    assert run("check", "drafts").exit_code == 2, "a configured baseline must exist"
    written = run("check", "drafts", "--write-baseline", ".clearlabel-baseline.json")
    assert written.exit_code == 0 and "1 finding recorded" in written.stderr
    assert run("check", "drafts").exit_code == 0
    write("drafts/series.md", f"---\nplatform: tiktok\n---\n#ad a new first post\n---\n{series.split('---', 2)[2]}")
    result = run("check", "drafts")
    assert result.exit_code == 0, result.output
    assert "1 suppressed" in result.stdout


def test_series_posts_named_by_heading_keep_their_ids(workdir):
    write("drafts/series.md", f"---\nmarket: GB\n---\n## Day 1\n{DISCLOSED}\n---\n## Day 2\n{UNDISCLOSED}\n")
    posts = json.loads(run("check", "drafts", "--format", "json").stdout)["posts"]
    assert [post["id"] for post in posts] == ["drafts/series.md#day-1", "drafts/series.md#day-2"]


# --------------------------------------------------------------------------- JUnit

def test_junit_counts_agree_and_validate_against_the_schema(workdir):
    write("drafts/a.md", f"---\nmarket: [GB, US]\n---\n{UNDISCLOSED} at @glowco #spon\n")
    write("drafts/b.md", f"---\nmarket: GB\n---\n{DISCLOSED}\n")
    result = run("check", "drafts", "--format", "junit", "-o", "report.xml")
    assert result.exit_code == 1
    JUNIT_SCHEMA.validate("report.xml")
    root = xmlschema.XMLResource("report.xml").root
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "0")
    assert all(len(case.findall("failure")) <= 1 for case in root.iter("testcase"))


# --------------------------------------------------------------------------- one message, not a flood

def test_posts_without_markets_stop_with_one_error(workdir):
    write("posts.jsonl", jsonl(*({"id": str(n), "text": UNDISCLOSED} for n in range(50))))
    result = run("audit", "posts.jsonl")
    assert result.exit_code == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "--market" in errors[0] and "markets:" in errors[0]
    assert "Summary" not in result.stdout


def test_repeated_errors_are_shown_once_with_a_count(workdir):
    rows = "".join(f"{UNDISCLOSED},many\n" for _ in range(500))
    write("posts.csv", "text,followers\n" + rows)
    result = run("audit", "posts.csv", "--market", "GB", "--format", "jsonl")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["clearlabel: posts.csv:2: field 'followers' must be a whole number, got 'many'",
                     "clearlabel: the same problem as at posts.csv:2 in 499 more places: posts.csv:3, posts.csv:4, "
                     "posts.csv:5 and 496 more (--verbose lists every one)"]
    assert json.loads(result.stdout.splitlines()[-1])["rejected"] == 500
    assert len(run("audit", "posts.csv", "--market", "GB", "-v").stderr.strip().splitlines()) == 500


def test_csv_without_a_text_column_is_one_error_with_the_columns_and_a_map_example(workdir):
    write("mentions.csv", "Post Body,Creator,Date\n" + "".join(f"{UNDISCLOSED},@maya,2026-01-0{n}\n"
                                                                 for n in range(1, 8)))
    result = run("audit", "mentions.csv", "--market", "GB")
    assert result.exit_code == 2
    [error] = result.stderr.strip().splitlines()
    assert "columns in the header: Post Body, Creator, Date" in error
    assert "--map 'text=Post Body'" in error
    assert run("audit", "mentions.csv", "--market", "GB", "--map", "text=Post Body").exit_code == 1


@pytest.mark.parametrize("content", [
    "text;notes, comments, extra\nhello, world;GB team\nuse code MAYA15, for 15% off;GB team\n",
    "text\nhello, world\nuse code MAYA15, for 15% off\n",
    "id\ttext\tmarket\n1\thello, world\tGB\n2\tuse code MAYA15, for 15% off\tGB\n",
])
def test_csv_delimiter_is_sniffed(workdir, content):
    write("posts.csv", content)
    result = run("audit", "posts.csv", "--market", "GB", "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["verdict"] for r in records if r["type"] == "post"] == ["no_evidence", "undisclosed"], result.stderr
    assert result.exit_code == 1


def test_binary_file_gets_a_clear_message(workdir):
    Path("photo.csv").write_bytes(bytes(range(256)) * 40)
    result = run("audit", "photo.csv", "--market", "GB")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("clearlabel: photo.csv: not a text file (it holds binary data): clearlabel "
                                     "reads JSON Lines, JSON and CSV, optionally gzip-compressed")
    assert "universal-newline" not in result.output and "Summary" not in result.stdout


@pytest.mark.parametrize("name, content, message", [
    ("missing.jsonl", None, "file not found"),
    ("empty.jsonl", "", "file is empty"),
])
def test_no_summary_after_a_fatal_input_error(workdir, name, content, message):
    if content is not None:
        write(name, content)
    for command in (["audit", name, "--market", "GB"], ["check", name.replace("jsonl", "md")]):
        result = run(*command)
        assert result.exit_code == 2
        assert "Summary" not in result.stdout and "No problems" not in result.stdout and "posts read" not in result.stdout
    assert message in run("audit", name, "--market", "GB").stderr


# --------------------------------------------------------------------------- help

def test_help_reads_at_80_columns_with_examples_and_every_option_explained():
    for path, command, context in commands():
        text = command.get_help(context)
        assert all(len(line) <= 80 for line in text.splitlines()), (path, text)
        if len(path) > 1:       # as the command list of its group shows it
            short = command.get_short_help_str(limit=45)
            assert not short.endswith("..."), (path, short)
        assert "Example" in (command.epilog or ""), path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, (path, param.name)
    audit_help = run("audit", "--help").stdout
    for name in ("text", "json", "jsonl", "sarif", "junit", "github"):
        assert re.search(rf"^    {name} +\S", audit_help, re.MULTILINE), name


def test_one_vocabulary_for_options():
    def option_names(*path: str) -> dict[str, click.Option]:
        command = main
        for name in path:
            command = command.commands[name]
        return {name: param for param in command.params if isinstance(param, click.Option) for name in param.opts}

    audit, check, report = option_names("audit"), option_names("check"), option_names("report")
    for options in (audit, check):
        assert options["-o"] is options["--output"] and options["--output"].metavar == "FILE"
        for name in ("--market", "--rules", "--jobs", "-j", "--format", "--select", "--ignore", "--no-config",
                     "--quiet", "--statistics", "--relationships"):
            assert name in options, name
    assert "--report-dir" in audit and "--report-dir" in report and report["--out"].hidden
    assert "--rules" in option_names("rules", "test") and "--exclude" in check and "--show-source" in check


def test_report_and_rules_test_take_the_common_names(workdir, tmp_path):
    saved = tmp_path / "audit.jsonl"
    run("audit", str(ROOT / "examples" / "posts.jsonl"), "--format", "jsonl", "-o", str(saved))
    assert run("report", str(saved), "--report-dir", "out").exit_code == 0 and Path("out/index.html").is_file()
    old = run("report", str(saved), "--out", "old")
    assert old.exit_code == 0 and Path("old/index.html").is_file() and "deprecated" in old.stderr
    tested = run("rules", "test", "--rules", "rules")
    assert tested.exit_code == 0 and "ZZ" not in tested.stderr and "0 failed" in tested.stdout


def test_one_finding_is_singular(workdir):
    write("drafts/a.md", f"---\nmarket: GB\n---\n{UNDISCLOSED}\n")
    result = run("check", "drafts", "--write-baseline", "b.json")
    assert "1 finding recorded in b.json" in result.stderr


def test_cli_page_is_generated_from_the_commands():
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == render(), "docs/cli.md is stale: run python -m checker.cli_docs docs/cli.md"


# --------------------------------------------------------------------------- linter conventions

def test_select_and_ignore_take_prefixes_and_globs(workdir):
    write("drafts/a.md", f"---\nmarket: [GB, US]\n---\n{UNDISCLOSED}\n")
    everything = {rule for _, _, rule in flagged(run("check", "drafts").stdout)}
    assert {"GB-NO-LABEL", "US-NO-LABEL"} <= everything
    assert {rule for _, _, rule in flagged(run("check", "drafts", "--select", "GB-").stdout)} == {"GB-NO-LABEL"}
    ignored = run("check", "drafts", "--ignore", "*-NO-LABEL")
    assert not {"GB-NO-LABEL", "US-NO-LABEL"} & {rule for _, _, rule in flagged(ignored.stdout)}
    write(".clearlabel.yml", "ignore: [US-]\n")
    assert {rule for _, _, rule in flagged(run("check", "drafts").stdout)} == everything - {
        rule for rule in everything if rule.startswith("US-")}
    assert {rule for _, _, rule in flagged(run("check", "drafts", "--no-config").stdout)} == everything


def test_quiet_statistics_and_show_source(workdir):
    write("drafts/a.md", f"---\nmarket: GB\n---\nHello!\n{UNDISCLOSED}\n")
    quiet = run("check", "drafts", "--quiet", "--statistics", "--show-source")
    lines = quiet.stdout.splitlines()
    assert lines[0].startswith("drafts/a.md:5:5: error GB-NO-LABEL ")
    assert lines[1:3] == ["   5 | use code MAYA15 for 15% off", "     |     ^^^^^^^^^^^"]
    assert "problem" not in quiet.stdout, "no summary line with --quiet"
    assert re.search(r"^1  GB-NO-LABEL  error", quiet.stdout, re.MULTILINE)
    as_sarif = run("check", "drafts", "--statistics", "--format", "sarif")
    json.loads(as_sarif.stdout)
    assert re.search(r"^1  GB-NO-LABEL  error", as_sarif.stderr, re.MULTILINE)


def test_audit_quiet_shows_only_posts_that_need_attention(workdir):
    write("posts.jsonl", jsonl({"id": "clean", "text": "Sunday walk", "market": ["GB"]},
                               {"id": "bad", "text": UNDISCLOSED, "market": ["GB"]}))
    out = run("audit", "posts.jsonl", "--quiet").stdout
    assert "bad" in out and "clean" not in out and "Summary" not in out
    assert "clean" in run("audit", "posts.jsonl").stdout


def test_check_takes_rules_relationships_and_jobs(workdir):
    write("drafts/a.md", "---\nmarket: ZZ\n---\nuse code TEST10 for 10% off\n")
    write("rel.yml", "- {brand: Glow Co, type: paid, handles: ['@glowco']}\n")
    result = run("check", "drafts", "--rules", "rules", "--relationships", "rel.yml", "--jobs", "2")
    assert result.exit_code == 1 and flagged(result.stdout) == [("drafts/a.md", "4", "ZZ-NO-LABEL")]
