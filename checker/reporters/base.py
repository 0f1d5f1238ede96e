"""The interface every stream reporter implements.

Reporters only render: they receive finished results and never reach back
into the engine. Streaming formats write as posts arrive; whole-document
formats (json, sarif, junit) collect and write in `finish`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, TextIO

from ..model import Finding, PostResult, Rejected, Review, RuleInfo, Severity, Summary


# What a terminal must not receive from a post or a rule pack: control
# characters (ANSI escape sequences can recolour, retitle or clear a
# terminal), bidirectional controls (which reorder what is shown), line and
# paragraph separators, and lone surrogates (which no UTF-8 output can carry).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                          "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` safe to print on a terminal: the characters above become visible
    escapes (`\x1b`, `\u202e`); tabs and line feeds stay."""
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


def describe_review(review: Review) -> str:
    """"dismissed by A. Officer on 2026-04-05: gift was returned", or, for a
    decision made on other evidence, that it is stale."""
    said = f"{review.decision} by {review.by} on {review.at[:10]}" + (f": {review.reason}" if review.reason else "")
    return f"decision stale, the evidence changed since it was {said}" if review.stale else said


def suppression_note(finding: Finding) -> str | None:
    """Why a finding does not count, in words: its dismissal or its suppression."""
    if finding.review is not None and finding.review.dismisses:
        return describe_review(finding.review)
    if finding.suppressed is not None:
        return f"suppressed: {finding.suppressed}"
    return None


@dataclass
class ReportContext:
    stream: TextIO
    rules: Mapping[str, RuleInfo]
    tool_version: str
    packs: tuple[str, ...] = ()          # "pack-id@version" of every pack loaded
    color: bool = False
    mode: str = "audit"                  # "audit" or "check"
    extra: dict = field(default_factory=dict)
    fail_on: Severity | None = Severity.ERROR   # the --fail-on threshold (None: never)
    quiet: bool = False                  # findings only: no clean posts, no summary
    show_source: bool = False            # the text line of each finding, marked
    summary_by: str = "author"           # what the text summary groups posts by


def nothing_read(summary: Summary) -> bool:
    """Every input failed as a whole: a summary of zeros would only hide the error."""
    return summary.read == 0 and bool(summary.file_errors)


class Reporter:
    """Base class: subclasses override what they need.

    A reporter whose output is one text per post sets `renderer` to a
    module-level function making that text: workers then render posts
    where they audit them, and `rendered` receives the text instead of
    `post` receiving the result."""

    renderer: Callable[[PostResult], str] | None = None

    def __init__(self, context: ReportContext) -> None:
        self.context = context
        self.out = context.stream

    def post(self, result: PostResult) -> None:
        """Called once per audited post, in input order."""

    def rendered(self, text: str, fails: bool) -> None:
        """Called once per audited post, in input order, with what `renderer`
        made of it (and whether the post fails the run)."""
        raise NotImplementedError(f"{type(self).__name__} renders no post text")

    def rejected(self, rejected: Rejected) -> None:
        """Called once per record (or file, line 0) that could not be read."""

    def finish(self, summary: Summary) -> None:
        """Called once at the end."""
