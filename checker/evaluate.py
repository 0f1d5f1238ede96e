"""Measure verdicts against labelled posts (`expected.verdict`).

Pure arithmetic over (post, result) pairs: the confusion matrix, accuracy by
market, language and platform, and precision and recall of flagged posts
(`undisclosed` + `inadequate`).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .model import PostResult, Verdict

FLAGGED = (Verdict.UNDISCLOSED.value, Verdict.INADEQUATE.value)
VERDICTS = tuple(v.value for v in Verdict)
# How regulators' decisions name the verdicts that are not clearlabel's own.
VERDICT_SYNONYMS = {"compliant": Verdict.DISCLOSED.value, "not_ad": Verdict.NO_EVIDENCE.value}


def expected_verdict(result: PostResult) -> str | None:
    given = (result.post.expected or {}).get("verdict")
    return VERDICT_SYNONYMS.get(given, given)


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class Evaluation:
    confusion: Counter = field(default_factory=Counter)       # (expected, got) -> count
    overall: Tally = field(default_factory=Tally)
    by_market: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_platform: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    mismatches: list[tuple[PostResult, str]] = field(default_factory=list)
    unlabelled: int = 0

    def add(self, result: PostResult) -> None:
        expected = expected_verdict(result)
        if expected not in VERDICTS:
            self.unlabelled += 1
            return
        got = result.verdict.value
        hit = int(expected == got)
        self.confusion[(expected, got)] += 1
        for tally in (self.overall, self.by_language[result.post.language or "?"],
                      self.by_platform[result.post.platform],
                      *(self.by_market[m] for m in (result.market_verdicts or {"?": None}))):
            tally.correct += hit
            tally.total += 1
        if not hit:
            self.mismatches.append((result, expected))

    def flagged_precision_recall(self) -> tuple[float, float]:
        true_positive = sum(n for (e, g), n in self.confusion.items() if e in FLAGGED and g in FLAGGED)
        predicted = sum(n for (e, g), n in self.confusion.items() if g in FLAGGED)
        actual = sum(n for (e, g), n in self.confusion.items() if e in FLAGGED)
        return (true_positive / predicted if predicted else 0.0, true_positive / actual if actual else 0.0)

    def weakest_market(self, minimum_posts: int) -> tuple[str, float] | None:
        eligible = [(m, t.accuracy) for m, t in self.by_market.items() if t.total >= minimum_posts]
        return min(eligible, key=lambda item: item[1]) if eligible else None


def format_evaluation(evaluation: Evaluation, show_mismatches: bool = True) -> str:
    lines = ["Confusion matrix (rows: expected, columns: clearlabel)", ""]
    width = max(len(v) for v in VERDICTS) + 2
    lines.append(" " * width + "".join(f"{v:>{width}}" for v in VERDICTS) + f"{'total':>8}")
    for expected in VERDICTS:
        row = [evaluation.confusion[(expected, got)] for got in VERDICTS]
        lines.append(f"{expected:<{width}}" + "".join(f"{n:>{width}}" for n in row) + f"{sum(row):>8}")
    overall = evaluation.overall
    precision, recall = evaluation.flagged_precision_recall()
    lines += ["", f"accuracy: {overall.correct}/{overall.total} = {overall.accuracy:.1%}",
              f"flagged (undisclosed + inadequate): precision {precision:.3f}, recall {recall:.3f}"]
    for title, table in (("market", evaluation.by_market), ("language", evaluation.by_language),
                         ("platform", evaluation.by_platform)):
        lines += ["", f"by {title}:"]
        for key, tally in sorted(table.items(), key=lambda item: (-item[1].total, item[0])):
            lines.append(f"  {key:<10} {tally.correct:>4}/{tally.total:<4} {tally.accuracy:7.1%}")
    if evaluation.unlabelled:
        lines += ["", f"posts without an expected verdict (not scored): {evaluation.unlabelled}"]
    if show_mismatches and evaluation.mismatches:
        lines += ["", f"mismatches ({len(evaluation.mismatches)}):"]
        for result, expected in evaluation.mismatches:
            rules = ", ".join(sorted({f"{f.rule}" for f in result.findings})) or "no rule fired"
            markets = ",".join(result.market_verdicts)
            lines.append(f"  {result.post.id} [{markets}] expected {expected}, got {result.verdict.value}: {rules}")
    return "\n".join(lines)
