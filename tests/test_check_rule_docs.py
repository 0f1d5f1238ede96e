"""`clearlabel rules docs`: a page per rule and an index by market."""
from __future__ import annotations

from checker.model import RuleInfo, Severity, Verdict
from checker.rule_docs import GENERATED_MARKER, doc_filename, write_rule_docs
from checker.suppress import META_RULES

RULE = RuleInfo(
    id="GB-NO-LABEL", title="Commercial relationship with no label", severity=Severity.ERROR, market="GB",
    verdict=Verdict.UNDISCLOSED, message="The post is not labelled as an ad.",
    citation="CAP Code rules 2.1 and 2.3", fix='Put "Ad" at the start.',
    description="Any payment or gift makes a post something to disclose.", pack="market-gb@2026.11",
    effective_from="2024-05-24", failing_examples=("code ```GLOW``` now",), passing_examples=("Ad | code GLOW",))
US_RULE = RuleInfo(id="US/odd id", title="A | pipe", severity=Severity.WARNING, market="US",
                   verdict=Verdict.INADEQUATE, message="m", citation="16 CFR 255.5", fix="f")


def test_pages_and_index(tmp_path):
    rules = {RULE.id: RULE, US_RULE.id: US_RULE, **META_RULES}
    written = write_rule_docs(rules, tmp_path / "docs" / "rules")
    names = sorted(path.name for path in written)
    assert names == sorted(["GB-NO-LABEL.md", "US_odd_id.md", "README.md",
                            "clearlabel-suppression-reason.md", "clearlabel-unused-suppression.md",
                            "clearlabel-unknown-rule.md"])
    page = (tmp_path / "docs/rules/GB-NO-LABEL.md").read_text()
    assert page.startswith(GENERATED_MARKER)
    for expected in ("# GB-NO-LABEL: Commercial relationship with no label", "## What it checks",
                     "Any payment or gift", "## Why: the rule it applies", "CAP Code rules 2.1 and 2.3",
                     "## How to fix", "| In force | 2024-05-24 to now |", "## Fails", "## Passes",
                     "````text\ncode ```GLOW``` now\n````", "```text\nAd | code GLOW\n```"):
        assert expected in page, expected
    index = (tmp_path / "docs/rules/README.md").read_text()
    assert index.index("## GB") < index.index("## US") < index.index("## All markets")
    assert "| [GB-NO-LABEL](GB-NO-LABEL.md) | error | Commercial relationship with no label |" in index
    assert "A \\| pipe" in index
    assert doc_filename("US/odd id") == "US_odd_id.md"


def test_regenerating_removes_only_stale_generated_pages(tmp_path):
    out = tmp_path / "rules"
    write_rule_docs({RULE.id: RULE, US_RULE.id: US_RULE}, out)
    (out / "notes.md").write_text("hand-written\n")
    write_rule_docs({RULE.id: RULE}, out)
    assert sorted(path.name for path in out.iterdir()) == ["GB-NO-LABEL.md", "README.md", "notes.md"]
