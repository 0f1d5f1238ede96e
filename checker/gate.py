"""When a run fails: one rule for the exit code, JUnit and the summaries.

A post fails when it has an unsuppressed finding that either pushes its
verdict to `undisclosed` or `inadequate` (whatever that finding's severity),
or has a severity at or above the `--fail-on` threshold:

    --fail-on   a post fails on
    error       an undisclosed or inadequate verdict, or an error (the default)
    warning     the above, or a warning
    info        any finding
    never       nothing: the exit code is 0 unless input could not be read
"""
from __future__ import annotations

from .model import Finding, PostResult, Severity, Verdict

FAILING_VERDICTS = (Verdict.UNDISCLOSED, Verdict.INADEQUATE)
DEFAULT_THRESHOLD = Severity.ERROR


def finding_fails(finding: Finding, threshold: Severity | None) -> bool:
    """Whether this finding fails the run at `threshold` (None: never)."""
    if threshold is None or finding.suppressed is not None:
        return False
    return finding.verdict in FAILING_VERDICTS or finding.severity.rank >= threshold.rank


def result_fails(result: PostResult, threshold: Severity | None) -> bool:
    return any(finding_fails(finding, threshold) for finding in result.findings)


def failing_verdict(result: PostResult) -> Verdict | None:
    """The worst failing verdict among the post's unsuppressed findings."""
    verdicts = [f.verdict for f in result.findings if f.suppressed is None and f.verdict in FAILING_VERDICTS]
    return max(verdicts, key=lambda verdict: verdict.rank) if verdicts else None
