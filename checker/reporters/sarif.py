"""SARIF 2.1.0, for code-scanning dashboards.

Every rule known to the run is described in `tool.driver.rules` (short and
full description, help with the citation and the fix). `helpUri` must be an
absolute URI, so it is set only when a base for the rule pages is known:
`ReportContext.extra["help_uri_base"]` or the `CLEARLABEL_HELP_URI_BASE`
environment variable (the GitHub Action sets it to the action's own
`docs/rules/`); the page is `<base><RULE-ID>.md`.

File locations are relative to the working directory through the
`%SRCROOT%` base id; columns count Unicode code points. Posts from an export
carry only the record's line. Suppressed findings keep their place with a
`suppressions` entry: `inSource` for an inline directive, `external` for a
baseline.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlparse

from ..locate import Location, finding_location, offset_position
from ..model import Finding, PostResult, Rejected, Review, RuleInfo, Severity, Summary
from ..rule_docs import doc_filename
from ..serialize import json_dumps
from ..suppress import META_RULES, fingerprint, is_baseline_reason
from .base import Reporter

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "clearlabel/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def help_uri_base(extra: dict) -> str | None:
    base = extra.get("help_uri_base") or os.environ.get("CLEARLABEL_HELP_URI_BASE")
    if not base or not urlparse(base).scheme:
        return None
    return base if base.endswith("/") else base + "/"


def _pascal(title: str) -> str:
    """SARIF wants an identifier-like rule name: "Label after the fold" -> "LabelAfterTheFold"."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[^\W_]+", title))


def _artifact(path: str) -> dict[str, Any]:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _region(location: Location) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": location.line or 1}
    if location.column:
        region["startColumn"] = location.column
        if location.end_line and location.end_column:
            region["endLine"] = location.end_line
            region["endColumn"] = location.end_column
    return region


def _review_properties(review: Review) -> dict[str, Any]:
    return {"decision": review.decision, "reason": review.reason, "by": review.by, "at": review.at,
            "stale": review.stale}


def _suppression(finding: Finding) -> dict[str, Any]:
    """A dismissal in the history store or a baseline is external to the
    file; an inline directive is in the source."""
    review = finding.review
    if review is not None and review.dismisses:
        return {"kind": "external", "status": "accepted", "justification": review.reason,
                "properties": {"source": "review", **_review_properties(review)}}
    kind = "external" if is_baseline_reason(finding.suppressed) else "inSource"
    return {"kind": kind, "status": "accepted", "justification": finding.suppressed}


class SarifReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.rule_index: dict[str, int] = {}
        self.descriptors: list[dict[str, Any]] = []
        self.fingerprints: dict[str, int] = {}
        self.base = help_uri_base(context.extra)
        for rule in sorted(context.rules.values(), key=lambda item: item.id):
            self._describe(rule)

    def _describe(self, rule: RuleInfo) -> int:
        if rule.id in self.rule_index:
            return self.rule_index[rule.id]
        full = rule.description.strip() or rule.message
        help_text = [full]
        help_markdown = [full]
        if rule.citation:
            help_text.append(f"Why: {rule.citation}")
            help_markdown.append(f"**Why:** {rule.citation}")
        if rule.fix:
            help_text.append(f"Fix: {rule.fix}")
            help_markdown.append(f"**Fix:** {rule.fix}")
        descriptor: dict[str, Any] = {
            "id": rule.id,
            "name": _pascal(rule.title or rule.id),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": full},
            "help": {"text": "\n\n".join(help_text), "markdown": "\n\n".join(help_markdown)},
            "defaultConfiguration": {"level": _LEVELS[rule.severity]},
            "properties": {
                "tags": ["sponsorship-disclosure", *([f"market:{rule.market}"] if rule.market else [])],
                "market": rule.market,
                "verdict": rule.verdict.value,
                "pack": rule.pack,
                "docs": f"docs/rules/{doc_filename(rule.id)}",
            },
        }
        if self.base:
            descriptor["helpUri"] = urljoin(self.base, doc_filename(rule.id))
        self.rule_index[rule.id] = len(self.descriptors)
        self.descriptors.append(descriptor)
        return self.rule_index[rule.id]

    def _rule_info(self, finding: Finding) -> RuleInfo:
        known = self.context.rules.get(finding.rule) or META_RULES.get(finding.rule)
        if known is not None:
            return known
        return RuleInfo(id=finding.rule, title=finding.rule, severity=finding.severity, market=finding.market,
                        verdict=finding.verdict, message=finding.message, citation=finding.citation, fix=finding.fix)

    def _fingerprint(self, result: PostResult, finding: Finding) -> str:
        base = fingerprint(result, finding)
        seen = self.fingerprints.get(base, 0) + 1
        self.fingerprints[base] = seen
        return base if seen == 1 else f"{base}:{seen}"

    def _locations(self, result: PostResult, location: Location) -> list[dict[str, Any]]:
        if location.path is None:
            return [{"logicalLocations": [{"fullyQualifiedName": result.post.id, "kind": "object"}]}]
        physical: dict[str, Any] = {"artifactLocation": _artifact(location.path), "region": _region(location)}
        return [{"physicalLocation": physical}]

    def post(self, result: PostResult) -> None:
        post = result.post
        for finding in result.findings:
            location = finding_location(post, finding)
            index = self._describe(self._rule_info(finding))
            text = f"[{finding.market}] {finding.message}" if finding.market else finding.message
            if finding.fix:
                text += f" Fix: {finding.fix}"
            entry: dict[str, Any] = {
                "ruleId": finding.rule,
                "ruleIndex": index,
                "level": _LEVELS[finding.severity],
                "message": {"text": text},
                "locations": self._locations(result, location),
                "partialFingerprints": {FINGERPRINT_KEY: self._fingerprint(result, finding)},
                "properties": {"post": post.id, "market": finding.market, "verdict": finding.verdict.value},
            }
            if location.path and location.column and finding.spans:
                entry["locations"][0]["physicalLocation"]["region"]["snippet"] = {"text": finding.spans[0].text}
                related = self._related(post, location.path, finding)
                if related:
                    entry["relatedLocations"] = related
            if finding.suppressed is not None:
                entry["suppressions"] = [_suppression(finding)]
            elif finding.review is not None:
                entry["properties"]["review"] = _review_properties(finding.review)
            self.results.append(entry)

    def _related(self, post, path: str, finding: Finding) -> list[dict[str, Any]]:
        related = []
        for number, span in enumerate(finding.spans[1:], start=1):
            start = offset_position(post, span.field, span.start)
            end = offset_position(post, span.field, span.end)
            if start is None or end is None:
                continue
            region = _region(Location(path, start[0], start[1], end[0], end[1]))
            related.append({"id": number, "message": {"text": span.text},
                            "physicalLocation": {"artifactLocation": _artifact(path), "region": region}})
        return related

    def rejected(self, rejected: Rejected) -> None:
        notification: dict[str, Any] = {"level": "error", "message": {"text": rejected.reason}}
        if rejected.path and rejected.path != "-":
            region = {"startLine": rejected.line} if rejected.line else None
            physical: dict[str, Any] = {"artifactLocation": _artifact(rejected.path)}
            if region:
                physical["region"] = region
            notification["locations"] = [{"physicalLocation": physical}]
        self.notifications.append(notification)

    def finish(self, summary: Summary) -> None:
        run: dict[str, Any] = {
            "tool": {"driver": {
                "name": "clearlabel",
                "version": self.context.tool_version,
                "rules": self.descriptors,
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": not self.notifications,
                "toolExecutionNotifications": self.notifications,
            }],
            "results": self.results,
            "properties": {"mode": self.context.mode, "packs": list(self.context.packs)},
        }
        log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        self.out.write(json_dumps(log, indent=2) + "\n")
