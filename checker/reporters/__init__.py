"""Stream reporters by format name. Each only renders finished results.

A reporter's module is imported when its format is asked for: a command
that writes text need not import the XML, SARIF and JSON writers."""
from __future__ import annotations

from importlib import import_module
from typing import Iterator, Mapping


class ReporterClasses(Mapping[str, type]):
    """Format name -> reporter class, each imported on first use from
    `checker.reporters.MODULE` as given by `(module, class name)`."""

    def __init__(self, where: Mapping[str, tuple[str, str]]) -> None:
        self._where = dict(where)

    def __getitem__(self, name: str) -> type:
        module, cls = self._where[name]
        return getattr(import_module(f"{__name__}.{module}"), cls)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


REPORTERS = ReporterClasses({
    "text": ("text", "TextReporter"),
    "json": ("json_out", "JsonReporter"),
    "jsonl": ("json_out", "JsonLinesReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "junit": ("junit", "JunitReporter"),
    "github": ("github", "GithubReporter"),
})
