"""Suppressions: inline directives in drafts, and baselines of accepted findings.

An inline directive names the rules it silences and must say why:

    <!-- clearlabel: disable=RULE[,RULE...] reason="..." -->   (Markdown, text)
    # clearlabel: disable=RULE[,RULE...] reason="..."           (YAML)

A directive without a reason silences nothing and is itself a finding; a
directive that silences nothing is reported too, so stale ones get removed.

A directive naming a rule that does not exist is an error at the
directive's own line, with the closest rule id as a suggestion.

A baseline lets a repository adopt the checker without fixing every old
draft first: `write_baseline` records a fingerprint of each current finding,
and `apply_baseline` marks the same findings as suppressed on later runs.
Fingerprints hash the rule, market, the evidence text and the post's stable
identity (its id, or only its file when the id merely numbers the post in
its file), never line numbers or positions, so entries survive edits that
move a post around its file or insert posts before it.
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
from typing import Callable, Collection, Iterable, Sequence

from .model import Finding, PostResult, RuleInfo, Severity, Verdict
from .selection import unknown_rule_message

REASON_RULE = "clearlabel-suppression-reason"
UNUSED_RULE = "clearlabel-unused-suppression"
UNKNOWN_RULE = "clearlabel-unknown-rule"
BASELINE_VERSION = 2
_READABLE_VERSIONS = (1, 2)     # version 1 keyed every post by its id, positions included
BASELINE_REASON_PREFIX = "accepted in baseline "

# "disable=A, B" reads as "disable=A,B"
_RULE_LIST = re.compile(r"disable\s*=\s*(?P<rules>[^\s\"'=,]+(?:\s*,\s*[^\s\"'=,]+)*)")
_DIRECTIVE_HELP = 'expected: clearlabel: disable=RULE[,RULE...] reason="why"'

def _meta_rule(rule_id: str, severity: Severity, title: str, message: str, fix: str, description: str) -> RuleInfo:
    """A rule about the suppressions themselves: no market, no citation."""
    return RuleInfo(id=rule_id, title=title, severity=severity, market="", verdict=Verdict.REVIEW,
                    message=message, citation="", fix=fix, description=description)


META_RULES: dict[str, RuleInfo] = {rule.id: rule for rule in (
    _meta_rule(
        REASON_RULE, Severity.ERROR, "Suppression without a reason",
        "A clearlabel suppression gives no reason, so it does not apply.",
        'Add reason="…" saying why the finding does not apply, or remove the suppression.',
        "Every inline suppression must explain itself, so that a reviewer can tell a "
        "considered exception from a silenced problem. A suppression without a reason "
        "silences nothing. Write `<!-- clearlabel: disable=RULE reason=\"…\" -->` in "
        "Markdown or `# clearlabel: disable=RULE reason=\"…\"` in YAML."),
    _meta_rule(
        UNUSED_RULE, Severity.WARNING, "Unused suppression",
        "A clearlabel suppression names a rule that reported nothing in this post.",
        "Remove the suppression, or correct the rule id it names.",
        "A suppression that matches no finding is stale (the draft was fixed) or names the "
        "wrong rule. Left in place, it would silently hide a future problem. A suppression "
        "of a rule that does not run (left out by `select` or `ignore`) is not reported."),
    _meta_rule(
        UNKNOWN_RULE, Severity.ERROR, "Suppression of a rule that does not exist",
        "A clearlabel suppression names a rule that does not exist.",
        "Correct the rule id (see `clearlabel rules list`), or remove the suppression.",
        "A misspelt rule id in a suppression silences nothing, and the finding it was meant "
        "for still shows; or, worse, it looks as if a problem had been dealt with. The "
        "finding points at the suppression and suggests the closest rule id."),
)}


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


def _meta_finding(rule: str, message: str, suppression: Suppression) -> Finding:
    info = META_RULES[rule]
    return Finding(rule=rule, severity=info.severity, market="", verdict=info.verdict,
                   message=message, citation="", fix=info.fix, at=(suppression.line, suppression.column))


def apply_suppressions(result: PostResult, suppressions: Sequence[Suppression], *,
                       known_rules: Collection[str] | None = None,
                       rule_runs: Callable[[str], bool] | None = None) -> PostResult:
    """Mark findings silenced by a directive with its reason, and add findings,
    at the directive's line, for directives without a reason, naming a rule
    that does not exist (when `known_rules` is given) or matching nothing
    (for rules that ran: `rule_runs`)."""
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
                REASON_RULE, f"The suppression of {', '.join(suppression.rules)} gives no reason, so it does not apply.",
                suppression))
        for rule in suppression.rules:
            if (index, rule) in matched:
                continue
            if known_rules is not None and rule not in known_rules:
                findings.append(_meta_finding(
                    UNKNOWN_RULE, f"The suppression names {unknown_rule_message(rule, known_rules)}.", suppression))
            elif rule_runs is None or rule_runs(rule):
                findings.append(_meta_finding(
                    UNUSED_RULE, f"The suppression of {rule} matched no finding in this post.", suppression))
    return replace(result, findings=findings)


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def post_identity(result: PostResult) -> str:
    """What names a post across edits: its id, or its file when the id only
    numbers the post within the file."""
    origin = result.post.origin
    return origin.path if origin is not None and origin.positional else result.post.id


def fingerprint(result: PostResult, finding: Finding, version: int = BASELINE_VERSION) -> str:
    """A stable id for a finding: the same problem in the same post keeps it
    when lines move, posts are inserted before it or the message is reworded."""
    post = result.post.id if version == 1 else post_identity(result)
    return _fingerprint(finding.rule, finding.market, tuple(span.text for span in finding.spans), post)


# The history store and the JSON and SARIF outputs each name every finding
# of a post: the same fingerprints, computed once.
@lru_cache(maxsize=4096)
def _fingerprint(rule: str, market: str, texts: tuple[str, ...], post: str) -> str:
    evidence = "\x1e".join(_normalise(text) for text in texts)
    payload = "\x1f".join((rule, market, evidence, post))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass
class Baseline:
    path: str
    remaining: Counter      # fingerprint -> how many findings it still accepts
    version: int = BASELINE_VERSION


def _baselined(finding: Finding) -> bool:
    """A misspelt rule id is always an error: no baseline accepts it."""
    return finding.suppressed is None and finding.rule != UNKNOWN_RULE


def write_baseline(path: str | Path, results: Iterable[PostResult]) -> int:
    """Write every finding not already suppressed; return how many."""
    entries = [
        {"fingerprint": fingerprint(result, finding), "rule": finding.rule,
         "market": finding.market, "post": result.post.id}
        for result in results for finding in result.findings if _baselined(finding)
    ]
    entries.sort(key=lambda entry: (entry["post"], entry["rule"], entry["market"], entry["fingerprint"]))
    document = {"version": BASELINE_VERSION, "tool": "clearlabel", "findings": entries}
    Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def load_baseline(path: str | Path, known_rules: Collection[str] | None = None) -> Baseline:
    """Read a baseline; with `known_rules`, an entry for a rule that does not
    exist is an error naming its line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        document = json.loads(text)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", 0)
        raise BaselineError(f"{path}:{line}: not a clearlabel baseline (invalid JSON)") from None
    if not isinstance(document, dict) or document.get("version") not in _READABLE_VERSIONS:
        raise BaselineError(f"{path}: not a clearlabel baseline of version {BASELINE_VERSION}")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in entries):
        raise BaselineError(f"{path}: 'findings' must be a list of objects with a 'fingerprint'")
    if known_rules is not None:
        for entry in entries:
            rule = entry.get("rule")
            if isinstance(rule, str) and rule not in known_rules:
                raise BaselineError(f"{path}:{_line_of_rule(text, rule)}: {unknown_rule_message(rule, known_rules)}; "
                                    "remove the entry or write the baseline again")
    return Baseline(str(path), Counter(entry["fingerprint"] for entry in entries), document["version"])


def _line_of_rule(text: str, rule: str) -> int:
    """The line of the first entry for `rule` (the baseline is JSON we wrote,
    one key per line; a hand-edited one may put it elsewhere)."""
    match = re.search(r'"rule"\s*:\s*' + re.escape(json.dumps(rule, ensure_ascii=False)), text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def apply_baseline(result: PostResult, baseline: Baseline) -> PostResult:
    """Mark findings the baseline accepts as suppressed. Each entry accepts
    one finding, so a second identical problem in the same post still shows."""
    findings: list[Finding] = []
    for finding in result.findings:
        if _baselined(finding):
            key = fingerprint(result, finding, baseline.version)
            if baseline.remaining[key] > 0:
                baseline.remaining[key] -= 1
                finding = replace(finding, suppressed=BASELINE_REASON_PREFIX + baseline.path)
        findings.append(finding)
    return replace(result, findings=findings)


def is_baseline_reason(reason: str) -> bool:
    return reason.startswith(BASELINE_REASON_PREFIX)
