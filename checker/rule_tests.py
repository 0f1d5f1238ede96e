"""Run the examples the rule packs carry.

- Every rule: each `fail` example must make the rule fire for its market,
  each `pass` example must not.
- Every signal and label with `examples`: it must be found in each `match`
  text and not in any `no_match` text (after negations, denials and the
  other context the packs define).

`clearlabel rules test` and the test suite both call `run_pack_examples`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .engine import Auditor
from .evidence import PostFacts
from .model import Post
from .packs import LexiconLabel, Rule, RuleSet, Signal
from .settings import Settings


@dataclass(frozen=True)
class ExampleOutcome:
    kind: str                 # "rule", "signal" or "label"
    subject: str              # its id
    path: str
    expectation: str          # rules: "fail" / "pass"; signals and labels: "match" / "no_match"
    example: Mapping[str, Any]
    fired: bool

    @property
    def ok(self) -> bool:
        return self.fired == (self.expectation in ("fail", "match"))

    def describe(self) -> str:
        if self.kind == "rule":
            wanted = "should fire" if self.expectation == "fail" else "should not fire"
            got = "fired" if self.fired else "did not fire"
        else:
            wanted = "should be found" if self.expectation == "match" else "should not be found"
            got = "was found" if self.fired else "was not found"
        text = " ".join(str(self.example.get("text") or self.example.get("title") or self.example.get("transcript")).split())
        return f"{self.path}:{self.example.get('_line', 0)}: {self.kind} {self.subject} {wanted} but {got} in: {text[:100]}"


def example_post(rule: Rule, example: Mapping[str, Any], index: int) -> Post:
    markets = example.get("market") or rule.market
    if isinstance(markets, str):
        markets = [m.strip() for m in markets.split(",")]
    posted_at = example.get("posted_at") or (rule.effective_from.isoformat() if rule.effective_from else None)
    return Post(
        id=f"{rule.id}#{index}",
        text=example.get("text") or "",
        title=example.get("title"),
        transcript=example.get("transcript"),
        on_screen_text=example.get("on_screen_text"),
        author=example.get("author", "@example.creator"),
        platform=example.get("platform", "instagram"),
        format=example.get("format", "post"),
        market=tuple(markets),
        language=example.get("language"),
        paid_partnership=bool(example.get("paid_partnership", False)),
        followers=example.get("followers"),
        posted_at=str(posted_at) if posted_at else None,
        brand=example.get("brand"),
    )


def run_pack_examples(ruleset: RuleSet, rule_ids: Iterable[str] | None = None) -> list[ExampleOutcome]:
    """Every rule's examples (or only those of `rule_ids`), then, when no
    rule ids are given, every signal's and label's."""
    auditor = Auditor(ruleset, Settings())
    outcomes = _rule_outcomes(auditor, ruleset, set(rule_ids) if rule_ids else None)
    if not rule_ids:
        for signal in ruleset.signals:
            outcomes += _lexicon_outcomes(auditor, "signal", signal, lambda facts, s=signal: _signal_found(facts, s))
        for label in ruleset.labels.values():
            outcomes += _lexicon_outcomes(auditor, "label", label, lambda facts, l=label: _label_found(facts, l))
    return outcomes


def _rule_outcomes(auditor: Auditor, ruleset: RuleSet, wanted: set[str] | None) -> list[ExampleOutcome]:
    outcomes = []
    for rule in ruleset.rules.values():
        if wanted is not None and rule.id not in wanted:
            continue
        for expectation, examples in (("fail", rule.failing_examples), ("pass", rule.passing_examples)):
            for index, example in enumerate(examples):
                result = auditor.audit(example_post(rule, example, index))
                fired = any(f.rule == rule.id for f in result.findings)
                outcomes.append(ExampleOutcome("rule", rule.id, rule.path, expectation, example, fired))
    return outcomes


def _lexicon_outcomes(auditor: Auditor, kind: str, subject: Signal | LexiconLabel, found) -> list[ExampleOutcome]:
    outcomes = []
    default_language = subject.language
    for expectation, examples in (("match", subject.examples.match), ("no_match", subject.examples.no_match)):
        for index, example in enumerate(examples):
            post = Post(id=f"{subject.id}#{expectation}{index}", text=example["text"],
                        author=example.get("author", "@example.creator"),
                        platform=example.get("platform", "instagram"), format=example.get("format", "post"),
                        language=example.get("language", default_language))
            facts = auditor.analyse(post)
            outcomes.append(ExampleOutcome(kind, subject.id, subject.path, expectation, example, found(facts)))
    return outcomes


def _signal_found(facts: PostFacts, signal: Signal) -> bool:
    if signal.kind == "negation":
        return any(hit.signal.id == signal.id for hit in facts.negations)
    if signal.kind == "brand_context":
        return any(context.signal == signal.id for context in facts.contexts)
    return signal.id in facts.signals_found


def _label_found(facts: PostFacts, label: LexiconLabel) -> bool:
    return any(hit.label.id == label.id for hit in facts.labels)
