"""The check-mode text format: one `file:line:col: severity rule message` line
per finding, as compilers and linters print them, so editors and CI log
parsers can jump to the draft's line. The fix follows, indented; with
`show_source`, the line of the post the finding is about, with the span
marked. A summary line closes the report (not with `quiet`)."""
from __future__ import annotations

import unicodedata

from ..gate import failing_verdict, result_fails
from ..locate import finding_location
from ..model import Finding, PostResult, Rejected, Severity, Summary
from ..wording import plural
from .base import Reporter, nothing_read, printable

_COLORS = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}
INPUT_RULE = "clearlabel-input"


class LintTextReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.counts = {severity: 0 for severity in Severity}
        self.suppressed = 0
        self.rejected_count = 0
        self.failing: dict[str, int] = {}       # failing verdict (or "other") -> drafts

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
            described = printable(f"{finding.rule} {_one_line(finding.message)}{market}")
            self.out.write(f"{printable(where)}: {severity} {described}\n")
            if self.context.show_source:
                self.out.write(source_context(result, finding, location.line))
            if finding.fix:
                self.out.write(printable(f"    fix: {_one_line(finding.fix)}") + "\n")
        if result_fails(result, self.context.fail_on):
            verdict = failing_verdict(result)
            key = verdict.value if verdict else "other"
            self.failing[key] = self.failing.get(key, 0) + 1

    def rejected(self, rejected: Rejected) -> None:
        self.rejected_count += 1
        severity = self._paint("error", _COLORS[Severity.ERROR])
        where = f"{rejected.path}:{max(rejected.line, 1)}:1"
        self.out.write(f"{printable(where)}: {severity} {INPUT_RULE} {printable(_one_line(rejected.reason))}\n")

    def finish(self, summary: Summary) -> None:
        if self.context.quiet or nothing_read(summary):
            return
        problems = sum(self.counts.values())
        drafts = plural(summary.audited, "draft")
        if problems == 0 and self.rejected_count == 0:
            line = f"No problems in {drafts}"
        else:
            parts = [plural(count, severity.value) for severity, count in self.counts.items() if count]
            if self.rejected_count:
                parts.append(f"{self.rejected_count:,} unreadable")
            line = f"{plural(problems, 'problem')} ({', '.join(parts)}) in {drafts}"
        if self.failing:
            failing = sum(self.failing.values())
            reasons = [f"{count:,} {name}" for name, count in self.failing.items() if name != "other"]
            line += f"; {failing:,} failing" + (f" ({', '.join(reasons)})" if reasons else "")
        if self.suppressed:
            line += f"; {self.suppressed:,} suppressed"
        self.out.write(f"\n{line}.\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _width(text: str) -> int:
    """Terminal columns: wide characters (most emoji, CJK) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 0 if unicodedata.combining(char) else 1
               for char in text)


def source_context(result: PostResult, finding: Finding, line: int | None, limit: int = 120) -> str:
    """The line of the post's text a finding's first span is on, with the
    span underlined, as `   6 | text` and `     |    ^^^^`."""
    if not finding.spans:
        return ""
    span = finding.spans[0]
    text = result.post.field_text(span.field)
    begin = text.rfind("\n", 0, span.start) + 1
    end = text.find("\n", span.start)
    end = len(text) if end < 0 else end
    before = printable(text[begin:span.start])
    marked = printable(text[span.start:min(span.end, end)]) or " "
    after = printable(text[min(span.end, end):end])
    if _width(before) > limit:            # keep the span in view on long lines
        before = "…" + before[-(limit // 2):]
    gutter = f"{line:>4}" if line else "    "
    rest = after if _width(before + marked + after) <= limit * 2 else after[:limit // 2] + "…"
    return (f"{gutter} | {before}{marked}{rest}\n"
            f"     | {' ' * _width(before)}{'^' * max(1, _width(marked))}\n")
