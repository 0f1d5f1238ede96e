"""Suppressions: inline directives in drafts, and baselines of accepted findings.

An inline directive names the rules it silences and must say why:

    <!-- clearlabel: disable=RULE[,RULE...] reason="..." -->   (Markdown, text)
    # clearlabel: disable=RULE[,RULE...] reason="..."           (YAML)

A directive without a reason silences nothing and is itself a finding; a
directive that silences nothing is reported too, so stale ones get removed.

A baseline lets a repository adopt the checker without fixing every old
draft first: `write_baseline` records a fingerprint of each current finding,
and `apply_baseline` marks the same findings as suppressed on later runs.
Fingerprints hash the rule, market, the evidence text and the post id, never
line numbers, so entries survive edits that move a post around its file.
"""
from __future__ import annotations

import hashlib
import json
import re
import shlex
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from .model import Finding, PostResult, RuleInfo, Severity, Verdict

REASON_RULE = "clearlabel-suppression-reason"
UNUSED_RULE = "clearlabel-unused-suppression"
BASELINE_VERSION = 1
BASELINE_REASON_PREFIX = "accepted in baseline "

# "disable=A, B" reads as "disable=A,B"
_RULE_LIST = re.compile(r"disable\s*=\s*(?P<rules>[^\s\"'=,]+(?:\s*,\s*[^\s\"'=,]+)*)")
_DIRECTIVE_HELP = 'expected: clearlabel: disable=RULE[,RULE...] reason="why"'

META_RULES: dict[str, RuleInfo] = {
    REASON_RULE: RuleInfo(
        id=REASON_RULE,
        title="Suppression without a reason",
        severity=Severity.ERROR,
        market="",
        verdict=Verdict.REVIEW,
        message="A clearlabel suppression gives no reason, so it does not apply.",
        citation="",
        fix='Add reason="…" saying why the finding does not apply, or remove the suppression.',
        description=(
            "Every inline suppression must explain itself, so that a reviewer can tell a "
            "considered exception from a silenced problem. A suppression without a reason "
            "silences nothing. Write `<!-- clearlabel: disable=RULE reason=\"…\" -->` in "
            "Markdown or `# clearlabel: disable=RULE reason=\"…\"` in YAML."
        ),
    ),
    UNUSED_RULE: RuleInfo(
        id=UNUSED_RULE,
        title="Unused suppression",
        severity=Severity.WARNING,
        market="",
        verdict=Verdict.REVIEW,
        message="A clearlabel suppression names a rule that reported nothing in this post.",
        citation="",
        fix="Remove the suppression, or correct the rule id it names.",
        description=(
            "A suppression that matches no finding is stale (the draft was fixed) or names the "
            "wrong rule. Left in place, it would silently hide a future problem."
        ),
    ),
}


class DirectiveError(ValueError):
    """An inline directive that cannot be read."""


class BaselineError(ValueError):
    """A baseline file that cannot be read."""


@dataclass(frozen=True)
class Suppression:
    rules: tuple[str, ...]
    reason: str | None       # None or blank: the suppression does not apply
    path: str
    line: int
    column: int = 1


def parse_directive(body: str, path: str, line: int, column: int = 1) -> Suppression:
    """Read the part of a directive after `clearlabel:`."""
    body = _RULE_LIST.sub(lambda match: "disable=" + re.sub(r"\s*,\s*", ",", match["rules"]), body)
    try:
        words = shlex.split(body, comments=False, posix=True)
    except ValueError as error:
        raise DirectiveError(f"unreadable clearlabel directive ({error}); {_DIRECTIVE_HELP}") from None
    rules: tuple[str, ...] = ()
    reason: str | None = None
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            raise DirectiveError(f"unreadable clearlabel directive {word!r}; {_DIRECTIVE_HELP}")
        if key == "disable":
            rules = tuple(rule.strip() for rule in value.split(",") if rule.strip())
        elif key == "reason":
            reason = value.strip() or None
        else:
            raise DirectiveError(f"unknown clearlabel directive key {key!r}; {_DIRECTIVE_HELP}")
    if not rules:
        raise DirectiveError(f"clearlabel directive names no rule; {_DIRECTIVE_HELP}")
    return Suppression(rules, reason, path, line, column)


