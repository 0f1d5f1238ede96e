"""Reading the history: runs, findings of a run, decisions, repeat cases.

Only complete runs are ever read; an unfinished one is invisible.
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Collection

from sqlalchemy import Connection, and_, func, select

from ..creators import creator_key
from .decisions import DecisionBook
from .schema import decisions, findings, inputs, posts, run_creators, runs
from .views import Decision, FindingRef, InputFile, RunSummary

COMPLETE = runs.c.complete.is_(True)
UNDISCLOSED = "undisclosed"


def run_summaries(conn: Connection, *, ids: Collection[int] | None = None, creator: str | None = None,
                  limit: int | None = None) -> list[RunSummary]:
    """Complete runs, newest first."""
    query = select(runs).where(COMPLETE).order_by(runs.c.id.desc())
    if ids is not None:
        query = query.where(runs.c.id.in_(list(ids)))
    if creator is not None:
        query = query.where(runs.c.id.in_(select(run_creators.c.run_id)
                                          .where(run_creators.c.author_key == creator_key(creator))))
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    if not rows:
        return []
    wanted = [row.id for row in rows]
    files: dict[int, list[InputFile]] = defaultdict(list)
    for row in conn.execute(select(inputs).where(inputs.c.run_id.in_(wanted)).order_by(inputs.c.run_id,
                                                                                        inputs.c.position)):
        files[row.run_id].append(InputFile(row.path, row.sha256, row.bytes))
    creators = dict(conn.execute(select(run_creators.c.run_id, func.count())
                                 .where(run_creators.c.run_id.in_(wanted)).group_by(run_creators.c.run_id)).all())
    counted = dict(conn.execute(select(findings.c.run_id, func.count())
                                .where(findings.c.run_id.in_(wanted)).group_by(findings.c.run_id)).all())
    return [RunSummary(
        id=row.id, command=row.command, started_at=row.started_at, finished_at=row.finished_at,
        tool_version=row.tool_version, options=json.loads(row.options), packs=tuple(json.loads(row.packs)),
        inputs=tuple(files[row.id]), read=row.posts_read or 0, audited=row.audited or 0,
        rejected=row.rejected or 0, by_verdict=json.loads(row.by_verdict or "{}"),
        creators=creators.get(row.id, 0), findings=counted.get(row.id, 0), stores_text=bool(row.stores_text),
    ) for row in rows]


def creators_of(conn: Connection, run_id: int) -> dict[str, str]:
    """Creator key -> the handle as written (the last spelling in the run)."""
    rows = conn.execute(select(run_creators.c.author_key, run_creators.c.author)
                        .where(run_creators.c.run_id == run_id))
    return {row.author_key: row.author or row.author_key for row in rows}


def post_verdicts(conn: Connection, run_id: int, creators: Collection[str] | None = None) -> dict[str, str]:
    """Post id -> verdict in run `run_id` (of `creators` only, when given)."""
    return {post_id: verdict for post_id, (verdict, _) in run_posts(conn, run_id, creators).items()}


def run_posts(conn: Connection, run_id: int, creators: Collection[str] | None = None) -> dict[str, tuple[str, str]]:
    """Post id -> (verdict, platform) in run `run_id` (of `creators` only, when given)."""
    rows = conn.execute(select(posts.c.post_id, posts.c.author_key, posts.c.verdict, posts.c.platform)
                        .where(posts.c.run_id == run_id))
    return {row.post_id: (row.verdict, row.platform) for row in rows
            if creators is None or row.author_key in creators}


def run_findings(conn: Connection, run_id: int, book: DecisionBook,
                 creators: Collection[str] | None = None) -> list[FindingRef]:
    """The findings of run `run_id` (of `creators` only, when given), each
    with the review decision in force now."""
    query = (select(findings.c.fingerprint, findings.c.rule, findings.c.market, findings.c.severity,
                    findings.c.verdict, posts.c.post_id, posts.c.author, posts.c.author_key)
             .join(posts, and_(posts.c.run_id == findings.c.run_id, posts.c.seq == findings.c.post_seq))
             .where(findings.c.run_id == run_id)
             .order_by(findings.c.post_seq, findings.c.position))
    found = []
    for row in conn.execute(query):
        if creators is not None and row.author_key not in creators:
            continue
        found.append(FindingRef(row.fingerprint, row.post_id, row.author, row.author_key, row.rule, row.market,
                                row.severity, row.verdict, run_id,
                                book.review(row.fingerprint, row.post_id, row.rule, row.market)))
    return found


def all_decisions(conn: Connection) -> list[Decision]:
    rows = conn.execute(select(decisions).order_by(decisions.c.id))
    return [Decision(row.id, row.fingerprint, row.post_id, row.rule, row.market, row.decision, row.reason,
                     row.decided_by, row.decided_at, row.run_id) for row in rows]


def latest_runs_of(conn: Connection, creators: Collection[str], before: int) -> dict[str, int]:
    """For each creator, the latest complete run before run `before` that audited them."""
    query = (select(run_creators.c.author_key, func.max(run_creators.c.run_id))
             .join(runs, runs.c.id == run_creators.c.run_id)
             .where(COMPLETE, run_creators.c.run_id < before)
             .group_by(run_creators.c.author_key))
    wanted = set(creators)
    return {key: run_id for key, run_id in conn.execute(query).all() if key in wanted}


def trend_counts(conn: Connection, creators: Collection[str], upto: int) -> dict[str, dict[int, dict[str, int]]]:
    """Creator -> run id -> posts by verdict, over complete runs up to `upto`."""
    query = (select(run_creators.c.author_key, run_creators.c.run_id, run_creators.c.by_verdict)
             .join(runs, runs.c.id == run_creators.c.run_id)
             .where(COMPLETE, run_creators.c.run_id <= upto))
    wanted = set(creators)
    counts: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)
    for key, run_id, by_verdict in conn.execute(query).all():
        if key in wanted:
            counts[key][run_id] = json.loads(by_verdict)
    return counts


def run_dates(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(runs.c.id, runs.c.finished_at).where(COMPLETE)).all())


def undisclosed_runs(conn: Connection, creators: Collection[str], upto: int, dismissed: set[str]) -> dict[str, set[int]]:
    """Creator -> the runs (up to `upto`) in which they had an undisclosed
    post, not counting posts whose undisclosed findings were all dismissed."""
    query = (select(run_creators.c.author_key, run_creators.c.run_id)
             .join(runs, runs.c.id == run_creators.c.run_id)
             .where(COMPLETE, run_creators.c.run_id <= upto, run_creators.c.undisclosed > 0))
    wanted = set(creators)
    found: dict[str, set[int]] = defaultdict(set)
    for key, run_id in conn.execute(query).all():
        if key in wanted:
            found[key].add(run_id)
    if dismissed:
        # Only runs that might count twice need a look at their findings.
        candidates = {key: runs_of for key, runs_of in found.items() if len(runs_of) >= 2}
        for key, runs_of in candidates.items():
            found[key] = {run_id for run_id in runs_of if _undisclosed_left(conn, run_id, key, dismissed)}
    return found


def _undisclosed_left(conn: Connection, run_id: int, creator: str, dismissed: set[str]) -> bool:
    """Whether `creator` had, in run `run_id`, an undisclosed post with an
    undisclosed finding that is not dismissed."""
    query = (select(findings.c.fingerprint)
             .join(posts, and_(posts.c.run_id == findings.c.run_id, posts.c.seq == findings.c.post_seq))
             .where(findings.c.run_id == run_id, posts.c.author_key == creator, posts.c.verdict == UNDISCLOSED,
                    findings.c.verdict == UNDISCLOSED))
    return any(fingerprint_ not in dismissed for fingerprint_ in conn.execute(query).scalars())


def findings_by_prefix(conn: Connection, prefix: str) -> list[tuple]:
    """(fingerprint, post_id, rule, market, run_id) of recorded findings whose
    fingerprint starts with `prefix`, latest run first. (A scan: fingerprints
    are not indexed, see schema.py.)"""
    upper = prefix + "~"          # sorts after every hex digit
    query = (select(findings.c.fingerprint, posts.c.post_id, findings.c.rule, findings.c.market, findings.c.run_id)
             .join(posts, and_(posts.c.run_id == findings.c.run_id, posts.c.seq == findings.c.post_seq))
             .join(runs, runs.c.id == findings.c.run_id)
             .where(COMPLETE, findings.c.fingerprint >= prefix, findings.c.fingerprint < upper)
             .order_by(findings.c.run_id.desc()))
    return [tuple(row) for row in conn.execute(query).all()]

