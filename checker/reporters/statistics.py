"""`--statistics`: how many findings each rule reported, most first."""
from __future__ import annotations

from collections import Counter
from typing import Mapping, TextIO

from ..model import PostResult, RuleInfo, Severity
from .base import printable


class RuleStatistics:
    """Counts unsuppressed findings per rule as results go by."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.severities: dict[str, Severity] = {}

    def add(self, result: PostResult) -> None:
        for finding in result.findings:
            if finding.suppressed is None:
                self.counts[finding.rule] += 1
                self.severities[finding.rule] = finding.severity

    def write(self, stream: TextIO, rules: Mapping[str, RuleInfo]) -> None:
        if not self.counts:
            stream.write("No findings.\n")
            return
        width = max(len(f"{count:,}") for count in self.counts.values())
        id_width = max(len(rule) for rule in self.counts)
        for rule, count in sorted(self.counts.items(), key=lambda item: (-item[1], item[0])):
            info = rules.get(rule)
            title = info.title if info else ""
            line = f"{count:>{width},}  {rule:<{id_width}}  {self.severities[rule].value:<7}  {title}".rstrip()
            stream.write(printable(line) + "\n")
