"""Messages on standard error, without floods.

Every message names its file and line. A problem that repeats (the same
reason, numbers and post ids aside) is shown once as it happens; the
repeats are counted and summed up at the end, with their first few
locations: `the same problem in 4,999 more records: a.csv:3, a.csv:4, …`.
`verbose` shows every one; `quiet` drops notes but never errors.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import TextIO

from .model import Rejected
from .reporters.base import printable
from .wording import plural

SHOWN_LOCATIONS = 3
_NUMBERS = re.compile(r"\d+")
_POST_ID = re.compile(r"post (?:id )?'(?:[^'\\]|\\.)*'")


def problem_kind(reason: str) -> str:
    """What makes two messages the same problem: the reason with numbers and
    post ids left out."""
    return _NUMBERS.sub("N", _POST_ID.sub("post …", reason))


@dataclass
class _Repeats:
    first: str                                   # where it was first seen
    locations: list[str] = field(default_factory=list)
    count: int = 0


class Diagnostics:
    def __init__(self, *, verbose: bool = False, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.verbose = verbose
        self.quiet = quiet
        self._stream = stream
        self.repeats: dict[str, _Repeats] = {}

    @property
    def stream(self) -> TextIO:
        return self._stream or sys.stderr

    def _write(self, text: str) -> None:
        self.stream.write(printable(text) + "\n")

    def rejected(self, rejected: Rejected) -> None:
        where = f"{rejected.path}:{rejected.line}" if rejected.line else rejected.path
        self._once(where, rejected.reason, f"clearlabel: {where}: {rejected.reason}")

    def warning(self, where: str, message: str) -> None:
        self._once(where, message, f"clearlabel: warning: {where}: {message}")

    def note(self, message: str) -> None:
        if not self.quiet:
            self._write(f"clearlabel: {message}")

    def _once(self, where: str, reason: str, text: str) -> None:
        if self.verbose:
            self._write(text)
            return
        kind = problem_kind(reason)
        repeats = self.repeats.get(kind)
        if repeats is None:
            self.repeats[kind] = _Repeats(where)
            self._write(text)
            return
        repeats.count += 1
        if len(repeats.locations) < SHOWN_LOCATIONS:
            repeats.locations.append(where)

    def finish(self) -> None:
        """Sum up the repeats that were not shown."""
        for repeats in self.repeats.values():
            if repeats.count == 0:
                continue
            more = repeats.count - len(repeats.locations)
            shown = ", ".join(repeats.locations) + (f" and {more:,} more" if more else "")
            self._write(f"clearlabel: the same problem as at {repeats.first} in {plural(repeats.count, 'more place')}: "
                        f"{shown} (--verbose lists every one)")
        self.repeats.clear()
