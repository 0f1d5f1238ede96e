"""The check-mode text format: one `file:line:col: severity rule message` line
per finding, as compilers and linters print them, so editors and CI log
parsers can jump to the draft's line. The fix follows, indented."""
from __future__ import annotations

from ..locate import finding_location
from ..model import PostResult, Rejected, Severity, Summary
from .base import Reporter

_COLORS = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}
INPUT_RULE = "clearlabel-input"


class LintTextReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.counts = {severity: 0 for severity in Severity}
        self.suppressed = 0
        self.rejected_count = 0

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.context.color else text

    def post(self, result: PostResult) -> None:
        located = [(finding_location(result.post, finding), finding) for finding in result.findings]
        located.sort(key=lambda item: (item[0].line or 0, item[0].column or 0, item[1].rule))
        for location, finding in located:
            if finding.suppressed is not None:
                self.suppressed += 1
                continue
            self.counts[finding.severity] += 1
            where = f"{location.path or result.post.id}:{location.line or 1}:{location.column or 1}"
            market = f" [{finding.market}]" if finding.market else ""
            severity = self._paint(finding.severity.value, _COLORS[finding.severity])
            self.out.write(f"{where}: {severity} {finding.rule} {_one_line(finding.message)}{market}\n")
            if finding.fix:
                self.out.write(f"    fix: {_one_line(finding.fix)}\n")

    def rejected(self, rejected: Rejected) -> None:
        self.rejected_count += 1
        severity = self._paint("error", _COLORS[Severity.ERROR])
        where = f"{rejected.path}:{max(rejected.line, 1)}:1"
        self.out.write(f"{where}: {severity} {INPUT_RULE} {_one_line(rejected.reason)}\n")

    def finish(self, summary: Summary) -> None:
        problems = sum(self.counts.values())
        drafts = f"{summary.audited} draft{'s' if summary.audited != 1 else ''}"
        if problems == 0 and self.rejected_count == 0:
            line = f"No problems in {drafts}"
        else:
            parts = [f"{count} {severity.value}{'s' if count != 1 else ''}"
                     for severity, count in self.counts.items() if count]
            if self.rejected_count:
                parts.append(f"{self.rejected_count} unreadable")
            line = f"{problems} problem{'s' if problems != 1 else ''} ({', '.join(parts)}) in {drafts}"
        if self.suppressed:
            line += f"; {self.suppressed} suppressed"
        self.out.write(f"\n{line}.\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())
