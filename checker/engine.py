"""Facts -> findings -> verdicts: the rules of every market a post is aimed at.

`Auditor.audit(post)` is the whole per-post flow; `audit_within` gives a
post a time budget (a post over it comes back as a `Rejected` record, not a
result). Reading, ordering and worker processes are the run loop's
(`checker.runloop`).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Iterable, Mapping

from . import gcpause
from .budget import OverBudget, TimeBudget
from .checks import ALL_HOLDS, CHECK_FUNCTIONS, CHECK_NEEDS, MarketView, Result
from .evidence import Analyser, PostFacts
from .matchers import CompiledMatchers
from .model import Finding, Label, LabelStatus, Post, PostResult, Rejected, Verdict
from .nlp import forget_pipelines, get_pipeline
from .packs import Market, Rule, RuleSet
from .settings import Settings

# Findings that push a verdict; others (verdict "disclosed") only inform.
_PUSHING = (Verdict.UNDISCLOSED, Verdict.INADEQUATE, Verdict.REVIEW)


class UnknownMarket(ValueError):
    pass


@dataclass(frozen=True)
class MarketChoice:
    """Which markets a post is judged for, and which it named that have no pack."""
    markets: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class _CompiledRule:
    """A rule with its check function looked up and its finding's fixed
    parts ready; only the spans differ from post to post."""
    rule: Rule
    run: Callable[[MarketView, Mapping[str, Any]], Result]
    params: Mapping[str, Any]
    message: str                 # for an undated post
    dated_message: str           # for a post judged by its date

    @classmethod
    def of(cls, rule: Rule) -> "_CompiledRule":
        message = dated = rule.message
        if rule.effective_from or rule.effective_to:
            window = f"in force {rule.effective_from or '…'} to {rule.effective_to or 'now'}"
            message = f"{rule.message} (rule version {window})"
            dated = f"{rule.message} (rule version {window}, judged by the post date)"
        return cls(rule, CHECK_FUNCTIONS[rule.check], rule.params, message, dated)

    def finding(self, market: Market, spans: tuple, dated: bool) -> Finding:
        rule = self.rule
        return Finding(rule.id, rule.severity, market.id, rule.verdict, self.dated_message if dated else self.message,
                       rule.citation, rule.fix, tuple(spans), rule.pack)


class _RulesInForce:
    """The enabled rules of a market, split by the dates their versions
    start and end on, so that a post's date picks its rules by bisection,
    and by what a view must hold for their checks to fire."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        compiled = tuple(_CompiledRule.of(rule) for rule in rules)
        bounds = {rule.effective_from for rule in rules if rule.effective_from}
        bounds |= {rule.effective_to + timedelta(days=1) for rule in rules
                   if rule.effective_to and rule.effective_to < date.max}
        self.bounds = sorted(bounds)
        # Period i runs from bounds[i - 1] (inclusive) to bounds[i].
        firsts = [date.min, *self.bounds]
        self.periods = [_by_holds(c for c in compiled if c.rule.in_force(first)) for first in firsts]
        self.undated = _by_holds(c for c in compiled if c.rule.in_force(None))

    def on(self, day: date | None, holds: int) -> tuple[_CompiledRule, ...]:
        """The rules in force on `day` whose checks can fire on a view that
        holds `holds` (see `checks.CHECK_NEEDS`)."""
        by_holds = self.undated if day is None else self.periods[bisect_right(self.bounds, day)]
        return by_holds[holds]


def _by_holds(rules: Iterable[_CompiledRule]) -> list[tuple[_CompiledRule, ...]]:
    """For every value of `MarketView.holds`, the rules that can fire."""
    rules = tuple(rules)
    return [tuple(r for r in rules if CHECK_NEEDS[r.rule.check] & holds) for holds in range(ALL_HOLDS + 1)]


