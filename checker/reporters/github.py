"""GitHub Actions workflow commands: an annotation on the draft's line per finding.

GitHub shows at most 10 error and 10 warning annotations per step, so when
`GITHUB_STEP_SUMMARY` names a file, a Markdown table of every finding is
appended to it as well. Paths are made relative to `GITHUB_WORKSPACE` (the
repository root) when the run happens in a subdirectory of it.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..locate import Location, finding_location
from ..model import Finding, PostResult, Rejected, Severity, Summary
from ..wording import plural
from .base import Reporter

ANNOTATION_LIMIT = 10
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: str, message: str, **properties: object) -> str:
    """`::level key=value,...::message` with both parts escaped."""
    given = ",".join(f"{key}={escape_property(str(value))}"
                     for key, value in properties.items() if value is not None)
    return f"::{level}{' ' + given if given else ''}::{escape_data(message)}"


def repository_path(path: str) -> str:
    """A path relative to the working directory, re-rooted at the workspace."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace or Path(path).is_absolute():
        return path
    try:
        return Path(os.path.relpath(Path.cwd() / path, workspace)).as_posix()
    except ValueError:
        return path


def _markdown_cell(text: str) -> str:
    text = " ".join(text.split())
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;")):
        text = text.replace(char, entity)
    return text


class GithubReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.rows: list[tuple[str, str, str, str]] = []     # location, severity, rule, message
        self.shown = {level: 0 for level in _LEVELS.values()}
        self.suppressed = 0

    def post(self, result: PostResult) -> None:
        for finding in result.findings:
            if finding.suppressed is not None:
                self.suppressed += 1
                continue
            location = finding_location(result.post, finding)
            self._annotate(result, finding, location)

    def _annotate(self, result: PostResult, finding: Finding, location: Location) -> None:
        level = _LEVELS[finding.severity]
        path = repository_path(location.path) if location.path else None
        same_line = location.end_line == location.line
        title = f"{finding.rule} ({finding.market})" if finding.market else finding.rule
        message = finding.message
        if finding.fix:
            message += f"\nFix: {finding.fix}"
        if finding.citation:
            message += f"\nCitation: {finding.citation}"
        if path is None:
            message = f"{result.post.id}: {message}"
        self.out.write(workflow_command(
            level, message, file=path, line=location.line, col=location.column,
            endLine=location.end_line if same_line else None,
            endColumn=location.end_column if same_line else None, title=title) + "\n")
        self.shown[level] += 1
        where = f"{path or result.post.id}:{location.line or 1}" + (f":{location.column}" if location.column else "")
        fix = f" — fix: {finding.fix}" if finding.fix else ""
        self.rows.append((where, finding.severity.value, finding.rule, f"{finding.message}{fix}"))

    def rejected(self, rejected: Rejected) -> None:
        path = repository_path(rejected.path)
        self.out.write(workflow_command("error", rejected.reason, file=path,
                                        line=rejected.line or None, title="clearlabel: unreadable draft") + "\n")
        where = f"{path}:{rejected.line}" if rejected.line else path
        self.rows.append((where, "error", "clearlabel-input", rejected.reason))

    def finish(self, summary: Summary) -> None:
        target = os.environ.get("GITHUB_STEP_SUMMARY")
        if not target:
            return
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(self.step_summary(summary))

    def step_summary(self, summary: Summary) -> str:
        drafts = plural(summary.audited, "draft")
        if not self.rows:
            head = f"### clearlabel: no problems in {drafts}\n"
        else:
            head = f"### clearlabel: {plural(len(self.rows), 'problem')} in {drafts}\n"
        lines = [head]
        if self.suppressed:
            lines.append(f"{plural(self.suppressed, 'suppressed finding')} not shown.\n")
        if any(count > ANNOTATION_LIMIT for count in self.shown.values()):
            lines.append(f"GitHub shows only {ANNOTATION_LIMIT} error and {ANNOTATION_LIMIT} warning "
                         "annotations per step; every finding is listed here.\n")
        if self.rows:
            lines.append("\n| Where | Severity | Rule | Message |\n| --- | --- | --- | --- |\n")
            lines.extend(f"| {' | '.join(_markdown_cell(cell) for cell in row)} |\n" for row in self.rows)
        return "".join(lines) + "\n"
