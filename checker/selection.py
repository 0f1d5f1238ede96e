"""Which rules run: `select` and `ignore` selectors, from the configuration
or the command line, resolved against the rules that exist.

A selector is a rule id (`GB-NO-LABEL`), a prefix ending in `-` (`GB-`,
`clearlabel-`) or a glob (`*-UNCLEAR-LABEL`, `??-NO-LABEL`); case does not
matter. A rule runs when it is selected (every rule is, when nothing is) and
not ignored: `ignore` wins. A selector that matches no rule is an error that
names where it was written and suggests the closest rule id.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from typing import Collection, Iterable

from .wording import closest


@dataclass(frozen=True)
class RuleSelector:
    pattern: str
    where: str = ""          # "file:line" of the configuration, or the option ("--select")

    def kind(self) -> str:
        if any(char in self.pattern for char in "*?["):
            return "glob"
        return "prefix" if self.pattern.endswith("-") else "id"

    def matches(self, rule_id: str) -> bool:
        rule, pattern = rule_id.casefold(), self.pattern.casefold()
        kind = self.kind()
        if kind == "glob":
            return fnmatch.fnmatchcase(rule, pattern)
        if kind == "prefix":
            return rule.startswith(pattern)
        return rule == pattern


class UnknownRule(ValueError):
    """A rule id (or selector) that names no rule."""


def unknown_rule_message(name: str, known: Collection[str], what: str = "rule") -> str:
    """`unknown rule 'US-NO-LABLE' (did you mean 'US-NO-LABEL'?)`, with the
    closest id, or the closest prefix for a prefix."""
    if name.endswith("-"):
        candidates = sorted({rule_id.split("-", 1)[0] + "-" for rule_id in known if "-" in rule_id})
        kind = "prefix"
    else:
        candidates, kind = sorted(known), what
    match = closest(name, candidates)
    if match is not None and match != name:
        hint = f" (did you mean {match!r}?)"
    else:
        hint = "; 'clearlabel rules list' lists the rules"
    return f"unknown {kind} {name!r}{hint}"


def resolve(selectors: Iterable[RuleSelector], known: Collection[str]) -> frozenset[str]:
    """The rule ids the selectors match; UnknownRule for one that matches none."""
    found: set[str] = set()
    for selector in selectors:
        matched = {rule_id for rule_id in known if selector.matches(rule_id)}
        if not matched:
            where = f"{selector.where}: " if selector.where else ""
            described = unknown_rule_message(selector.pattern, known)
            if selector.kind() == "glob":
                described = f"{selector.pattern!r} matches no rule; 'clearlabel rules list' lists the rules"
            raise UnknownRule(where + described)
        found |= matched
    return frozenset(found)


@dataclass(frozen=True)
class RuleFilter:
    """The rules that run, once the selectors are resolved."""
    selected: frozenset[str] | None       # None: every rule
    ignored: frozenset[str] = frozenset()

    def runs(self, rule_id: str) -> bool:
        return rule_id not in self.ignored and (self.selected is None or rule_id in self.selected)


def rule_filter(select: Iterable[RuleSelector], ignore: Iterable[RuleSelector],
                known: Collection[str]) -> RuleFilter:
    select = tuple(select)
    return RuleFilter(resolve(select, known) if select else None, resolve(ignore, known))


def apply_to_settings(settings, chosen: RuleFilter, market_rule_ids: Collection[str]):
    """`settings` with the engine's enable/disable lists set from the filter."""
    enabled = tuple(sorted(chosen.selected & set(market_rule_ids))) if chosen.selected is not None else ()
    if chosen.selected is not None and not enabled:
        # Only meta rules selected: no market rule may run.
        disabled = tuple(sorted(market_rule_ids))
    else:
        disabled = tuple(sorted(chosen.ignored & set(market_rule_ids)))
    return replace(settings, enable_rules=enabled, disable_rules=disabled)
