"""Review decisions applied to the findings of an audit.

The latest decision on a fingerprint is the one in force; every earlier
one stays in the store. A decision on the same post, rule and market made
for other evidence (the post was edited since) is stale: it is shown, it
no longer applies, and the finding counts again."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ..model import Finding, PostResult, Review
from ..suppress import fingerprint
from .views import Decision

DISMISSED, CONFIRMED, REOPENED = "dismissed", "confirmed", "reopened"
DECISIONS = (DISMISSED, CONFIRMED, REOPENED)


class DecisionBook:
    """The decisions in force, looked up by fingerprint and by identity."""

    def __init__(self, decisions: Iterable[Decision]) -> None:
        self.latest: dict[str, Decision] = {}
        self.latest_for: dict[tuple[str, str, str], Decision] = {}
        for decision in sorted(decisions, key=lambda d: d.id):
            self.latest[decision.fingerprint] = decision
            self.latest_for[(decision.post_id, decision.rule, decision.market)] = decision

    def __bool__(self) -> bool:
        return bool(self.latest)

    def review(self, fingerprint_: str, post_id: str, rule: str, market: str) -> Review | None:
        decision = self.latest.get(fingerprint_)
        if decision is not None:
            return decision.review()
        earlier = self.latest_for.get((post_id, rule, market))
        return earlier.review(stale=True) if earlier is not None else None

    def dismissed(self) -> set[str]:
        return {fp for fp, decision in self.latest.items() if decision.decision == DISMISSED}

    def apply(self, result: PostResult) -> PostResult:
        """`result` with each finding's review; a dismissed finding is also
        suppressed (with the reason), so that it fails no run."""
        if not self.latest or not result.findings:
            return result
        changed = False
        findings: list[Finding] = []
        for finding in result.findings:
            review = self.review(fingerprint(result, finding), result.post.id, finding.rule, finding.market)
            if review is not None:
                suppressed = finding.suppressed
                if review.dismisses and suppressed is None:
                    suppressed = review.reason
                finding = replace(finding, review=review, suppressed=suppressed)
                changed = True
            findings.append(finding)
        return replace(result, findings=findings) if changed else result
