"""The vocabulary of audits over time: what the store answers with.

Plain frozen dataclasses, so the CLI, the JSON output and the reports can
use them without knowing anything about databases.

A finding's *identity* is its post, rule and market: the same problem in
the same post, from one audit to the next. Its *fingerprint* adds the
evidence the finding rests on (see `checker.suppress.fingerprint`), so a
review decision, which is keyed by fingerprint, stops applying when that
evidence changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from ..model import Review

SHORT_ID_CHARS = 10


def short_id(fingerprint: str) -> str:
    """How outputs name a finding: `F-` and the start of its fingerprint."""
    return f"F-{fingerprint[:SHORT_ID_CHARS]}"


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str | None          # None for standard input and pipes
    bytes: int | None


@dataclass(frozen=True)
class RunSummary:
    id: int
    command: str                # audit | check
    started_at: str
    finished_at: str
    tool_version: str
    options: Mapping[str, object]
    packs: tuple[str, ...]
    inputs: tuple[InputFile, ...]
    read: int
    audited: int
    rejected: int
    by_verdict: Mapping[str, int]
    creators: int
    findings: int               # findings recorded in the run (dismissed included)
    stores_text: bool


@dataclass(frozen=True)
class FindingRef:
    """A finding as the store remembers it."""
    fingerprint: str
    post_id: str
    author: str | None
    creator: str                # creator key (case-folded handle)
    rule: str
    market: str
    severity: str
    verdict: str
    run_id: int = 0
    review: Review | None = None
    how: str = ""               # fixed findings: "deleted", or the post's verdict now ("now disclosed")

    @property
    def identity(self) -> tuple[str, str, str]:
        return self.post_id, self.rule, self.market

    @property
    def short_id(self) -> str:
        return short_id(self.fingerprint)

    @property
    def dismissed(self) -> bool:
        return self.review is not None and self.review.dismisses


@dataclass(frozen=True)
class Comparison:
    """One audit against an earlier one, over the same creators."""
    new: tuple[FindingRef, ...] = ()
    fixed: tuple[FindingRef, ...] = ()
    open: tuple[FindingRef, ...] = ()
    dismissed: tuple[FindingRef, ...] = ()


def compare(before: Iterable[FindingRef], after: Iterable[FindingRef],
            verdicts_after: Mapping[str, str]) -> Comparison:
    """New, fixed, still open and dismissed findings of `after` against
    `before`, matched by identity. `verdicts_after` gives the verdict of
    every post of the later audit (by post id), to tell a fixed post from a
    deleted one. Dismissed findings count in none of the first three."""
    after = list(after)
    earlier = {f.identity: f for f in before if not f.dismissed}
    later = {f.identity for f in after}
    active = [f for f in after if not f.dismissed]
    fixed = []
    for identity, finding in earlier.items():
        if identity in later:
            continue
        verdict = verdicts_after.get(finding.post_id)
        fixed.append(replace(finding, how="deleted" if verdict is None else f"now {verdict}"))
    return Comparison(
        new=tuple(f for f in active if f.identity not in earlier),
        fixed=tuple(fixed),
        open=tuple(f for f in active if f.identity in earlier),
        dismissed=tuple(f for f in after if f.dismissed),
    )


@dataclass(frozen=True)
class RunDiff:
    before: RunSummary
    after: RunSummary
    creators: tuple[str, ...]    # handles present in both runs
    comparison: Comparison
    repeat: tuple[str, ...]      # handles with undisclosed posts in two or more runs


@dataclass(frozen=True)
class Decision:
    id: int
    fingerprint: str
    post_id: str
    rule: str
    market: str
    decision: str                # dismissed | confirmed | reopened
    reason: str
    by: str
    at: str
    run_id: int | None

    @property
    def short_id(self) -> str:
        return short_id(self.fingerprint)

    def review(self, stale: bool = False) -> Review:
        return Review(self.decision, self.reason, self.by, self.at, stale)


@dataclass(frozen=True)
class TrendPoint:
    """One creator in one run."""
    run_id: int
    finished_at: str
    counts: Mapping[str, int]     # posts by verdict
    new: int = 0
    fixed: int = 0
    open: int = 0
    dismissed: int = 0

    @property
    def posts(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class PostTrack:
    post_id: str
    platform: str
    verdicts: Mapping[int, str]   # run id -> verdict


@dataclass(frozen=True)
class Timeline:
    """One creator across every run that audited them."""
    creator: str                  # the handle as last written
    key: str
    repeat: bool
    runs: tuple[TrendPoint, ...]
    posts: tuple[PostTrack, ...]
    open: tuple[FindingRef, ...]      # in the creator's latest run
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class CreatorHistory:
    """What an influencer's report says about earlier audits."""
    previous_run: int | None
    previous_date: str
    previous: frozenset[tuple[str, str, str]]      # identities of the findings then counted
    comparison: Comparison
    trend: tuple[TrendPoint, ...]
    decisions: tuple[Decision, ...]
    repeat: bool


@dataclass(frozen=True)
class ReportHistory:
    """Earlier audits, for the reports of run `run_id`."""
    run_id: int
    finished_at: str
    creators: Mapping[str, CreatorHistory] = field(default_factory=dict)

    def status(self, creator: str, post_id: str, rule: str, market: str, dismissed: bool) -> str:
        """new, open (found by the previous audit too) or dismissed."""
        if dismissed:
            return "dismissed"
        history = self.creators.get(creator)
        if history is not None and (post_id, rule, market) in history.previous:
            return "open"
        return "new"
