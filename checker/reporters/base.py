"""The interface every stream reporter implements.

Reporters only render: they receive finished results and never reach back
into the engine. Streaming formats write as posts arrive; whole-document
formats (json, sarif, junit) collect and write in `finish`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, TextIO

from ..model import PostResult, Rejected, RuleInfo, Summary


@dataclass
class ReportContext:
    stream: TextIO
    rules: Mapping[str, RuleInfo]
    tool_version: str
    packs: tuple[str, ...] = ()          # "pack-id@version" of every pack loaded
    color: bool = False
    mode: str = "audit"                  # "audit" or "check"
    extra: dict = field(default_factory=dict)


class Reporter:
    """Base class: subclasses override what they need."""

    def __init__(self, context: ReportContext) -> None:
        self.context = context
        self.out = context.stream

    def post(self, result: PostResult) -> None:
        """Called once per audited post, in input order."""

    def rejected(self, rejected: Rejected) -> None:
        """Called once per record (or file, line 0) that could not be read."""

    def finish(self, summary: Summary) -> None:
        """Called once at the end."""
