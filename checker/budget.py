"""A time budget for auditing one post.

Rule packs may come from third parties, and their patterns run on text
written by strangers. Packs are checked for dangerous regular expressions
when they load (`checker.packs`), but no check proves a pattern fast, so
the audit of each post also runs under a wall-clock budget: a post that
takes longer is stopped and reported as not audited, and the run goes on.

The budget is a POSIX interval timer (`SIGALRM`): the handler raises in
whatever Python or regular-expression code is running when it fires. It
needs the main thread of a process that has `signal.setitimer`; elsewhere
(Windows, threads) posts run without a budget.
"""
from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Callable, TypeVar

T = TypeVar("T")
A = TypeVar("A")

DEFAULT_SECONDS = 10.0


class OverBudget(Exception):
    """The work did not finish within its budget."""


class TimeBudget:
    """Runs calls with at most `seconds` each (None or 0: no limit).

    Use as a context manager: it installs its signal handler on entry and
    puts the previous one back on exit."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds or None
        self._armed = False
        self._previous: Callable | int | None = None
        self.enforced = False

    def __enter__(self) -> TimeBudget:
        self.enforced = (self.seconds is not None and hasattr(signal, "setitimer")
                         and threading.current_thread() is threading.main_thread())
        if self.enforced:
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.enforced:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self.enforced = False

    def run(self, function: Callable[[A], T], argument: A) -> T:
        """`function(argument)`, or `OverBudget` when it takes too long."""
        if not self.enforced:
            return function(argument)
        assert self.seconds is not None
        self._armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            return function(argument)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._armed = False

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        # A signal already on its way when the timer was disarmed must not
        # stop whatever runs next.
        if self._armed:
            self._armed = False
            raise OverBudget(f"took longer than {self.seconds:g} s")
