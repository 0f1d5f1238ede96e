"""Inline suppressions and baselines."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from checker.model import Finding, Origin, Post, PostResult, Severity, Span, Verdict
from checker.suppress import (
    META_RULES, REASON_RULE, UNKNOWN_RULE, UNUSED_RULE, BaselineError, Baseline, DirectiveError, Suppression, apply_baseline,
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
    assert missing.rule == REASON_RULE and missing.severity is Severity.ERROR
    assert missing.at == (5, 1), "reported at the suppression's own line"
    assert UNUSED_RULE not in [f.rule for f in after.findings], "it matched, it just has no reason"


def test_unused_suppression_is_reported_per_rule():
    after = apply_suppressions(result(finding()), [Suppression(("GB-NO-LABEL", "GB-TYPO"), "why", "d.md", 7)])
    unused = [f for f in after.findings if f.rule == UNUSED_RULE]
    assert len(unused) == 1 and "GB-TYPO" in unused[0].message and unused[0].severity is Severity.WARNING
    assert unused[0].at == (7, 1)
    assert set(META_RULES) == {REASON_RULE, UNUSED_RULE, UNKNOWN_RULE}


def test_suppression_of_an_unknown_rule_is_an_error_with_a_suggestion():
    known = {"GB-NO-LABEL", "GB-UNCLEAR-LABEL"}
    after = apply_suppressions(result(finding()), [Suppression(("GB-NO-LABLE",), "why", "d.md", 9, 3)],
                               known_rules=known)
    [original, unknown] = after.findings
    assert original.suppressed is None
    assert unknown.rule == UNKNOWN_RULE and unknown.severity is Severity.ERROR and unknown.at == (9, 3)
    assert "unknown rule 'GB-NO-LABLE' (did you mean 'GB-NO-LABEL'?)" in unknown.message


def test_suppression_of_a_rule_that_does_not_run_is_not_unused():
    after = apply_suppressions(result(), [Suppression(("GB-UNCLEAR-LABEL",), "why", "d.md", 2)],
                               known_rules={"GB-UNCLEAR-LABEL"}, rule_runs=lambda rule: False)
    assert after.findings == []


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
    assert document["version"] == 2 and len(document["findings"]) == 2
    baseline = load_baseline(path)
    # Three identical findings now: the baseline accepted two, the third is new.
    after = apply_baseline(result(finding(), finding(), finding(), finding(rule="GB-NEW")), baseline)
    states = [f.suppressed for f in after.findings]
    assert states[:2] == [f"accepted in baseline {path}"] * 2 and states[2:] == [None, None]
    assert is_baseline_reason(states[0]) and not is_baseline_reason("inline reason")


def test_baseline_with_an_unknown_rule_names_its_line(tmp_path):
    path = tmp_path / "b.json"
    write_baseline(path, [result(finding(rule="GB-NO-LABLE"))])
    with pytest.raises(BaselineError) as caught:
        load_baseline(path, known_rules={"GB-NO-LABEL"})
    assert str(caught.value).startswith(f"{path}:7: unknown rule 'GB-NO-LABLE' (did you mean 'GB-NO-LABEL'?)")


def test_series_post_without_a_name_is_keyed_by_its_file():
    numbered = Post(id="drafts/a.md#2", text="code GLOW15", origin=Origin("drafts/a.md", 9, positional=True))
    moved = Post(id="drafts/a.md#3", text="code GLOW15", origin=Origin("drafts/a.md", 14, positional=True))
    first, second = (PostResult(post, Verdict.UNDISCLOSED) for post in (numbered, moved))
    assert fingerprint(first, finding()) == fingerprint(second, finding())
    named = Post(id="drafts/a.md#day-2", text="code GLOW15", origin=Origin("drafts/a.md", 9))
    assert fingerprint(PostResult(named, Verdict.UNDISCLOSED), finding()) != fingerprint(first, finding())
    # A baseline of version 1 (keyed by post id, positions included) is still honoured.
    old = {"version": 1, "findings": [{"fingerprint": fingerprint(first, finding(), version=1)}]}
    assert fingerprint(first, finding(), version=1) != fingerprint(second, finding(), version=1)
    baseline = Baseline("old.json", Counter(entry["fingerprint"] for entry in old["findings"]), 1)
    assert apply_baseline(PostResult(numbered, Verdict.UNDISCLOSED, findings=[finding()]), baseline
                          ).findings[0].suppressed == "accepted in baseline old.json"


@pytest.mark.parametrize("content, message", [
    ("{", "invalid JSON"),
    ('{"version": 9, "findings": []}', "version 2"),
    ('{"version": 1, "findings": [{"rule": "x"}]}', "fingerprint"),
])
def test_bad_baseline(tmp_path, content, message):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(BaselineError, match=message):
        load_baseline(path)
    with pytest.raises(BaselineError, match="cannot read"):
        load_baseline(tmp_path / "missing.json")
