"""The history store: every audit run, its posts and findings, and the
review decisions made on them, in SQLite or PostgreSQL through one code path
(SQLAlchemy Core)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

from sqlalchemy import Connection, Engine

from ..creators import creator_key

from .database import connect, transaction, utc_now
from .decisions import DECISIONS, DecisionBook
from .errors import StoreError, StoreMissing
from .location import StoreLocation
from .migrations import SCHEMA_VERSION, schema_version, upgrade
from .queries import (
    all_decisions, creators_of, findings_by_prefix, latest_runs_of, post_verdicts, run_dates, run_findings, run_posts,
    run_summaries, trend_counts, undisclosed_runs,
)
from .recorder import RunRecorder, insert_run, prune_abandoned, storable
from .schema import decisions
from .views import (
    Comparison, CreatorHistory, Decision, FindingRef, InputFile, ReportHistory, RunDiff, RunSummary, Timeline,
    TrendPoint, PostTrack, compare,
)

MIN_PREFIX = 4


class Store:
    def __init__(self, location: StoreLocation, engine: Engine, tool_version: str) -> None:
        self.location = location
        self.engine = engine
        self.tool_version = tool_version

    # --- opening ----------------------------------------------------------------

    @classmethod
    def open(cls, location: StoreLocation, tool_version: str, *, create: bool = True) -> "Store":
        """Open the store, creating it (when `create`) or upgrading its schema
        in place as needed. A SQLite store that does not exist is `StoreMissing`
        when not `create`."""
        if location.path is not None:
            if not location.path.exists():
                if not create:
                    raise StoreMissing(location.shown, "nothing has been recorded yet",
                                       "clearlabel audit records every run there")
                try:
                    location.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as error:
                    raise StoreError(location.shown, f"cannot create its directory ({error.strerror})",
                                     "choose another place with --store PATH, or run with --no-store") from None
            elif not location.path.is_file():
                raise StoreError(location.shown, "is not a file", "choose a file with --store PATH")
        store = cls(location, connect(location), tool_version)
        try:
            store._prepare()
        except BaseException:
            store.close()
            raise
        return store

    def _prepare(self) -> None:
        with self.reading() as conn:
            version = schema_version(conn)
        if version == SCHEMA_VERSION:
            return
        with transaction(self.engine, self.location, write=True, schema=True) as conn:
            upgrade(conn, self.location.shown, self.tool_version, refuse_foreign=self.location.kind == "sqlite")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with transaction(self.engine, self.location, write=False) as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        with transaction(self.engine, self.location, write=True) as conn:
            yield conn

    # --- recording --------------------------------------------------------------

    def decision_book(self) -> DecisionBook:
        with self.reading() as conn:
            return DecisionBook(all_decisions(conn))

    def begin_run(self, command: str, options: dict, packs: Sequence[str], input_files: Sequence[InputFile],
                  stores_text: bool) -> RunRecorder:
        with self.writing() as conn:
            prune_abandoned(conn)
            run_id = insert_run(conn, command, self.tool_version, options, packs, input_files, stores_text)
        return RunRecorder(self, run_id, stores_text)

    # --- review decisions -------------------------------------------------------

    def decide(self, finding_id: str, decision: str, reason: str, by: str) -> tuple[Decision, list[Decision]]:
        """Record a decision on the finding `finding_id` names (a fingerprint,
        or its start, with or without `F-`). Returns the decision and every
        decision on that finding, oldest first."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
        with self.writing() as conn:
            fingerprint, post_id, rule, market, run_id = self._resolve(conn, finding_id)
            values = {"fingerprint": fingerprint, "post_id": post_id, "rule": rule, "market": market,
                      "decision": decision, "reason": storable(reason), "decided_by": storable(by),
                      "decided_at": utc_now(), "run_id": run_id}
            decision_id = conn.execute(decisions.insert().values(**values)).inserted_primary_key[0]
            log = [d for d in all_decisions(conn) if d.fingerprint == fingerprint]
        made = next(d for d in log if d.id == decision_id)
        return made, log

    def decisions_on(self, finding_id: str) -> tuple[FindingRef, list[Decision]]:
        """The finding `finding_id` names, as last recorded, and its decisions."""
        with self.reading() as conn:
            fingerprint, _post_id, _rule, _market, run_id = self._resolve(conn, finding_id)
            book = DecisionBook(all_decisions(conn))
            ref = next(f for f in run_findings(conn, run_id, book) if f.fingerprint == fingerprint)
            log = [d for d in all_decisions(conn) if d.fingerprint == fingerprint]
        return ref, log

    def _resolve(self, conn: Connection, finding_id: str) -> tuple[str, str, str, str, int]:
        prefix = finding_id.strip().lower().removeprefix("f-")
        if len(prefix) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in prefix):
            raise LookupError(f"{finding_id!r} is not a finding id: give the F-… id an audit printed "
                              f"(at least {MIN_PREFIX} characters after F-)")
        rows = findings_by_prefix(conn, prefix)
        matches = {row[0] for row in rows}
        if not matches:
            raise LookupError(f"no finding {finding_id} in {self.location.shown}: finding ids come from "
                              "recorded audits (text output: F-…; JSON: fingerprint)")
        if len(matches) > 1:
            shown = ", ".join(f"F-{fp[:len(prefix) + 4]}" for fp in sorted(matches)[:10])
            raise LookupError(f"{finding_id} matches {len(matches)} findings ({shown}): give more characters")
        return rows[0]

    # --- history ----------------------------------------------------------------

    def runs(self, *, creator: str | None = None, limit: int | None = None) -> list[RunSummary]:
        with self.reading() as conn:
            return run_summaries(conn, creator=creator, limit=limit)

    def diff(self, before: int | None = None, after: int | None = None) -> RunDiff:
        """Run `after` (default: the latest) against `before` (default: the
        latest earlier run that audited any of the same creators), over the
        creators both audited."""
        with self.reading() as conn:
            after_run = self._run(conn, after)
            after_creators = creators_of(conn, after_run.id)
            if before is None:
                earlier = latest_runs_of(conn, after_creators, after_run.id)
                if not earlier:
                    raise LookupError(f"run {after_run.id} has no earlier run over the same creators to compare with")
                before = max(earlier.values())
            before_run = self._run(conn, before)
            common = set(after_creators) & set(creators_of(conn, before_run.id))
            book = DecisionBook(all_decisions(conn))
            comparison = compare(run_findings(conn, before_run.id, book, common),
                                 run_findings(conn, after_run.id, book, common),
                                 post_verdicts(conn, after_run.id, common))
            repeats = undisclosed_runs(conn, after_creators, after_run.id, book.dismissed())
        repeat = sorted(after_creators[key] for key, found in repeats.items() if len(found) >= 2)
        return RunDiff(before_run, after_run, tuple(sorted(after_creators[key] for key in common)), comparison,
                       tuple(repeat))

    def _run(self, conn: Connection, run_id: int | None) -> RunSummary:
        found = run_summaries(conn, ids=None if run_id is None else [run_id], limit=1)
        if not found:
            raise LookupError(f"no run {run_id} in {self.location.shown}" if run_id is not None
                              else f"no run recorded yet in {self.location.shown}")
        return found[0]

    def timeline(self, handle: str) -> Timeline:
        """One creator across every run that audited them."""
        key = creator_key(handle)
        with self.reading() as conn:
            summaries = sorted(run_summaries(conn, creator=key), key=lambda r: r.id)
            if not summaries:
                raise LookupError(f"no recorded run audited {handle}")
            book = DecisionBook(all_decisions(conn))
            counts = trend_counts(conn, [key], summaries[-1].id).get(key, {})
            points, tracks, platforms, shown = [], {}, {}, handle
            found: list[FindingRef] = []
            for run in summaries:       # each run against the creator's run before it
                previous, found = found, run_findings(conn, run.id, book, {key})
                audited = run_posts(conn, run.id, {key})
                verdicts = {post_id: verdict for post_id, (verdict, _) in audited.items()}
                points.append(_point(run.id, run.finished_at, counts.get(run.id, {}),
                                     compare(previous, found, verdicts)))
                for post_id, (verdict, platform) in audited.items():
                    tracks.setdefault(post_id, {})[run.id] = verdict
                    platforms[post_id] = platform
                shown = creators_of(conn, run.id).get(key, shown)
            post_ids = set(tracks)
            log = [d for d in all_decisions(conn) if d.post_id in post_ids]
            repeat = len(undisclosed_runs(conn, [key], summaries[-1].id, book.dismissed()).get(key, ())) >= 2
        return Timeline(shown, key, repeat, tuple(points),
                        tuple(PostTrack(post_id, platforms.get(post_id, ""), verdicts)
                              for post_id, verdicts in sorted(tracks.items())),
                        tuple(f for f in found if not f.dismissed), tuple(log))

    def report_history(self, run_id: int) -> ReportHistory:
        """Earlier audits of each creator of run `run_id`, for its reports."""
        with self.reading() as conn:
            run = self._run(conn, run_id)
            creators = creators_of(conn, run_id)
            book = DecisionBook(all_decisions(conn))
            previous = latest_runs_of(conn, creators, run_id)
            current = _by_creator(run_findings(conn, run_id, book))
            verdicts_now = post_verdicts(conn, run_id)
            earlier: dict[str, list[FindingRef]] = {}
            for previous_run in set(previous.values()):
                wanted = {key for key, run_of in previous.items() if run_of == previous_run}
                for key, found in _by_creator(run_findings(conn, previous_run, book, wanted)).items():
                    earlier[key] = found
            counts = trend_counts(conn, creators, run_id)
            dates = run_dates(conn)
            repeats = undisclosed_runs(conn, creators, run_id, book.dismissed())
            log = all_decisions(conn)
        histories = {}
        for key in creators:
            before = earlier.get(key, [])         # nothing when this is the creator's first run
            comparison = compare(before, current.get(key, []), verdicts_now)
            trend = tuple(_point(number, dates.get(number, ""), by_verdict, Comparison())
                          for number, by_verdict in sorted(counts.get(key, {}).items()))
            post_ids = {f.post_id for f in current.get(key, [])} | {f.post_id for f in before}
            histories[key] = CreatorHistory(
                previous_run=previous.get(key), previous_date=dates.get(previous.get(key), ""),
                previous=frozenset(f.identity for f in before if not f.dismissed), comparison=comparison,
                trend=trend, decisions=tuple(d for d in log if d.post_id in post_ids),
                repeat=len(repeats.get(key, ())) >= 2)
        return ReportHistory(run_id, run.finished_at, histories)


def _by_creator(found: list[FindingRef]) -> dict[str, list[FindingRef]]:
    grouped: dict[str, list[FindingRef]] = {}
    for finding in found:
        grouped.setdefault(finding.creator, []).append(finding)
    return grouped


def _point(run_id: int, finished_at: str, counts, comparison: Comparison) -> TrendPoint:
    return TrendPoint(run_id, finished_at, dict(counts), len(comparison.new), len(comparison.fixed),
                      len(comparison.open), len(comparison.dismissed))
