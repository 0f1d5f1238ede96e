"""Measure verdicts against labelled posts (`expected.verdict`).

Pure arithmetic over (post, result) pairs: the confusion matrix, accuracy by
market, language and platform (and any other field, such as a decision's
regulator), how many breaches are flagged or sent to review, how many
compliant posts are flagged, what share of posts goes to review and which
rules sent them there; and the gates `clearlabel eval` can enforce.

Labelled data may name verdicts the way regulators do: "compliant" is
`disclosed` and "not_ad" is `no_evidence`.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .model import PostResult, Verdict

FLAGGED = (Verdict.UNDISCLOSED.value, Verdict.INADEQUATE.value)
ATTENTION = FLAGGED + (Verdict.REVIEW.value,)
VERDICTS = tuple(v.value for v in Verdict)
# How regulators' decisions name the verdicts that are not clearlabel's own.
VERDICT_SYNONYMS = {"compliant": Verdict.DISCLOSED.value, "not_ad": Verdict.NO_EVIDENCE.value}


def expected_verdict(result: PostResult) -> str | None:
    given = (result.post.expected or {}).get("verdict")
    return VERDICT_SYNONYMS.get(given, given)


def field_value(result: PostResult, name: str) -> str:
    """A post's value for `name`: one of its fields, else its metadata."""
    post = result.post
    value = getattr(post, name, None) if name in post.__dataclass_fields__ else None
    if value is None:
        value = (getattr(post, "metadata", None) or {}).get(name)
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return "?" if value in (None, "") else str(value)


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class Catch:
    """What became of the breaches (expected flagged) and of the posts that
    are not (expected disclosed or no_evidence) in one group of posts."""
    breaches: int = 0
    flagged: int = 0          # breaches flagged
    attention: int = 0        # breaches flagged or sent to review
    clean: int = 0            # posts expected disclosed or no_evidence
    false_flags: int = 0      # of those, flagged

    def add(self, expected: str, got: str) -> None:
        if expected in FLAGGED:
            self.breaches += 1
            self.flagged += got in FLAGGED
            self.attention += got in ATTENTION
        else:
            self.clean += 1
            self.false_flags += got in FLAGGED

    @property
    def flagged_recall(self) -> float:
        return self.flagged / self.breaches if self.breaches else 0.0

    @property
    def attention_recall(self) -> float:
        return self.attention / self.breaches if self.breaches else 0.0


@dataclass
class Evaluation:
    group_by: tuple[str, ...] = ()
    confusion: Counter = field(default_factory=Counter)       # (expected, got) -> count
    overall: Tally = field(default_factory=Tally)
    catch: Catch = field(default_factory=Catch)
    by_market: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_platform: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    groups: dict[str, dict[str, Catch]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Catch)))
    review_rules: Counter = field(default_factory=Counter)    # rule -> posts it sent to review
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
        self.catch.add(expected, got)
        for name in self.group_by:
            self.groups[name][field_value(result, name)].add(expected, got)
        if got == Verdict.REVIEW.value:
            self.review_rules.update({f.rule for f in result.findings if f.verdict is Verdict.REVIEW})
        if not hit:
            self.mismatches.append((result, expected))

    @property
    def posts(self) -> int:
        return self.overall.total

    def share(self, verdicts: tuple[str, ...]) -> float:
        count = sum(n for (_, got), n in self.confusion.items() if got in verdicts)
        return count / self.posts if self.posts else 0.0

    def flagged_precision_recall(self) -> tuple[float, float]:
        true_positive = sum(n for (e, g), n in self.confusion.items() if e in FLAGGED and g in FLAGGED)
        predicted = sum(n for (e, g), n in self.confusion.items() if g in FLAGGED)
        actual = sum(n for (e, g), n in self.confusion.items() if e in FLAGGED)
        return (true_positive / predicted if predicted else 0.0, true_positive / actual if actual else 0.0)

    def weakest_market(self, minimum_posts: int) -> tuple[str, float] | None:
        eligible = [(m, t.accuracy) for m, t in self.by_market.items() if t.total >= minimum_posts]
        return min(eligible, key=lambda item: item[1]) if eligible else None