def _meta_finding(rule: str, message: str) -> Finding:
    info = META_RULES[rule]
    return Finding(rule=rule, severity=info.severity, market="", verdict=info.verdict,
                   message=message, citation="", fix=info.fix)


def apply_suppressions(result: PostResult, suppressions: Sequence[Suppression]) -> PostResult:
    """Mark findings silenced by a directive with its reason, and add findings
    for directives without a reason and for directives that matched nothing."""
    matched: set[tuple[int, str]] = set()
    findings: list[Finding] = []
    for finding in result.findings:
        for index, suppression in enumerate(suppressions):
            if finding.rule not in suppression.rules:
                continue
            matched.add((index, finding.rule))
            if finding.suppressed is None and suppression.reason:
                finding = replace(finding, suppressed=suppression.reason)
        findings.append(finding)
    for index, suppression in enumerate(suppressions):
        if not suppression.reason:
            findings.append(_meta_finding(
                REASON_RULE,
                f"The suppression of {', '.join(suppression.rules)} on line {suppression.line} "
                "gives no reason, so it does not apply.",
            ))
        for rule in suppression.rules:
            if (index, rule) not in matched:
                findings.append(_meta_finding(
                    UNUSED_RULE,
                    f"The suppression of {rule} on line {suppression.line} matched no finding in this post.",
                ))
    return replace(result, findings=findings)


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fingerprint(result: PostResult, finding: Finding) -> str:
    """A stable id for a finding: the same problem in the same post keeps it
    when lines move or the message is reworded."""
    return _fingerprint(finding.rule, finding.market, tuple(span.text for span in finding.spans), result.post.id)


# The history store and the JSON and SARIF outputs each name every finding
# of a post: the same fingerprints, computed once.
@lru_cache(maxsize=4096)
def _fingerprint(rule: str, market: str, texts: tuple[str, ...], post_id: str) -> str:
    evidence = "\x1e".join(_normalise(text) for text in texts)
    payload = "\x1f".join((rule, market, evidence, post_id))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass
class Baseline:
    path: str
    remaining: Counter      # fingerprint -> how many findings it still accepts


def write_baseline(path: str | Path, results: Iterable[PostResult]) -> int:
    """Write every finding not already suppressed; return how many."""
    entries = [
        {"fingerprint": fingerprint(result, finding), "rule": finding.rule,
         "market": finding.market, "post": result.post.id}
        for result in results for finding in result.findings if finding.suppressed is None
    ]
    entries.sort(key=lambda entry: (entry["post"], entry["rule"], entry["market"], entry["fingerprint"]))
    document = {"version": BASELINE_VERSION, "tool": "clearlabel", "findings": entries}
    Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def load_baseline(path: str | Path) -> Baseline:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", 0)
        raise BaselineError(f"{path}:{line}: not a clearlabel baseline (invalid JSON)") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{path}: not a clearlabel baseline of version {BASELINE_VERSION}")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in entries):
        raise BaselineError(f"{path}: 'findings' must be a list of objects with a 'fingerprint'")
    return Baseline(str(path), Counter(entry["fingerprint"] for entry in entries))


def apply_baseline(result: PostResult, baseline: Baseline) -> PostResult:
    """Mark findings the baseline accepts as suppressed. Each entry accepts
    one finding, so a second identical problem in the same post still shows."""
    findings: list[Finding] = []
    for finding in result.findings:
        if finding.suppressed is None:
            key = fingerprint(result, finding)
            if baseline.remaining[key] > 0:
                baseline.remaining[key] -= 1
                finding = replace(finding, suppressed=BASELINE_REASON_PREFIX + baseline.path)
        findings.append(finding)
    return replace(result, findings=findings)


def is_baseline_reason(reason: str) -> bool:
    return reason.startswith(BASELINE_REASON_PREFIX)
