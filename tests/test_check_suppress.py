"""Inline suppressions and baselines."""
from __future__ import annotations

import json

import pytest

from checker.model import Finding, Origin, Post, PostResult, Severity, Span, Verdict
from checker.suppress import (
    META_RULES, REASON_RULE, UNUSED_RULE, BaselineError, DirectiveError, Suppression, apply_baseline,
    apply_suppressions, fingerprint, is_baseline_reason, load_baseline, parse_directive, write_baseline,
)


def finding(rule: str = "GB-NO-LABEL", text: str = "code GLOW15", market: str = "GB", **changes) -> Finding:
    values = dict(rule=rule, severity=Severity.ERROR, market=market, verdict=Verdict.UNDISCLOSED,
                  message="The post is not labelled as an ad.", citation="CAP Code 2.1", fix="Add #ad.",
                  spans=(Span("text", 0, len(text), text),))
    values.update(changes)
    return Finding(**values)


def result(*findings: Finding, post_id: str = "drafts/a.md#1", text: str = "code GLOW15") -> PostResult:
    post = Post(id=post_id, text=text, origin=Origin("drafts/a.md", 3, (("text", 3, 1),)))
    return PostResult(post=post, verdict=Verdict.UNDISCLOSED, findings=list(findings))


def test_parse_directive():
    parsed = parse_directive(' disable=A, B reason="said in the video" ', "d.md", 4, 1)
    assert parsed == Suppression(("A", "B"), "said in the video", "d.md", 4, 1)
    assert parse_directive("disable=A reason=''", "d.md", 1).reason is None
    for bad in ("", "reason=x", "disable", "enable=A", 'disable=A reason="open'):
        with pytest.raises(DirectiveError):
            parse_directive(bad, "d.md", 1)


def test_suppression_with_reason_marks_the_finding():
    before = result(finding(), finding(rule="GB-OTHER"))
    after = apply_suppressions(before, [Suppression(("GB-NO-LABEL",), "label is spoken", "d.md", 5)])
    assert [f.suppressed for f in after.findings] == ["label is spoken", None]
    assert before.findings[0].suppressed is None, "the input is not changed"


def test_suppression_without_reason_does_not_apply_and_is_a_finding():
    after = apply_suppressions(result(finding()), [Suppression(("GB-NO-LABEL",), None, "d.md", 5)])
    original, missing = after.findings
    assert original.suppressed is None
    assert missing.rule == REASON_RULE and missing.severity is Severity.ERROR and "line 5" in missing.message
    assert UNUSED_RULE not in [f.rule for f in after.findings], "it matched, it just has no reason"


def test_unused_suppression_is_reported_per_rule():
    after = apply_suppressions(result(finding()), [Suppression(("GB-NO-LABEL", "GB-TYPO"), "why", "d.md", 7)])
    unused = [f for f in after.findings if f.rule == UNUSED_RULE]
    assert len(unused) == 1 and "GB-TYPO" in unused[0].message and unused[0].severity is Severity.WARNING
    assert set(META_RULES) == {REASON_RULE, UNUSED_RULE}


def test_fingerprint_ignores_lines_and_wording_but_not_evidence_rule_or_post():
    base = fingerprint(result(finding()), finding())
    moved = PostResult(post=Post(id="drafts/a.md#1", text="\n\ncode GLOW15",
                                 origin=Origin("drafts/a.md", 30, (("text", 30, 4),))),
                       verdict=Verdict.UNDISCLOSED)
    assert fingerprint(moved, finding(message="Reworded.", spans=(Span("text", 2, 13, "code  GLOW15"),))) == base
    assert fingerprint(result(finding()), finding(text="code OTHER")) != base
    assert fingerprint(result(finding()), finding(rule="GB-X")) != base
    assert fingerprint(result(finding(), post_id="drafts/a.md#2"), finding()) != base


def test_baseline_round_trip(tmp_path):
    path = tmp_path / "baseline.json"
    old = [result(finding(), finding(), finding(rule="GB-B", suppressed="inline reason"))]
    assert write_baseline(path, old) == 2
    document = json.loads(path.read_text())
    assert document["version"] == 1 and len(document["findings"]) == 2
    baseline = load_baseline(path)
    # Three identical findings now: the baseline accepted two, the third is new.
    after = apply_baseline(result(finding(), finding(), finding(), finding(rule="GB-NEW")), baseline)
    states = [f.suppressed for f in after.findings]
    assert states[:2] == [f"accepted in baseline {path}"] * 2 and states[2:] == [None, None]
    assert is_baseline_reason(states[0]) and not is_baseline_reason("inline reason")


@pytest.mark.parametrize("content, message", [
    ("{", "invalid JSON"),
    ('{"version": 9, "findings": []}', "version 1"),
    ('{"version": 1, "findings": [{"rule": "x"}]}', "fingerprint"),
])
def test_bad_baseline(tmp_path, content, message):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(BaselineError, match=message):
        load_baseline(path)
    with pytest.raises(BaselineError, match="cannot read"):
        load_baseline(tmp_path / "missing.json")
