"""`clearlabel audit`, `report`, `rules` and `eval` end to end on the bundled example."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "posts.jsonl"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_text_report_shows_every_verdict_findings_and_a_summary():
    result = run("audit", str(EXAMPLE), "--no-color")
    assert result.exit_code == 1                      # findings at the default --fail-on error
    out = result.stdout
    for verdict in ("UNDISCLOSED", "INADEQUATE", "DISCLOSED", "REVIEW", "NO_EVIDENCE"):
        assert verdict in out
    assert "US-NO-LABEL [US]" in out and "cite: FTC Act" in out and "fix:" in out
    assert "[[code HOLLY20]]" in out                  # evidence marked in place
    assert "posts read 16: audited 16, rejected 0" in out


def test_jsonl_output_has_one_object_per_post_and_a_summary():
    records = jsonl(run("audit", str(EXAMPLE), "--format", "jsonl").stdout)
    posts = [r for r in records if r["type"] == "post"]
    summary = records[-1]
    assert len(posts) == 16 and summary["type"] == "summary"
    assert summary["read"] == summary["audited"] + summary["rejected"] == 16
    first = posts[0]
    assert first["verdict"] == "undisclosed" and first["markets"] == {"US": "undisclosed"}
    finding = first["findings"][0]
    assert {"rule", "severity", "market", "message", "citation", "fix", "spans"} <= set(finding)
    span = finding["spans"][0]
    assert first["post"][span["field"]][span["start"]:span["end"]] == span["text"]


@pytest.mark.parametrize("fail_on, code", [("never", 0), ("error", 1), ("warning", 1)])
def test_fail_on_sets_the_exit_code(fail_on, code):
    assert run("audit", str(EXAMPLE), "--fail-on", fail_on).exit_code == code


def test_clean_posts_exit_zero(tmp_path):
    path = tmp_path / "clean.jsonl"
    path.write_text(json.dumps({"id": "c1", "text": "#ad code MAYA15 at @beanbrew", "market": ["US"]}) + "\n")
    assert run("audit", str(path)).exit_code == 0


def test_market_option_overrides_and_unknown_market_is_a_usage_error():
    records = jsonl(run("audit", str(EXAMPLE), "--format", "jsonl", "--market", "DE").stdout)
    assert {tuple(r["markets"]) for r in records if r["type"] == "post"} == {("DE",)}
    result = run("audit", str(EXAMPLE), "--market", "XX")
    assert result.exit_code == 2 and "no rule pack for market XX" in result.stderr


def test_bad_records_are_reported_and_the_rest_is_audited(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"id": "a", "text": "use code MAYA15 @x", "market": ["US"]}\n'
                    '{"id": "b", "text": \n'
                    '{"id": "c", "market": ["US"]}\n'
                    '{"id": "d", "text": "Sunday walk", "market": ["US"]}\n', encoding="utf-8")
    result = run("audit", str(path), str(tmp_path / "missing.jsonl"), "--format", "jsonl")
    assert result.exit_code == 2
    assert f"{path}:2:" in result.stderr and f"{path}:3:" in result.stderr
    assert "missing.jsonl" in result.stderr
    summary = jsonl(result.stdout)[-1]
    assert (summary["read"], summary["audited"], summary["rejected"]) == (4, 2, 2)
    assert len(summary["file_errors"]) == 1


def test_posts_without_any_known_market_are_rejected_with_a_reason(tmp_path):
    path = tmp_path / "nomarket.jsonl"
    path.write_text('{"id": "a", "text": "use code MAYA15", "market": ["SE"]}\n', encoding="utf-8")
    result = run("audit", str(path), "--format", "jsonl")
    assert result.exit_code == 2
    assert "no rule pack for market 'SE'" in result.stderr and "has no market with a rule pack" in result.stderr


def test_stdin_is_read_with_a_dash():
    line = json.dumps({"id": "s1", "text": "use code MAYA15 for 15% off @beanbrew", "market": ["US"]})
    records = jsonl(run("audit", "-", "--format", "jsonl", input=line + "\n").stdout)
    assert records[0]["id"] == "s1" and records[0]["verdict"] == "undisclosed"


def test_jobs_give_byte_identical_output():
    one = run("audit", str(EXAMPLE), "--format", "jsonl").stdout
    two = run("audit", str(EXAMPLE), "--format", "jsonl", "--jobs", "2").stdout
    assert one == two


def test_report_dir_and_report_from_a_saved_audit(tmp_path):
    saved = tmp_path / "audit.jsonl"
    run("audit", str(EXAMPLE), "--format", "jsonl", "--output", str(saved), "--report-dir", str(tmp_path / "direct"))
    result = run("report", str(saved), "--report-dir", str(tmp_path / "later"))
    assert result.exit_code == 0
    for out in ("direct", "later"):
        assert (tmp_path / out / "index.html").is_file()
        assert (tmp_path / out / "findings.csv").is_file()
        assert len(list((tmp_path / out / "influencers").glob("*.html"))) == 3
    assert (tmp_path / "direct" / "findings.csv").read_bytes() == (tmp_path / "later" / "findings.csv").read_bytes()


def test_rules_list_show_and_test():
    listed = run("rules", "list", "--market", "GB").stdout
    assert "GB-NO-LABEL" in listed and "US-NO-LABEL" not in listed
    shown = run("rules", "show", "US-LABEL-BELOW-FOLD").stdout
    assert "citation: 16 CFR 255.0(f)" in shown and "fails on:" in shown and "passes:" in shown
    assert run("rules", "show", "NOPE").exit_code == 2
    tested = run("rules", "test")
    assert tested.exit_code == 0 and " 0 failed" in tested.stdout


def test_eval_prints_a_confusion_matrix_and_gates(tmp_path):
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"id": "1", "text": "use code MAYA15 @beanbrew", "market": ["US"], "expected": {"verdict": "undisclosed"}},
        {"id": "2", "text": "#ad use code MAYA15 @beanbrew", "market": ["US"], "expected": {"verdict": "disclosed"}},
        {"id": "3", "text": "Sunday walk with the dog", "market": ["US"], "expected": {"verdict": "review"}},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = run("eval", str(path))
    assert result.exit_code == 0
    assert "accuracy: 2/3" in result.stdout and "3 [US] expected review, got no_evidence" in result.stdout
    gated = run("eval", str(path), "--min-accuracy", "0.9")
    assert gated.exit_code == 1 and "gate failed" in gated.stderr


def test_rules_docs_write_a_page_per_rule_and_a_markets_page(tmp_path):
    result = run("rules", "docs", "--docs-dir", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "US-NO-LABEL.md").is_file() and (tmp_path / "README.md").is_file()
    markets = (tmp_path / "markets.md").read_text(encoding="utf-8")
    for market in ("US", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "DK", "NO", "FI", "PL", "CA", "AU", "IN", "BR", "IE"):
        assert f"## {market} — " in markets
    assert "§ 5a" in markets and "`#ad`" in markets
