"""Facts -> findings -> verdicts: the rules of every market a post is aimed at.

`Auditor.audit(post)` is the whole per-post flow. `audit_many` keeps input
order and, with `jobs > 1`, audits chunks in worker processes that each build
their pipelines once.
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Iterator

from .checks import CHECK_FUNCTIONS, MarketView
from .evidence import Analyser, PostFacts
from .matchers import CompiledMatchers
from .model import Finding, Label, LabelStatus, Post, PostResult, Verdict
from .nlp import get_pipeline
from .packs import Market, Rule, RuleSet, load_ruleset
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
        self.rules = {market_id: self._enabled(market) for market_id, market in ruleset.markets.items()}
        self._matchers: dict[str, tuple] = {}
        self.analyser = Analyser(ruleset, settings, self._pipeline)

    def _enabled(self, market: Market) -> tuple[Rule, ...]:
        enabled, disabled = set(self.settings.enable_rules), set(self.settings.disable_rules)
        return tuple(rule for rule in market.rules
                     if rule.id not in disabled and (not enabled or rule.id in enabled))

    def _pipeline(self, language: str | None):
        nlp = get_pipeline(language)
        key = nlp.lang
        if key not in self._matchers:
            self._matchers[key] = (nlp, CompiledMatchers(nlp, self.ruleset))
        return self._matchers[key]

    def choose_markets(self, post: Post) -> MarketChoice:
        wanted = self.override_markets or post.market or self.settings.markets
        known = tuple(m for m in wanted if m in self.ruleset.markets)
        return MarketChoice(known, tuple(m for m in wanted if m not in self.ruleset.markets))

    def audit(self, post: Post) -> PostResult:
        """Audit one post for the markets chosen for it (see `choose_markets`);
        the caller rejects posts that have none."""
        facts = self.analyser.analyse(post)
        result = PostResult(post=post, verdict=Verdict.NO_EVIDENCE, evidence=facts.evidence)
        for market_id in self.choose_markets(post).markets:
            verdict, findings, labels = self._judge(facts, self.ruleset.markets[market_id])
            result.market_verdicts[market_id] = verdict
            result.findings.extend(findings)
            result.labels.extend(labels)
        if result.market_verdicts:
            result.verdict = max(result.market_verdicts.values(), key=lambda v: v.rank)
        return result

    def _judge(self, facts: PostFacts, market: Market) -> tuple[Verdict, list[Finding], list[Label]]:
        view = MarketView.build(facts, market, self.folds)
        findings = []
        for rule in self.rules[market.id]:
            if not rule.in_force(facts.posted_on):
                continue
            spans = CHECK_FUNCTIONS[rule.check](view, rule.params)
            if spans is not None:
                findings.append(_finding(rule, market, spans, facts.posted_on is not None))
        pushing = [f.verdict for f in findings if f.verdict in _PUSHING]
        if pushing:
            verdict = max(pushing, key=lambda v: v.rank)
        elif view.relationship or view.platform_label:
            verdict = Verdict.DISCLOSED
        else:
            verdict = Verdict.NO_EVIDENCE
        labels = [Label(market.id, LabelStatus.ACCEPTED, h.label.id, h.span, h.label.language, h.obfuscated)
                  for h in view.accepted]
        labels += [Label(market.id, LabelStatus.AMBIGUOUS, h.label.id, h.span, h.label.language, h.obfuscated)
                   for h in view.ambiguous]
        if view.platform_label:
            status = LabelStatus.ACCEPTED if market.platform_label == "accepted" else LabelStatus.AMBIGUOUS
            labels.append(Label(market.id, status, "platform-paid-partnership", None))
        return verdict, findings, labels

    def audit_many(self, posts: Iterable[Post], jobs: int = 1, chunk_size: int = 256) -> Iterator[PostResult]:
        if jobs <= 1:
            yield from (self.audit(post) for post in posts)
            return
        context = multiprocessing.get_context("spawn")
        with context.Pool(jobs, initializer=_init_worker, initargs=(self.settings, self.override_markets)) as pool:
            chunks = _chunks(posts, chunk_size)
            for results in pool.imap(_audit_chunk, chunks):
                yield from results


def _finding(rule: Rule, market: Market, spans, dated: bool) -> Finding:
    message = rule.message
    if rule.effective_from or rule.effective_to:
        window = f"in force {rule.effective_from or '…'} to {rule.effective_to or 'now'}"
        message = f"{message} (rule version {window}{', judged by the post date' if dated else ''})"
    return Finding(
        rule=rule.id, severity=rule.severity, market=market.id, verdict=rule.verdict,
        message=message, citation=rule.citation, fix=rule.fix, spans=tuple(spans),
        pack=f"{rule.pack}",
    )


def _chunks(items: Iterable[Post], size: int) -> Iterator[list[Post]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


_worker: Auditor | None = None


def _init_worker(settings: Settings, override_markets: tuple[str, ...]) -> None:
    global _worker
    _worker = Auditor(load_ruleset(settings.rule_dirs, disable_packs=settings.disable_packs),
                      settings, override_markets=override_markets)


def _audit_chunk(posts: list[Post]) -> list[PostResult]:
    assert _worker is not None
    return [_worker.audit(post) for post in posts]

