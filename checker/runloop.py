"""The run: records read, posts audited, outcomes handed on in input order.

    pieces of the input -> records -> checks and audit -> outcomes -> RunLoop -> sink

One loop serves a run in one process, in worker processes (`--jobs`) and on
a Dask cluster (`checker.distributed`). The input is cut into pieces
(`checker.readers.blocks`): blocks of JSON Lines files and whole files,
which whoever audits them reads itself; standard input, and files too big to
be one piece that cannot be cut (gzip, CSV, JSON documents), are read here
and handed on in chunks of records.

Whoever audits a piece turns each record into an outcome (`audit_records`):
a `Rejected` record, or a `Checked` post with its market choice and either
its result or, when the report is JSON or JSON Lines, the text the reporter
writes for it. The `RunLoop` then takes the outcomes in input order and does
what must see every post: duplicate ids, unknown markets, counts, the fail
tracker and the report. Its output is therefore the same, byte for byte,
however the work was spread.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

from . import gcpause
from .budget import TimeBudget
from .diagnostics import Diagnostics
from .gate import result_fails
from .model import Post, PostResult, Rejected, Summary, Verdict, rules_sending_to_review
from .readers.blocks import (
    Block, Piece, WholeFile, count_line_ends, expand_sources, number_blocks, plan_pieces, read_piece,
)
from .readers.pipeline import ReadOptions, read_file, settled_shape
from .readers.sources import STDIN_NAME, StdinGuard
from .settings import Settings
from .workers import map_in_workers

if TYPE_CHECKING:      # the engine imports spaCy: only what audits imports it
    from .engine import Auditor

# Inputs smaller than this are audited in one process by `--jobs auto`:
# starting a worker costs about as much as auditing a few thousand posts.
AUTO_MIN_BYTES = 2 << 20
# Blocks of a JSON Lines file: big enough that a block costs far more than
# sending it, small enough to keep every worker busy and progress moving.
MIN_BLOCK_BYTES, MAX_BLOCK_BYTES = 256 << 10, 8 << 20
RECORDS_PER_CHUNK = 512


class RunFailure(Exception):
    """The run cannot go on (a post names no market and no default is set)."""


@dataclass(frozen=True)
class AuditSetup:
    """What a process needs to audit posts as this run does. It pickles:
    worker processes and Dask workers build their own auditor from it."""
    settings: Settings
    override_markets: tuple[str, ...] = ()
    read: ReadOptions = field(default_factory=ReadOptions)
    # The reporter's rendering of one result (module-level, so that it
    # pickles), when the report is made of per-post texts; else None.
    render: Callable[[PostResult], str] | None = None

    def auditor(self) -> Auditor:
        from .engine import Auditor
        from .packs import load_ruleset

        ruleset = load_ruleset(self.settings.rule_dirs, disable_packs=self.settings.disable_packs)
        return Auditor(ruleset, self.settings, override_markets=self.override_markets)


class Checked(NamedTuple):
    """A post after its market choice and audit, as the run loop needs it."""
    id: str
    path: str | None                  # where it was read, if from a file
    line: int
    author: str | None
    known: bool                       # some market it is judged for has a pack
    unknown: tuple[str, ...]          # markets it names that have no pack
    verdict: Verdict | None = None
    sent_to_review: tuple[str, ...] = ()   # the rules that sent it to review
    fails: bool = False
    result: PostResult | None = None  # when the sink takes results
    text: str | None = None           # when the sink takes rendered text
    over_budget: Rejected | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.path is not None else self.id


Outcome = Checked | Rejected


def audit_records(auditor: Auditor, records: Iterable[Post | Rejected], setup: AuditSetup) -> Iterator[Outcome]:
    """The outcome of every record, in order."""
    with TimeBudget(auditor.settings.post_timeout) as budget:
        for record in records:
            if isinstance(record, Rejected):
                yield record
                continue
            choice = auditor.choose_markets(record)
            origin = record.origin
            checked = Checked(record.id, origin.path if origin else None, origin.line if origin else 0,
                              record.author, bool(choice.markets), choice.unknown)
            if not choice.markets:
                yield checked
                continue
            result = auditor.audit_within(budget, record)
            if isinstance(result, Rejected):
                yield checked._replace(over_budget=result)
            elif setup.render is not None:
                yield checked._replace(verdict=result.verdict, sent_to_review=rules_sending_to_review(result),
                                       fails=result_fails(result, auditor.settings.fail_on), text=setup.render(result))
            else:
                yield checked._replace(verdict=result.verdict, result=result)


class PieceAuditor:
    """Audits pieces of the input (or chunks of records) with an auditor
    built once: what a worker process or a Dask worker runs."""

    def __init__(self, setup: AuditSetup, auditor: Auditor | None = None) -> None:
        self.setup = setup
        self.auditor = auditor or setup.auditor()

    def __call__(self, work: Piece | list) -> list[Outcome]:
        records = read_piece(work, self.setup.read) if isinstance(work, (Block, WholeFile)) else work
        return list(audit_records(self.auditor, records, self.setup))


def _start_worker(setup: AuditSetup) -> PieceAuditor:
    gcpause.pause()             # resumed once the worker's first pipeline is built
    return PieceAuditor(setup)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:          # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def input_bytes(paths: Sequence[str]) -> int:
    total = 0
    for path in paths:
        try:
            total += os.path.getsize(path) if path != STDIN_NAME else 0
        except OSError:
            pass
    return total


def resolve_jobs(jobs: int | str, paths: Sequence[str] = ()) -> int:
    """`--jobs`: a number, or "auto": every core the process may use once the
    input files hold more than `AUTO_MIN_BYTES`, one process below that."""
    if jobs != "auto":
        return int(jobs)
    return available_cores() if input_bytes(paths) >= AUTO_MIN_BYTES else 1


def block_bytes_for(total: int, jobs: int) -> int:
    """Blocks of about a sixteenth of each worker's share, within bounds."""
    return max(MIN_BLOCK_BYTES, min(MAX_BLOCK_BYTES, total // max(1, jobs * 16)))


class RunLoop:
    """Takes outcomes in input order into the sink and keeps the counts."""

    def __init__(self, setup: AuditSetup, sink, diagnostics: Diagnostics, *, keep_results: bool = False,
                 config_file: str = "none", progress=None, history=None) -> None:
        self.setup = setup
        # A `recording.RunHistory`: review decisions applied to each result,
        # and the run recorded, before any output sees it.
        self.history = history
        self.sink = sink
        self.diagnostics = diagnostics
        self.keep_results = keep_results
        self.config_file = config_file
        self.progress = progress
        self.summary = Summary()
        self.results: list[PostResult] = []
        self.unknown_markets: set[str] = set()
        self.first_seen: dict[str, str] = {}     # post id -> where it was first read
        self._sizes: deque[int] = deque()        # bytes of the pieces handed out, not yet taken

    # ----------------------------------------------------------------- running

    def run(self, paths: Sequence[str], jobs: int | str = 1, auditor: Auditor | None = None,
            stdin=None) -> Summary:
        """Audit the posts of `paths` (`-`: standard input) with `jobs`
        processes (a number, or "auto": see `resolve_jobs`)."""
        paths = expand_sources(paths)
        jobs = resolve_jobs(jobs, paths)
        total = input_bytes(paths)
        pieces = self._pieces(paths, total, jobs, stdin)
        if jobs <= 1:
            work = PieceAuditor(self.setup, auditor)
            self._consumed(work(piece) for piece in pieces)
        else:
            gcpause.resume()        # this process builds no pipeline
            self._consumed(map_in_workers(pieces, jobs, _start_worker, (self.setup,)))
        return self.finish()

    def run_records(self, records: Iterable[Post | Rejected], jobs: int = 1,
                    auditor: Auditor | None = None) -> Summary:
        """Audit records that were read already (drafts)."""
        chunks = _chunks(records, RECORDS_PER_CHUNK)
        if jobs <= 1:
            work = PieceAuditor(self.setup, auditor)
            self._consumed(work(chunk) for chunk in chunks)
        else:
            gcpause.resume()
            self._consumed(map_in_workers(chunks, jobs, _start_worker, (self.setup,)))
        return self.finish()

    def _pieces(self, paths: Sequence[str], total: int, jobs: int, stdin) -> Iterator[Piece | list]:
        """Pieces for whoever audits, in input order: blocks numbered as they
        go, small files whole, and chunks of the records of what must be
        read here (standard input, big files that cannot be cut)."""
        block_bytes = block_bytes_for(total, jobs)
        guard = StdinGuard(stdin)
        for path in paths:
            if path == STDIN_NAME or (input_bytes([path]) > block_bytes and not _cut(path, self.setup.read)):
                for chunk in _chunks(read_file(path, self.setup.read, guard), RECORDS_PER_CHUNK):
                    self._sizes.append(0)
                    yield chunk
                continue
            pieces = plan_pieces([path], self.setup.read, block_bytes)
            counted = ((piece, count_line_ends(piece) if isinstance(piece, Block) else None) for piece in pieces)
            for piece in number_blocks(counted):
                self._sizes.append(piece.end - piece.start if isinstance(piece, Block) else input_bytes([path]))
                yield piece

    def _consumed(self, batches: Iterable[list[Outcome]]) -> None:
        for batch in batches:
            self.take_piece(batch, self._sizes.popleft() if self._sizes else 0)

    def take_piece(self, outcomes: Iterable[Outcome], size: int) -> None:
        """Take the outcomes of the next piece of the input, `size` bytes of it."""
        self.consume(outcomes)
        if self.progress is not None:
            self.progress.advance(size, self.summary.read)

    # ----------------------------------------------------------------- taking outcomes

    def consume(self, outcomes: Iterable[Outcome]) -> None:
        """Take outcomes, which must come in input order."""
        for outcome in outcomes:
            if isinstance(outcome, Rejected):
                self._reject(outcome)
            else:
                self._take(outcome)

    def _take(self, checked: Checked) -> None:
        first = self.first_seen.setdefault(checked.id, checked.where)
        if first != checked.where:
            self.diagnostics.warning(checked.where, f"post id {checked.id!r} was already used at {first}; "
                                                    "both posts are audited")
        if not checked.known and not checked.unknown:
            raise RunFailure(no_market_message(checked, self.config_file))
        for market in checked.unknown:
            if market not in self.unknown_markets:
                self.unknown_markets.add(market)
                self.diagnostics.warning(checked.where, f"no rule pack for market {market!r} (first seen here); "
                                                        "such posts are judged by their other markets")
        if not checked.known:
            self._reject(Rejected(checked.path or "-", checked.line,
                                  f"post {checked.id!r} has no market with a rule pack "
                                  f"(named: {', '.join(checked.unknown)}); choose one with --market"))
            return
        if checked.over_budget is not None:
            self._reject(checked.over_budget)
            return
        if checked.text is not None:
            assert checked.verdict is not None
            self.summary.add_verdict(checked.verdict, checked.author, checked.sent_to_review)
            self.sink.rendered(checked.text, checked.fails)
            return
        assert checked.result is not None
        result = checked.result if self.history is None else self.history.take(checked.result)
        self.summary.add(result)
        self.sink.post(result)
        if self.keep_results:
            self.results.append(result)

    def _reject(self, rejected: Rejected) -> None:
        self.diagnostics.rejected(rejected)
        if rejected.line == 0:
            self.summary.file_errors.append(rejected)
        else:
            self.summary.add_rejected()
        self.sink.rejected(rejected)

    def finish(self) -> Summary:
        """Close the run: the bar, the repeated problems, the sink."""
        if self.progress is not None:
            self.progress.close()
        self.diagnostics.finish()
        self.sink.finish(self.summary)
        return self.summary


def no_market_message(checked: Checked, config_file: str) -> str:
    key = "markets: in .clearlabel.yml" if config_file.startswith("none") else f"the markets: key of {config_file}"
    return (f"{checked.where}: post {checked.id!r} names no market, and no default is set; give each post a "
            f"'market', or choose the markets with --market (e.g. --market GB,US) or {key}")


def _cut(path: str, options: ReadOptions) -> bool:
    return settled_shape(path, options)[0] is not None


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
