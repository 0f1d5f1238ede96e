"""`findings.csv`: one row per finding, for spreadsheets.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in some,
a tab or carriage return) as a formula, so such cells get a leading `'`,
which spreadsheets show as text. The file is UTF-8 with a byte-order mark so
that Excel reads accents and emoji correctly.
"""
from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from ..model import PostResult, Span
from .report_data import InfluencerSummary, post_date

FILE_NAME = "findings.csv"
ENCODING = "utf-8-sig"
COLUMNS = (
    "influencer", "post_id", "platform", "format", "posted_at", "url", "post_verdict",
    "market", "rule", "severity", "finding_verdict", "message", "citation", "fix",
    "spans", "pack", "suppressed",
)
# The header row marks the file as ours: a CSV with another header is never replaced.
MARKER = ",".join(COLUMNS)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINE_END = "\r\n"


def neutralise(value: object) -> str:
    """`value` as a cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) or text.lstrip().startswith(_FORMULA_STARTS[:4]):
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


def render(influencers: Sequence[InfluencerSummary], results: Mapping[str, Sequence[PostResult]]) -> str:
    """The whole file: influencers in report order, each one's posts by date."""
    line = _Line()

    # Findings of one rule repeat the same rule cells on every post, and
    # quoting their long texts is most of the file's cost: do each once.
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
                own = line((neutralise(_spans(finding.spans)), neutralise(finding.pack), neutralise(finding.suppressed)))
                lines.append(f"{post_cells},{shared},{own}")
    lines.append("")
    return _LINE_END.join(lines)
