"""JUnit XML for CI test dashboards: a test suite per file, a test case per
draft, a `<failure>` per error or warning. Info findings and suppressed ones
are listed in the case's `<system-out>`; an unreadable draft is an `<error>`."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..locate import finding_location
from ..model import PostResult, Rejected, Severity, Summary
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
        self.element = ET.Element("testsuite", name=_xml_text(name))
        self.tests = self.failures = self.errors = 0


class JunitReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.suites: dict[str, _Suite] = {}

    def _suite(self, name: str) -> _Suite:
        if name not in self.suites:
            self.suites[name] = _Suite(name)
        return self.suites[name]

    def post(self, result: PostResult) -> None:
        post = result.post
        path = post.origin.path if post.origin else post.id
        suite = self._suite(path)
        case = ET.SubElement(suite.element, "testcase", classname=_xml_text(path), name=_xml_text(post.id),
                             file=_xml_text(path), time="0")
        if post.origin and post.origin.line:
            case.set("line", str(post.origin.line))
        suite.tests += 1
        notes: list[str] = []
        for finding in result.findings:
            location = finding_location(post, finding)
            where = f"{location.path or post.id}:{location.line or 1}:{location.column or 1}"
            market = f" [{finding.market}]" if finding.market else ""
            headline = f"{where}: {finding.severity.value} {finding.rule}{market} {finding.message}"
            if finding.suppressed is not None:
                dismissed = finding.review is not None and finding.review.dismisses
                note = describe_review(finding.review) if dismissed else f"suppressed ({finding.suppressed})"
                notes.append(f"{note}: {headline}")
            elif finding.severity is Severity.INFO:
                notes.append(headline)
            else:
                body = [headline]
                if finding.fix:
                    body.append(f"Fix: {finding.fix}")
                if finding.citation:
                    body.append(f"Citation: {finding.citation}")
                failure = ET.SubElement(case, "failure", type=_xml_text(finding.rule),
                                        message=_xml_text(f"{finding.rule}{market}: {finding.message}"))
                failure.text = _xml_text("\n".join(body))
                suite.failures += 1
        if notes:
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(notes))

    def rejected(self, rejected: Rejected) -> None:
        suite = self._suite(rejected.path)
        name = f"{rejected.path}:{rejected.line}" if rejected.line else rejected.path
        case = ET.SubElement(suite.element, "testcase", classname=_xml_text(rejected.path), name=_xml_text(name),
                             file=_xml_text(rejected.path), time="0")
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
