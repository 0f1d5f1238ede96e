"""Run the examples every rule carries: each `fail` example must make the
rule fire for its market, each `pass` example must not.

`clearlabel rules test` and the test suite both call `run_rule_examples`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .engine import Auditor
from .model import Post
from .packs import Rule, RuleSet
from .settings import Settings


@dataclass(frozen=True)
class ExampleOutcome:
    rule: Rule
    expectation: str          # "fail" or "pass"
    example: Mapping[str, Any]
    fired: bool

    @property
    def ok(self) -> bool:
        return self.fired == (self.expectation == "fail")

    def describe(self) -> str:
        wanted = "should fire" if self.expectation == "fail" else "should not fire"
        got = "fired" if self.fired else "did not fire"
        text = " ".join(str(self.example.get("text") or self.example.get("title") or self.example.get("transcript")).split())
        return (f"{self.rule.path}:{self.example.get('_line', self.rule.line)}: {self.rule.id} {wanted} "
                f"but {got} on: {text[:100]}")


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


def run_rule_examples(ruleset: RuleSet, rule_ids: Iterable[str] | None = None) -> list[ExampleOutcome]:
    auditor = Auditor(ruleset, Settings())
    wanted = set(rule_ids) if rule_ids else None
    outcomes = []
    for rule in ruleset.rules.values():
        if wanted is not None and rule.id not in wanted:
            continue
        for expectation, examples in (("fail", rule.failing_examples), ("pass", rule.passing_examples)):
            for index, example in enumerate(examples):
                result = auditor.audit(example_post(rule, example, index))
                fired = any(f.rule == rule.id for f in result.findings)
                outcomes.append(ExampleOutcome(rule, expectation, example, fired))
    return outcomes
