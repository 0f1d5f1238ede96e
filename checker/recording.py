"""An audit's use of the history store: review decisions applied to each
result before any output sees it, and the run recorded as it goes.

The store never stops an audit. If it cannot be opened or written (locked,
damaged, unreachable, of a newer version), the problem is reported at once
on standard error, the audit goes on and writes all its output, nothing
more is recorded, and the command ends with exit code 2.
"""
from __future__ import annotations

from typing import Sequence

import click

from .model import PostResult, Summary
from .reporters.base import printable
from .store import DecisionBook, ReportHistory, StoreError, StoreLocation


def store_problem(error: StoreError, consequence: str = "") -> None:
    """Report a store problem on standard error."""
    click.echo(printable(f"clearlabel: error: {error}" + (f" ({consequence})" if consequence else "")), err=True)


class RunHistory:
    """Applies decisions to results and records them; see the module docstring."""

    def __init__(self, location: StoreLocation, command: str, options: dict, packs: Sequence[str],
                 paths: Sequence[str], stores_text: bool, tool_version: str) -> None:
        from .store import Store, hash_inputs

        self.location = location
        self.problem: StoreError | None = None
        self.book = DecisionBook(())
        self.store = None
        self.recorder = None
        self.run_id: int | None = None
        consequence = "review decisions were not applied and this run is not recorded"
        try:
            self.store = Store.open(location, tool_version)
            self.book = self.store.decision_book()
            consequence = "this run is not recorded"
            self.recorder = self.store.begin_run(command, options, packs, hash_inputs(paths), stores_text)
        except StoreError as error:
            self._fail(error, consequence)

    def _fail(self, error: StoreError, consequence: str) -> None:
        if self.problem is None:
            self.problem = error
            store_problem(error, f"{consequence}; the audit goes on and writes its output")
        self.recorder = None

    def take(self, result: PostResult) -> PostResult:
        """`result` with its review decisions, recorded."""
        result = self.book.apply(result)
        if self.recorder is not None:
            try:
                self.recorder.add(result)
            except StoreError as error:
                self._discard()
                self._fail(error, "this run is not recorded")
        return result

    def complete(self, summary: Summary) -> int | None:
        """Make the run visible in the history; its id, or None."""
        if self.recorder is None:
            return None
        try:
            self.run_id = self.recorder.complete(summary)
        except StoreError as error:
            self._discard()
            self._fail(error, "this run is not recorded")
        self.recorder = None
        return self.run_id

    def abandon(self) -> None:
        """The audit failed: remove what was recorded of it."""
        self._discard()
        self.recorder = None

    def _discard(self) -> None:
        if self.recorder is not None:
            try:
                self.recorder.discard()
            except StoreError:
                pass        # an unfinished run is invisible anyway, and removed by a later run

    def report_history(self) -> ReportHistory | None:
        if self.run_id is None or self.store is None:
            return None
        try:
            return self.store.report_history(self.run_id)
        except StoreError as error:
            self._fail(error, "the reports show no comparison with earlier audits")
            return None

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def start_history(store: str | None, command: str, options: dict, packs: Sequence[str], paths: Sequence[str],
                  stores_text: bool, tool_version: str) -> RunHistory:
    """The history of a run recorded in `store` (a path or URL; None for the
    default). An address that names no store clearlabel can use raises
    `StoreError`; every other problem is reported and the audit goes on."""
    from .store import resolve_store

    return RunHistory(resolve_store(store), command, options, packs, paths, stores_text, tool_version)