@dataclass(frozen=True)
class Gates:
    """Thresholds `clearlabel eval` fails on (None: not checked)."""
    min_accuracy: float | None = None
    min_market_accuracy: float | None = None
    market_min_posts: int = 8
    min_flagged: float | None = None             # precision and recall of flagged posts
    min_flagged_recall: float | None = None      # breaches flagged
    min_attention_recall: float | None = None    # breaches flagged or sent to review
    max_false_flags: int | None = None           # compliant / not-an-ad posts flagged
    max_flagged_share: float | None = None       # share of all posts flagged
    max_review_share: float | None = None        # share of all posts sent to review

    def failures(self, evaluation: Evaluation) -> list[str]:
        failures = []
        if self.min_accuracy is not None and evaluation.overall.accuracy < self.min_accuracy:
            failures.append(f"accuracy {evaluation.overall.accuracy:.1%} < {self.min_accuracy:.1%}")
        if self.min_market_accuracy is not None:
            for market_id, tally in sorted(evaluation.by_market.items()):
                if tally.total >= self.market_min_posts and tally.accuracy < self.min_market_accuracy:
                    failures.append(f"market {market_id} accuracy {tally.accuracy:.1%} < {self.min_market_accuracy:.1%}")
        if self.min_flagged is not None:
            precision, recall = evaluation.flagged_precision_recall()
            if precision < self.min_flagged or recall < self.min_flagged:
                failures.append(f"flagged precision {precision:.3f} / recall {recall:.3f} < {self.min_flagged:.3f}")
        catch = evaluation.catch
        if self.min_flagged_recall is not None and catch.flagged_recall < self.min_flagged_recall:
            failures.append(f"breaches flagged {catch.flagged_recall:.2f} < {self.min_flagged_recall:.2f}")
        if self.min_attention_recall is not None and catch.attention_recall < self.min_attention_recall:
            failures.append(f"breaches flagged or sent to review {catch.attention_recall:.2f} < {self.min_attention_recall:.2f}")
        if self.max_false_flags is not None and catch.false_flags > self.max_false_flags:
            failures.append(f"{catch.false_flags} compliant or not-an-ad posts flagged > {self.max_false_flags}")
        flagged_share, review_share = evaluation.share(FLAGGED), evaluation.share((Verdict.REVIEW.value,))
        if self.max_flagged_share is not None and flagged_share > self.max_flagged_share:
            failures.append(f"share of posts flagged {flagged_share:.2%} > {self.max_flagged_share:.2%}")
        if self.max_review_share is not None and review_share > self.max_review_share:
            failures.append(f"share of posts sent to review {review_share:.2%} > {self.max_review_share:.2%}")
        return failures


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
    lines += _catch_lines(evaluation)
    for title, table in (("market", evaluation.by_market), ("language", evaluation.by_language),
                         ("platform", evaluation.by_platform)):
        lines += ["", f"by {title}:"]
        for key, tally in sorted(table.items(), key=lambda item: (-item[1].total, item[0])):
            lines.append(f"  {key:<10} {tally.correct:>4}/{tally.total:<4} {tally.accuracy:7.1%}")
    for name in evaluation.group_by:
        lines += _group_lines(name, evaluation.groups[name])
    if evaluation.unlabelled:
        lines += ["", f"posts without an expected verdict (not scored): {evaluation.unlabelled}"]
    if show_mismatches and evaluation.mismatches:
        lines += ["", f"mismatches ({len(evaluation.mismatches)}):"]
        for result, expected in evaluation.mismatches:
            rules = ", ".join(sorted({f"{f.rule}" for f in result.findings})) or "no rule fired"
            markets = ",".join(result.market_verdicts)
            lines.append(f"  {result.post.id} [{markets}] expected {expected}, got {result.verdict.value}: {rules}")
    return "\n".join(lines)


def _catch_lines(evaluation: Evaluation) -> list[str]:
    catch = evaluation.catch
    lines = [""]
    if catch.breaches:
        lines.append(f"breaches (expected undisclosed or inadequate): {catch.breaches}, flagged {catch.flagged} "
                     f"({catch.flagged_recall:.2f}), flagged or review {catch.attention} ({catch.attention_recall:.2f})")
    if catch.clean:
        lines.append(f"compliant or no evidence expected: {catch.clean}, flagged {catch.false_flags}")
    review = sum(n for (_, got), n in evaluation.confusion.items() if got == Verdict.REVIEW.value)
    lines.append(f"sent to review: {review} of {evaluation.posts} posts ({evaluation.share((Verdict.REVIEW.value,)):.1%}), "
                 f"flagged: {evaluation.share(FLAGGED):.1%}")
    if evaluation.review_rules:
        reasons = ", ".join(f"{rule} {count}" for rule, count in evaluation.review_rules.most_common())
        lines.append(f"  why review: {reasons}")
    return lines


def _group_lines(name: str, groups: dict[str, Catch]) -> list[str]:
    lines = ["", f"by {name}:", f"  {'':<28} {'breaches':>8} {'flagged':>13} {'flag|review':>13} {'clean':>6} {'flagged':>8}"]
    for key, catch in sorted(groups.items(), key=lambda item: (-(item[1].breaches + item[1].clean), item[0])):
        lines.append(f"  {key[:28]:<28} {catch.breaches:>8} {catch.flagged:>6} ({catch.flagged_recall:4.2f}) "
                     f"{catch.attention:>6} ({catch.attention_recall:4.2f}) {catch.clean:>6} {catch.false_flags:>8}")
    return lines
