"""PostResult <-> plain dicts: the JSON/JSONL schema of an audit.

One object per post (``"type": "post"``), one per rejected record
(``"type": "rejected"``) and a closing ``"type": "summary"``. The post object
carries the post's own fields so that `clearlabel report` can render reports
from a saved audit without the original export.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .model import (
    Evidence, Finding, Label, LabelStatus, Origin, Post, PostResult, Rejected,
    Review, Severity, Span, Strength, Summary, Verdict, TEXT_FIELDS,
)
from .suppress import fingerprint

SCHEMA_VERSION = 1

# Written as \uXXXX escapes: lone surrogates (a post's JSON may hold them; no
# UTF-8 output can carry them raw), DEL and the C1 controls, the line and
# paragraph separators (U+0085, U+2028 and U+2029 end a line for Python's
# splitlines, JavaScript and some log viewers) and bidirectional controls
# (which reorder what a terminal or editor shows). The parsed value is the same.
_JSON_ESCAPED = re.compile("[\x7f-\x9f\ud800-\udfff\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def json_dumps(data: Any, **options: Any) -> str:
    """`json.dumps` that yields valid UTF-8 JSON for any text in `data`."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _JSON_ESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)

_POST_FIELDS = (
    "id", "author", "platform", "format", "market", "language", "paid_partnership",
    "followers", "posted_at", "url", "brand", *TEXT_FIELDS,
)


def span_to_dict(span: Span | None) -> dict | None:
    if span is None:
        return None
    return {"field": span.field, "start": span.start, "end": span.end, "text": span.text}


def span_from_dict(data: dict | None) -> Span | None:
    if data is None:
        return None
    return Span(data["field"], int(data["start"]), int(data["end"]), data["text"])


def finding_to_dict(finding: Finding) -> dict:
    data = {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "market": finding.market,
        "verdict": finding.verdict.value,
        "message": finding.message,
        "citation": finding.citation,
        "fix": finding.fix,
        "spans": [span_to_dict(span) for span in finding.spans],
        "pack": finding.pack,
    }
    if finding.suppressed is not None:
        data["suppressed"] = finding.suppressed
    if finding.at is not None:
        data["at"] = {"line": finding.at[0], "column": finding.at[1]}
    if finding.review is not None:
        data["review"] = review_to_dict(finding.review)
    return data


def review_to_dict(review: Review) -> dict:
    return {"decision": review.decision, "reason": review.reason, "by": review.by, "at": review.at,
            "stale": review.stale}


def review_from_dict(data: dict | None) -> Review | None:
    if data is None:
        return None
    return Review(data["decision"], data.get("reason", ""), data.get("by", ""), data.get("at", ""),
                  bool(data.get("stale", False)))


def finding_from_dict(data: dict) -> Finding:
    return Finding(
        rule=data["rule"],
        severity=Severity(data["severity"]),
        market=data["market"],
        verdict=Verdict(data["verdict"]),
        message=data["message"],
        citation=data["citation"],
        fix=data["fix"],
        spans=tuple(span_from_dict(span) for span in data.get("spans", [])),
        pack=data.get("pack", ""),
        suppressed=data.get("suppressed"),
        at=(int(data["at"]["line"]), int(data["at"]["column"])) if data.get("at") else None,
        review=review_from_dict(data.get("review")),
    )


def evidence_to_dict(evidence: Evidence) -> dict:
    return {
        "kind": evidence.kind,
        "strength": evidence.strength.value,
        "signal": evidence.signal,
        "span": span_to_dict(evidence.span),
        "detail": evidence.detail,
    }


def evidence_from_dict(data: dict) -> Evidence:
    return Evidence(
        kind=data["kind"],
        strength=Strength(data["strength"]),
        signal=data["signal"],
        span=span_from_dict(data.get("span")),
        detail=data.get("detail", ""),
    )


def label_to_dict(label: Label) -> dict:
    return {
        "market": label.market,
        "status": label.status.value,
        "label": label.label,
        "span": span_to_dict(label.span),
        "language": label.language,
        "obfuscated": label.obfuscated,
    }


def label_from_dict(data: dict) -> Label:
    return Label(
        market=data["market"],
        status=LabelStatus(data["status"]),
        label=data["label"],
        span=span_from_dict(data.get("span")),
        language=data.get("language"),
        obfuscated=bool(data.get("obfuscated", False)),
    )


def post_to_dict(post: Post) -> dict:
    data: dict[str, Any] = {name: getattr(post, name) for name in _POST_FIELDS}
    data["market"] = list(post.market)
    if post.metadata:
        data["metadata"] = post.metadata
    if post.origin is not None:
        data["source"] = {"path": post.origin.path, "line": post.origin.line}
    return data


def post_from_dict(data: dict) -> Post:
    source = data.get("source")
    origin = Origin(source["path"], int(source["line"])) if source else None
    values = {name: data.get(name) for name in _POST_FIELDS}
    values["market"] = tuple(values["market"] or ())
    values["paid_partnership"] = bool(values["paid_partnership"])
    values["text"] = values["text"] or ""
    values["platform"] = values["platform"] or "other"
    values["format"] = values["format"] or "post"
    metadata = data.get("metadata")
    return Post(**values, origin=origin, metadata=dict(metadata) if isinstance(metadata, dict) else {})


def result_to_dict(result: PostResult) -> dict:
    return {
        "type": "post",
        "schema": SCHEMA_VERSION,
        "id": result.post.id,
        "verdict": result.verdict.value,
        "markets": {market: verdict.value for market, verdict in result.market_verdicts.items()},
        "findings": [{**finding_to_dict(finding), "fingerprint": fingerprint(result, finding)}
                     for finding in result.findings],
        "evidence": [evidence_to_dict(evidence) for evidence in result.evidence],
        "labels": [label_to_dict(label) for label in result.labels],
        "post": post_to_dict(result.post),
    }


def result_from_dict(data: dict) -> PostResult:
    return PostResult(
        post=post_from_dict(data["post"]),
        verdict=Verdict(data["verdict"]),
        market_verdicts={market: Verdict(v) for market, v in data.get("markets", {}).items()},
        findings=[finding_from_dict(item) for item in data.get("findings", [])],
        evidence=[evidence_from_dict(item) for item in data.get("evidence", [])],
        labels=[label_from_dict(item) for item in data.get("labels", [])],
    )


def rejected_to_dict(rejected: Rejected) -> dict:
    return {"type": "rejected", "file": rejected.path, "line": rejected.line, "reason": rejected.reason}


def rejected_from_dict(data: dict) -> Rejected:
    return Rejected(data["file"], int(data["line"]), data["reason"])


def summary_to_dict(summary: Summary) -> dict:
    return {
        "type": "summary",
        "read": summary.read,
        "audited": summary.audited,
        "rejected": summary.rejected,
        "by_verdict": dict(sorted(summary.by_verdict.items())),
        "review_reasons": dict(sorted(summary.review_rules.items())),
        "by_author": {author: dict(sorted(counts.items())) for author, counts in sorted(summary.by_author.items())},
    }
