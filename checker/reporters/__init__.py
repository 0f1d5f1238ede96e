"""Stream reporters by format name. Each only renders finished results."""
from __future__ import annotations

from .github import GithubReporter
from .json_out import JsonLinesReporter, JsonReporter
from .junit import JunitReporter
from .sarif import SarifReporter
from .text import TextReporter

REPORTERS = {
    "text": TextReporter,
    "json": JsonReporter,
    "jsonl": JsonLinesReporter,
    "sarif": SarifReporter,
    "junit": JunitReporter,
    "github": GithubReporter,
}
