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
from typing import Iterator, Mapping, Sequence

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


def neutralise(value: object) -> str:
    """`value` as a cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) or text.lstrip().startswith(_FORMULA_STARTS[:4]):
        return "'" + text
    return text


_JSON = json.JSONEncoder(ensure_ascii=False)


def _spans(spans: Sequence[Span]) -> str:
    return "; ".join([f"{span.field}[{span.start}:{span.end}] {_JSON.encode(span.text)}" for span in spans])


@lru_cache(maxsize=4096)
def _cells(*values: object) -> tuple[str, ...]:
    """`neutralise` for each of `values`: findings of one rule bring the same
    values on every post, so their cells are made once."""
    return tuple(neutralise(value) for value in values)


def rows(influencers: Sequence[InfluencerSummary], results: Mapping[str, Sequence[PostResult]]) -> Iterator[list[str]]:
    """The data rows, influencers in report order, each one's posts by date."""
    for summary in influencers:
        ordered = sorted(results[summary.handle], key=lambda r: (post_date(r.post) or "9999", r.post.id))
        for result in ordered:
            if not result.findings:
                continue
            post = result.post
            post_cells = [neutralise(value) for value in (
                summary.handle, post.id, post.platform, post.format, post.posted_at, post.url, result.verdict.value,
            )]
            for finding in result.findings:
                yield [
                    *post_cells,
                    *_cells(finding.market, finding.rule, finding.severity.value, finding.verdict.value,
                            finding.message, finding.citation, finding.fix),
                    neutralise(_spans(finding.spans)),
                    *_cells(finding.pack, finding.suppressed),
                ]


def render(influencers: Sequence[InfluencerSummary], results: Mapping[str, Sequence[PostResult]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(influencers, results))
    return buffer.getvalue()
