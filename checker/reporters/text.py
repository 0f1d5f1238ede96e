"""The default format: a report a person reads in the terminal.

Posts that need attention are shown with their evidence and labels marked in
place, each finding with its rule, market, citation and fix; clean posts get
one line; a summary closes the report.
"""
from __future__ import annotations

from ..model import PostResult, Span, Summary, Verdict
from ..store.views import short_id
from ..suppress import fingerprint
from .base import Reporter, describe_review, nothing_read, printable, suppression_note
from .grouping import group_values

_ATTENTION = (Verdict.UNDISCLOSED, Verdict.INADEQUATE, Verdict.REVIEW)
_STYLE = {
    Verdict.UNDISCLOSED: "1;31", Verdict.INADEQUATE: "1;33", Verdict.REVIEW: "1;36",
    Verdict.DISCLOSED: "32", Verdict.NO_EVIDENCE: "2",
}
_EXCERPT_CHARS = 400


class TextReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.groups: dict[str, dict[str, int]] = {}      # group -> verdict -> posts

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.context.color else text

    def post(self, result: PostResult) -> None:
        post = result.post
        where = f"{post.origin.path}:{post.origin.line}" if post.origin else ""
        markets = ",".join(result.market_verdicts) or "-"
        verdict = self._paint(result.verdict.value.upper(), _STYLE[result.verdict])
        who = printable(f"{post.id}  {post.author or '(unknown)'}")
        head = f"{who}  {post.platform}/{post.format}  [{markets}]  {verdict}"
        for group, group_verdict in group_values(result, self.context.summary_by):
            counts = self.groups.setdefault(group, {})
            counts[group_verdict.value] = counts.get(group_verdict.value, 0) + 1
        if result.verdict not in _ATTENTION:
            if not self.context.quiet:
                self.out.write(f"{head}\n")
            return
        self.out.write(f"\n{head}  {printable(where)}\n")
        for name, text in post.text_fields():
            self.out.write(f"  {name}: {self._marked(result, name, text)}\n")
        for finding in result.findings:
            if finding.verdict not in _ATTENTION and finding.severity.value == "info":
                continue
            severity = self._paint(finding.severity.value, "1;31" if finding.severity.value == "error" else "33")
            note = suppression_note(finding)
            if note is None and finding.review is not None:     # confirmed, reopened, or stale
                note = describe_review(finding.review)
            suppressed = f" ({note})" if note else ""
            described = printable(f"{finding.rule} [{finding.market}] {finding.message}{suppressed}")
            self.out.write(f"  {severity} {described}\n")
            details = {e.span: e.detail for e in result.evidence if e.span is not None and e.detail}
            for span in finding.spans[:5]:
                why = f" ({details[span]})" if span in details else ""
                self.out.write(printable(f"      at {span.field}[{span.start}:{span.end}] {_quote(span.text)}{why}\n"))
            self.out.write(printable(f"      cite: {finding.citation}\n"))
            self.out.write(printable(f"      fix:  {finding.fix}\n"))
            self.out.write(f"      id:   {short_id(fingerprint(result, finding))}\n")

    def _marked(self, result: PostResult, field: str, text: str) -> str:
        """The field's text with evidence in [[…]] and labels in {{…}} (colour on a terminal)."""
        marks: list[tuple[Span, str]] = [(e.span, "evidence") for e in result.evidence if e.span and e.span.field == field]
        marks += [(l.span, "label") for l in result.labels if l.span and l.span.field == field]
        marks.sort(key=lambda item: (item[0].start, -item[0].end))
        pieces, cursor = [], 0
        for span, kind in marks:
            if span.start < cursor:
                continue
            pieces.append(printable(text[cursor:span.start]))
            pieces.append(self._mark(printable(text[span.start:span.end]), kind))
            cursor = span.end
        pieces.append(printable(text[cursor:]))
        marked = "".join(pieces)
        flat = " ".join(marked.split())
        if len(text) > _EXCERPT_CHARS and not self.context.color:
            return flat[:_EXCERPT_CHARS * 2] + ("…" if len(flat) > _EXCERPT_CHARS * 2 else "")
        return flat

    def _mark(self, text: str, kind: str) -> str:
        if self.context.color:
            return self._paint(text, "4;33" if kind == "evidence" else "4;32")
        return f"[[{text}]]" if kind == "evidence" else f"{{{{{text}}}}}"

    def finish(self, summary: Summary) -> None:
        if self.context.quiet or nothing_read(summary):
            return
        self.out.write("\nSummary\n")
        self.out.write(f"  posts read {summary.read}: audited {summary.audited}, rejected {summary.rejected}\n")
        if summary.file_errors:
            self.out.write(f"  files that could not be read: {len(summary.file_errors)}\n")
        for verdict in Verdict:
            count = summary.by_verdict.get(verdict.value, 0)
            self.out.write(f"  {verdict.value:<12} {count:>6}{_review_reasons(summary) if verdict is Verdict.REVIEW else ''}\n")
        if self.groups:
            title = printable(self.context.summary_by[:32])
            self.out.write("\n  " + f"{title:<32}" + "".join(f"{v.value:>13}" for v in Verdict) + "\n")
            for group, counts in sorted(self.groups.items()):
                row = "".join(f"{counts.get(v.value, 0):>13}" for v in Verdict)
                self.out.write(f"  {printable(group[:32]):<32}{row}\n")

def _review_reasons(summary: Summary) -> str:
    """The share of posts sent to review and the rules that sent them."""
    if not summary.review_rules:
        return ""
    share = summary.by_verdict.get(Verdict.REVIEW.value, 0) / summary.audited if summary.audited else 0
    reasons = ", ".join(f"{rule} {count}" for rule, count in
                        sorted(summary.review_rules.items(), key=lambda item: (-item[1], item[0])))
    return f"  ({share:.1%} of posts; why: {reasons})"


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= 80 else flat[:77] + "…")