class Auditor:
    def __init__(self, ruleset: RuleSet, settings: Settings, *, override_markets: tuple[str, ...] = ()) -> None:
        unknown = [m for m in (*override_markets, *settings.markets) if m not in ruleset.markets]
        if unknown:
            raise UnknownMarket(f"no rule pack for market {', '.join(unknown)}; "
                                f"known markets: {', '.join(sorted(ruleset.markets))}")
        self.ruleset = ruleset
        self.settings = settings
        self.override_markets = override_markets
        self.folds = {**ruleset.folds, **settings.folds}
        self.rules = {market_id: _RulesInForce(self._enabled(market)) for market_id, market in ruleset.markets.items()}
        self._pipelines: dict[str | None, tuple] = {}
        self._matchers: dict[str, CompiledMatchers] = {}
        self.analyser = Analyser(ruleset, settings, self._pipeline)

    def _enabled(self, market: Market) -> tuple[Rule, ...]:
        enabled, disabled = set(self.settings.enable_rules), set(self.settings.disable_rules)
        return tuple(rule for rule in market.rules
                     if rule.id not in disabled and (not enabled or rule.id in enabled))

    def _pipeline(self, language: str | None):
        """(pipeline, matchers) for a post's language, built once per language."""
        found = self._pipelines.get(language)
        if found is None:
            nlp = get_pipeline(language)
            if nlp.lang not in self._matchers:
                self._matchers[nlp.lang] = CompiledMatchers(nlp, self.ruleset)
            found = self._pipelines[language] = (nlp, self._matchers[nlp.lang])
            gcpause.resume()
        return found

    def choose_markets(self, post: Post) -> MarketChoice:
        wanted = self._wanted_markets(post)
        known = tuple(m for m in wanted if m in self.ruleset.markets)
        return MarketChoice(known, tuple(m for m in wanted if m not in self.ruleset.markets))

    def _wanted_markets(self, post: Post) -> tuple[str, ...]:
        return self.override_markets or post.market or self.settings.markets

    def analyse(self, post: Post) -> PostFacts:
        """The evidence and labels found in a post, before any market judges them."""
        return self.analyser.analyse(post)

    def audit(self, post: Post) -> PostResult:
        """Audit one post for the markets chosen for it (see `choose_markets`);
        the caller rejects posts that have none.

        Most posts hold nothing to find. A post whose every chunk of text
        the screen knows to hold nothing a hit needs (`Analyser.quiet`), or
        in which the matchers found nothing and nothing else can give it
        evidence (`Analyser.nothing_to_find`), is decided at once, with the
        result `audit_in_full` gives it."""
        folded = self.analyser.fold(post)
        if self.analyser.quiet(post, folded):
            return self._nothing_found(post)
        scan = self.analyser.scan(post, folded)
        if self.analyser.nothing_to_find(scan):
            return self._nothing_found(post)
        return self._judged(self.analyser.analyse(post, scan))

    def audit_in_full(self, post: Post) -> PostResult:
        """`audit` without the shortcut for posts with nothing to find: every
        stage runs. The reference the shortcut is tested against."""
        return self._judged(self.analyser.analyse(post))

    def _nothing_found(self, post: Post) -> PostResult:
        markets = self.ruleset.markets
        verdicts = {market_id: Verdict.NO_EVIDENCE for market_id in self._wanted_markets(post) if market_id in markets}
        return PostResult(post=post, verdict=Verdict.NO_EVIDENCE, market_verdicts=verdicts)

    def _judged(self, facts: PostFacts) -> PostResult:
        post = facts.post
        result = PostResult(post=post, verdict=Verdict.NO_EVIDENCE, evidence=facts.evidence)
        for market_id in self._wanted_markets(post):
            market = self.ruleset.markets.get(market_id)
            if market is None:
                continue                            # reported by the caller (`choose_markets`)
            verdict, findings, labels = self._judge(facts, market)
            result.market_verdicts[market_id] = verdict
            result.findings.extend(findings)
            result.labels.extend(labels)
        if result.market_verdicts:
            result.verdict = max(result.market_verdicts.values(), key=lambda v: v.rank)
        return result

    def _judge(self, facts: PostFacts, market: Market) -> tuple[Verdict, list[Finding], list[Label]]:
        view = MarketView.build(facts, market, self.folds)
        dated = facts.posted_on is not None
        findings = [rule.finding(market, spans, dated) for rule in self.rules[market.id].on(facts.posted_on, view.holds)
                    if (spans := rule.run(view, rule.params)) is not None]
        return _verdict(view, findings), findings, _labels(view, market)

    def audit_within(self, budget: TimeBudget, post: Post) -> PostResult | Rejected:
        """`audit(post)` within `budget`; building the post's pipeline, once
        per language, is not counted."""
        self._pipeline(post.language or self.settings.language)
        try:
            return budget.run(self.audit, post)
        except OverBudget as error:
            # Stopped mid-way, spaCy's caches may hold half-made entries:
            # later posts get pipelines and matchers built afresh.
            self._pipelines.clear()
            self._matchers.clear()
            forget_pipelines()
            origin = post.origin
            return Rejected(origin.path if origin else "-", origin.line if origin else 1,
                            f"post {post.id!r} not audited: its audit {error}, the budget per post "
                            "(raise it with --post-timeout or post-timeout in the configuration)")


def _verdict(view: MarketView, findings: list[Finding]) -> Verdict:
    pushing = [f.verdict for f in findings if f.verdict in _PUSHING]
    if pushing:
        return max(pushing, key=lambda v: v.rank)
    if view.relationship or view.platform_label:
        return Verdict.DISCLOSED
    return Verdict.NO_EVIDENCE


def _labels(view: MarketView, market: Market) -> list[Label]:
    labels = [Label(market.id, LabelStatus.ACCEPTED, h.label.id, h.span, h.label.language, h.obfuscated)
              for h in view.accepted]
    labels += [Label(market.id, LabelStatus.AMBIGUOUS, h.label.id, h.span, h.label.language, h.obfuscated)
               for h in view.ambiguous]
    if view.platform_label:
        status = LabelStatus.ACCEPTED if market.platform_label == "accepted" else LabelStatus.AMBIGUOUS
        labels.append(Label(market.id, status, "platform-paid-partnership", None))
    return labels
