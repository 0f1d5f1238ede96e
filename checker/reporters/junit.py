"""JUnit XML for CI test dashboards (Jenkins, GitLab, Azure DevOps).

A test suite per file and a test case per post or draft. A post that fails
the run (see `checker.gate`: an undisclosed or inadequate verdict, or a
finding at or above --fail-on) has exactly one `<failure>`, which lists each
failing finding with its location, fix and citation; so a suite's
`failures` counts failing posts and never exceeds its `tests`. Other
findings (below the threshold, or suppressed) go to the case's
`<system-out>`; a record that could not be read is a case with an `<error>`.

The document follows the junit-10.xsd schema the Jenkins xUnit plugin
validates against (GitLab reads the same elements): test cases carry only
`name`, `classname` and `time`; the file is an attribute of the suite.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..gate import DEFAULT_THRESHOLD, finding_fails
from ..locate import finding_location
from ..model import Finding, Post, PostResult, Rejected, Summary
from ..wording import plural
from .base import Reporter, describe_review

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# Valid XML, but they reorder what a CI dashboard shows: written as escapes.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _xml_text(text: str) -> str:
    text = _BIDI.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return _NOT_XML.sub("\ufffd", text)


class _Suite:
    def __init__(self, name: str) -> None:
        self.element = ET.Element("testsuite", name=_xml_text(name), file=_xml_text(name))
        self.tests = self.failures = self.errors = 0


def _headline(post: Post, finding: Finding) -> str:
    location = finding_location(post, finding)
    where = f"{location.path or post.id}:{location.line or 1}:{location.column or 1}"
    market = f" [{finding.market}]" if finding.market else ""
    return f"{where}: {finding.severity.value} {finding.rule}{market} {finding.message}"


def _not_counted(finding: Finding) -> str:
    """Why a finding that does not fail is shown as a note: its dismissal or suppression."""
    if finding.review is not None and finding.review.dismisses:
        return f"{describe_review(finding.review)}: "
    return f"suppressed ({finding.suppressed}): " if finding.suppressed is not None else ""


def _short(finding: Finding) -> str:
    return f"{finding.rule} [{finding.market}]" if finding.market else finding.rule


class JunitReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.suites: dict[str, _Suite] = {}
        # Findings are shown as failures even when --fail-on never keeps the exit code at 0.
        self.threshold = context.fail_on or DEFAULT_THRESHOLD

    def _suite(self, name: str) -> _Suite:
        if name not in self.suites:
            self.suites[name] = _Suite(name)
        return self.suites[name]

    def post(self, result: PostResult) -> None:
        post = result.post
        path = post.origin.path if post.origin else post.id
        suite = self._suite(path)
        case = ET.SubElement(suite.element, "testcase", classname=_xml_text(path), name=_xml_text(post.id), time="0")
        suite.tests += 1
        failing = [finding for finding in result.findings if finding_fails(finding, self.threshold)]
        notes = [_not_counted(finding) + _headline(post, finding) for finding in result.findings
                 if finding not in failing]
        if failing:
            body: list[str] = []
            for finding in failing:
                body.append(_headline(post, finding))
                if finding.fix:
                    body.append(f"    Fix: {finding.fix}")
                if finding.citation:
                    body.append(f"    Citation: {finding.citation}")
            if len(failing) == 1:
                kind, message = failing[0].rule, f"{_short(failing[0])}: {failing[0].message}"
            else:
                kind = "clearlabel"
                message = f"{plural(len(failing), 'problem')}: {', '.join(_short(f) for f in failing)}"
            failure = ET.SubElement(case, "failure", type=_xml_text(kind), message=_xml_text(message))
            failure.text = _xml_text("\n".join(body))
            suite.failures += 1
        if notes:
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(notes))

    def rejected(self, rejected: Rejected) -> None:
        suite = self._suite(rejected.path)
        name = f"{rejected.path}:{rejected.line}" if rejected.line else rejected.path
        case = ET.SubElement(suite.element, "testcase", classname=_xml_text(rejected.path), name=_xml_text(name),
                             time="0")
        error = ET.SubElement(case, "error", message=_xml_text(rejected.reason), type="clearlabel-input")
        error.text = _xml_text(f"{name}: {rejected.reason}")
        suite.tests += 1
        suite.errors += 1

    def finish(self, summary: Summary) -> None:
        root = ET.Element("testsuites", name="clearlabel")
        totals = {"tests": 0, "failures": 0, "errors": 0}
        for suite in self.suites.values():
            counts = {"tests": suite.tests, "failures": suite.failures, "errors": suite.errors}
            for key, value in counts.items():
                suite.element.set(key, str(value))
                totals[key] += value
            suite.element.set("skipped", "0")
            suite.element.set("time", "0")
            root.append(suite.element)
        for key, value in totals.items():
            root.set(key, str(value))
        root.set("time", "0")
        ET.indent(root)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ET.tostring(root, encoding="unicode"))
        self.out.write("\n")
