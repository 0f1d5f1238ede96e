"""`findings.csv` (one row per finding) and `all-posts.csv` (one row per
post), for spreadsheets.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in some,
a tab or carriage return) as a formula, so such cells get a leading `'`,
which spreadsheets show as text. Only such cells: a bare handle such as
`@maya.moves` calls no function and refers to nothing, so it is left as it
is, without a stray apostrophe. The files are UTF-8 with a byte-order mark
so that Excel reads accents and emoji correctly.
"""
from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import re

from ..model import PostResult, Span
from ..store.views import ReportHistory, short_id
from ..suppress import fingerprint
from .report_data import InfluencerSummary, finding_status, has_counted_evidence, post_brands, post_date

FILE_NAME = "findings.csv"
ENCODING = "utf-8-sig"
COLUMNS = (
    "influencer", "post_id", "platform", "format", "posted_at", "url", "post_verdict",
    "market", "rule", "severity", "finding_verdict", "message", "citation", "fix",
    "spans", "pack", "suppressed", "status", "decision", "decision_by", "decision_at", "finding_id",
)
# The first columns of the header mark the file as ours: a CSV with another
# header is never replaced (files of earlier versions, with fewer columns, are).
MARKER = ",".join(COLUMNS[:17])

POSTS_FILE_NAME = "all-posts.csv"
POSTS_COLUMNS = (
    "influencer", "post_id", "platform", "format", "posted_at", "url", "verdict", "markets",
    "market_verdicts", "followers", "brands", "strong_evidence", "findings", "dismissed",
)
POSTS_MARKER = ",".join(POSTS_COLUMNS)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BARE_HANDLE = re.compile(r"@[\w.]+")
_LINE_END = "\r\n"


def neutralise(value: object) -> str:
    """`value` as a cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _BARE_HANDLE.fullmatch(text):
        return "'" + text
    return text


_JSON = json.JSONEncoder(ensure_ascii=False)


def _spans(spans: Sequence[Span]) -> str:
    return "; ".join([f"{span.field}[{span.start}:{span.end}] {_JSON.encode(span.text)}" for span in spans])


class _Line:
    """Cells as one CSV line, quoted exactly as `csv.writer` quotes them
    (each cell on its own, so lines can be built from pieces)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator=_LINE_END)

    def __call__(self, cells: Iterable[str]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()[: -len(_LINE_END)]


def _by_date(result: PostResult) -> tuple[str, str]:
    return post_date(result.post) or "9999", result.post.id


def render(influencers: Sequence[InfluencerSummary], results: Mapping[str, Sequence[PostResult]],
           history: ReportHistory | None = None) -> str:
    """The whole file: influencers in report order, each one's posts by date."""
    line = _Line()

    # Findings of one rule repeat the same rule cells on every post, and
    # quoting their long texts is most of the file's cost: do each once
    # (and the same for the few combinations of pack, status and decision).
    @lru_cache(maxsize=4096)
    def rule_cells(*values: object) -> str:
        return line(neutralise(value) for value in values)

    lines = [line(COLUMNS)]
    for summary in influencers:
        for result in sorted(results[summary.handle], key=_by_date):
            if not result.findings:
                continue
            post = result.post
            post_cells = line(neutralise(value) for value in (
                summary.handle, post.id, post.platform, post.format, post.posted_at, post.url, result.verdict.value,
            ))
            for finding in result.findings:
                shared = rule_cells(finding.market, finding.rule, finding.severity.value, finding.verdict.value,
                                    finding.message, finding.citation, finding.fix)
                review = finding.review
                state = rule_cells(finding.pack, finding.suppressed, finding_status(history, result, finding),
                                   ("stale " if review.stale else "") + review.decision if review else "",
                                   review.by if review else "", review.at if review else "")
                spans = line((neutralise(_spans(finding.spans)),))
                lines.append(f"{post_cells},{shared},{spans},{state},{short_id(fingerprint(result, finding))}")
    lines.append("")
    return _LINE_END.join(lines)


def render_posts(influencers: Sequence[InfluencerSummary], results: Mapping[str, Sequence[PostResult]]) -> str:
    """`all-posts.csv`: every post with its verdict, influencers in report order."""
    line = _Line()
    lines = [line(POSTS_COLUMNS)]
    for summary in influencers:
        for result in sorted(results[summary.handle], key=_by_date):
            post = result.post
            counting = sum(1 for f in result.findings if f.suppressed is None)
            dismissed = sum(1 for f in result.findings if f.review is not None and f.review.dismisses)
            lines.append(line(neutralise(value) for value in (
                summary.handle, post.id, post.platform, post.format, post.posted_at, post.url, result.verdict.value,
                " ".join(post.market), " ".join(f"{m}:{v.value}" for m, v in result.market_verdicts.items()),
                post.followers, " ".join(post_brands(result)), "yes" if has_counted_evidence(result) else "no",
                counting, dismissed)))
    lines.append("")
    return _LINE_END.join(lines)
