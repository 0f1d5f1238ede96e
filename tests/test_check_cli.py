"""`clearlabel check`, `config show`, `rules docs` and `audit --format sarif`
end to end, through click's test runner, on a copy of examples/."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from junitparser import JUnitXml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
LINT = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info) (?P<rule>\S+) ",
                  re.MULTILINE)

from checker.cli import main


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A copy of examples/ (drafts and .clearlabel.yml) as the working directory."""
    target = tmp_path / "brand"
    shutil.copytree(ROOT / "examples", target)
    monkeypatch.chdir(target)
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "CLEARLABEL_HELP_URI_BASE"):
        monkeypatch.delenv(name, raising=False)
    return target


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def flagged(output: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for match in LINT.finditer(output):
        found.setdefault(match["file"], set()).add(match["rule"])
    return found


def test_check_examples_fails_on_the_bad_drafts(repo):
    result = run("check", "drafts/")
    assert result.exit_code == 1, result.output
    found = flagged(result.stdout)
    assert set(found) == {"drafts/02-serum-launch.md", "drafts/03-tiktok-series.md", "drafts/05-autumn-brief.yml"}
    assert "GB-NO-LABEL" in found["drafts/02-serum-launch.md"]
    assert "GB-UNCLEAR-LABEL" in found["drafts/03-tiktok-series.md"]
    assert "GB-NO-LABEL" in found["drafts/05-autumn-brief.yml"]
    assert "suppressed" in result.stdout.splitlines()[-1]


def test_known_relationship_needs_no_other_evidence(repo):
    Path("drafts").mkdir(exist_ok=True)
    draft = Path("quiet.md")
    draft.write_text("---\nmarket: GB\n---\nA slow Sunday with my new favourite candle 🕯️\n", encoding="utf-8")
    result = run("check", str(draft))
    assert result.exit_code == 1, result.output
    assert flagged(result.stdout) == {"quiet.md": {"GB-NO-LABEL"}}
    draft.write_text("---\nmarket: GB\n---\nAd | A slow Sunday with my new favourite candle 🕯️\n", encoding="utf-8")
    assert run("check", str(draft)).exit_code == 0


def test_fail_on_threshold(repo):
    assert run("check", "drafts/", "--fail-on", "never").exit_code == 0


def test_sarif_output_file_is_valid(repo):
    result = run("check", "drafts/", "--format", "sarif", "--output", "out.sarif")
    assert result.exit_code == 1
    log = json.loads(Path("out.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run_ = log["runs"][0]
    rule_ids = {rule["id"] for rule in run_["tool"]["driver"]["rules"]}
    assert {"GB-NO-LABEL", "GB-UNCLEAR-LABEL"} <= rule_ids
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run_["results"]}
    assert "drafts/02-serum-launch.md" in uris
    suppressed = [result for result in run_["results"] if result.get("suppressions")]
    assert suppressed and suppressed[0]["suppressions"][0]["justification"].startswith("the edit opens with")


def test_junit_output(repo):
    result = run("check", "drafts/", "--format", "junit", "--output", "out.xml")
    assert result.exit_code == 1
    xml = JUnitXml.fromfile("out.xml")
    cases = {case.name: case for suite in xml for case in suite}
    assert cases["drafts/01-summer-glow.md#1"].is_passed
    assert not cases["drafts/02-serum-launch.md#1"].is_passed
    assert cases["drafts/05-autumn-brief.yml#knit-edit"].is_passed


def test_github_output(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    result = run("check", "drafts/", "--format", "github")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines and all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+", line) for line in lines), lines
    assert "### clearlabel:" in (tmp_path / "summary.md").read_text()


def test_json_output(repo):
    result = run("check", "drafts/", "--format", "json")
    assert result.exit_code == 1
    assert "drafts/02-serum-launch.md#1" in json.dumps(json.loads(result.stdout))


def test_bad_config_is_exit_2_with_file_and_line(repo):
    Path(".clearlabel.yml").write_text("markets: [GB]\nfail_on: error\n", encoding="utf-8")
    result = run("check", "drafts/")
    assert result.exit_code == 2
    assert ".clearlabel.yml:2:" in result.stderr and "fail-on" in result.stderr


def test_unreadable_draft_is_exit_2(repo):
    Path("drafts/06-broken.yml").write_text("- text: hi\n  plaform: tiktok\n", encoding="utf-8")
    result = run("check", "drafts/06-broken.yml")
    assert result.exit_code == 2
    assert "drafts/06-broken.yml:2" in result.output


def test_suppression_without_reason(repo):
    Path("drafts/02-serum-launch.md").write_text(
        Path("drafts/02-serum-launch.md").read_text() + "<!-- clearlabel: disable=GB-NO-LABEL -->\n")
    result = run("check", "drafts/02-serum-launch.md")
    assert result.exit_code == 1
    rules = flagged(result.stdout)["drafts/02-serum-launch.md"]
    assert {"GB-NO-LABEL", "clearlabel-suppression-reason"} <= rules


def test_baseline_adoption(repo):
    result = run("check", "drafts/", "--write-baseline", ".clearlabel-baseline.json")
    assert Path(".clearlabel-baseline.json").is_file(), result.output
    assert run("check", "drafts/", "--baseline", ".clearlabel-baseline.json").exit_code == 0
    # Moving a draft's text down its file keeps it accepted ...
    serum = Path("drafts/02-serum-launch.md")
    serum.write_text(serum.read_text().replace("---\nNight", "---\n\n\nNight"))
    assert run("check", "drafts/", "--baseline", ".clearlabel-baseline.json").exit_code == 0
    # ... but a new problem still fails the build.
    Path("drafts/07-new.md").write_text("---\nmarket: GB\n---\nCode NEW10 at @solenne.skin\n", encoding="utf-8")
    result = run("check", "drafts/", "--baseline", ".clearlabel-baseline.json")
    assert result.exit_code == 1 and set(flagged(result.stdout)) == {"drafts/07-new.md"}


def test_config_show(repo):
    result = run("config", "show")
    assert result.exit_code == 0
    assert "markets: [GB]  # .clearlabel.yml:2" in result.stdout
    assert "fail-on: error  # .clearlabel.yml:4" in result.stdout


def test_rules_docs(repo):
    result = run("rules", "docs", "--docs-dir", "docs/rules")
    assert result.exit_code == 0, result.output
    assert Path("docs/rules/GB-NO-LABEL.md").is_file() and Path("docs/rules/README.md").is_file()


def test_audit_accepts_sarif(repo):
    result = run("audit", "posts.jsonl", "--format", "sarif", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    assert regions and all(set(region) == {"startLine"} for region in regions)
