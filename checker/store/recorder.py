"""Recording a run: posts and findings written in batches, the run made
visible only when it is complete.

A run's row is written first with `complete` false; posts and findings
follow in short transactions of `BATCH_POSTS` posts (so two audits can
write to one store at once, and memory does not grow with the input); the
last batch and the flag that makes the run visible are one transaction.
A run killed half-way stays invisible, and the next run removes it.

Batches are written by a thread of their own while the audit goes on: the
database drivers release the interpreter while they wait for the disk or
the server, so that waiting costs the audit nothing. At most
`BATCHES_QUEUED` batches wait for it; an error it meets is raised by the
next `add` or by `complete`.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import socket
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Sequence

from sqlalchemy import Connection, delete, select, update

from ..creators import creator_key
from ..model import PostResult, Summary
from ..suppress import fingerprint
from .database import utc_now
from .schema import RUN_TABLES, findings, inputs, post_texts, posts, run_creators, runs
from .views import InputFile

BATCH_POSTS = 1000
BATCHES_QUEUED = 2
# An unfinished run whose writer has been silent this long is abandoned.
ABANDONED_AFTER = timedelta(hours=24)


def storable(text: str) -> str:
    """`text` as both databases accept it: lone surrogates (from a post's
    JSON) and NUL characters become visible escapes."""
    if text.isascii() and "\x00" not in text:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _optional(text: str | None) -> str | None:
    return None if text is None else storable(text)


def text_hash(result: PostResult) -> str:
    """A hash of every text field of the post, named, so that moving text
    between fields changes it too."""
    digest = hashlib.sha256()
    for name, content in result.post.text_fields():
        digest.update(f"{name}\x1e{content}\x1f".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def hash_inputs(paths: Sequence[str]) -> list[InputFile]:
    """Each input's content hash and size; standard input, pipes and
    directories are recorded by name only (reading a pipe would consume it)."""
    found = []
    for name in paths:
        path = Path(name)
        if name == "-" or not path.is_file():
            found.append(InputFile(name, None, None))
            continue
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError:
            found.append(InputFile(name, None, None))
            continue
        found.append(InputFile(name, digest.hexdigest(), path.stat().st_size))
    return found


def _spans(spans) -> str:
    return ";".join(f"{span.field}:{span.start}:{span.end}" for span in spans)


@dataclass
class _Creator:
    """One creator's posts in the run, by verdict, and the handle as last written."""
    author: str | None = None
    verdicts: dict[str, int] = field(default_factory=dict)

    def count(self, author: str | None, verdict: str) -> None:
        self.author = author
        self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1


@dataclass
class _Batch:
    posts: list[dict]
    findings: list[dict]
    texts: list[dict]


class RunRecorder:
    """Buffers one run's posts and findings and writes them in batches."""

    def __init__(self, store, run_id: int, stores_text: bool) -> None:
        self.store = store
        self.run_id = run_id
        self.stores_text = stores_text
        self.seq = 0
        self.batch = _Batch([], [], [])
        self.creators: dict[str, _Creator] = {}
        self._queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=BATCHES_QUEUED)
        self._writer: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, result: PostResult) -> None:
        self.seq += 1
        post, run_id, seq = result.post, self.run_id, self.seq
        key = storable(creator_key(post.author))
        creator = self.creators.get(key)
        if creator is None:
            creator = self.creators[key] = _Creator()
        creator.count(post.author, result.verdict.value)
        self.batch.posts.append({
            "run_id": run_id, "seq": seq, "post_id": storable(post.id), "author": _optional(post.author),
            "author_key": key, "platform": post.platform,
            "markets": ",".join(sorted({*post.market, *result.market_verdicts})),
            "text_hash": text_hash(result), "verdict": result.verdict.value, "format": post.format,
            "posted_at": _optional(post.posted_at), "followers": post.followers, "url": _optional(post.url),
            "brand": _optional(post.brand),
            # JSON, written by hand: market codes and verdicts need no escaping.
            "market_verdicts": "{" + ",".join([f'"{m}":"{v.value}"' for m, v in result.market_verdicts.items()]) + "}",
        })
        for position, finding in enumerate(result.findings):
            self.batch.findings.append({
                "run_id": run_id, "post_seq": seq, "position": position,
                "fingerprint": fingerprint(result, finding), "rule": finding.rule, "market": finding.market,
                "severity": finding.severity.value, "verdict": finding.verdict.value,
                "spans": _spans(finding.spans),
            })
        if self.stores_text:
            self.batch.texts.extend({"run_id": run_id, "post_seq": seq, "field": name, "text": storable(content)}
                                    for name, content in post.text_fields())
        if len(self.batch.posts) >= BATCH_POSTS:
            self._raise_writer_error()
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_batches, name="clearlabel-store", daemon=True)
                self._writer.start()
            self._queue.put(self._take_batch())

    def _take_batch(self) -> _Batch:
        batch, self.batch = self.batch, _Batch([], [], [])
        return batch

    def _write_batches(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is not None:
                continue                    # drain, so that `add` never blocks on a dead writer
            try:
                with self.store.writing() as conn:
                    _insert(conn, batch)
                    conn.execute(update(runs).where(runs.c.id == self.run_id).values(heartbeat_at=utc_now()))
            except BaseException as error:  # handed to the audit's thread
                self._error = error

    def _stop_writer(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None

    def _raise_writer_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def complete(self, summary: Summary) -> int:
        """Write what is left and make the run visible, in one transaction."""
        self._stop_writer()
        self._raise_writer_error()
        with self.store.writing() as conn:
            _insert(conn, self._take_batch())
            if self.creators:
                conn.execute(run_creators.insert(), [
                    {"run_id": self.run_id, "author_key": key, "author": _optional(creator.author),
                     "posts": sum(creator.verdicts.values()), "undisclosed": creator.verdicts.get("undisclosed", 0),
                     "by_verdict": json.dumps(creator.verdicts, sort_keys=True)}
                    for key, creator in self.creators.items()])
            now = utc_now()
            conn.execute(update(runs).where(runs.c.id == self.run_id).values(
                complete=True, finished_at=now, heartbeat_at=now, posts_read=summary.read,
                audited=summary.audited, rejected=summary.rejected,
                by_verdict=json.dumps(dict(sorted(summary.by_verdict.items())))))
        return self.run_id

    def discard(self) -> None:
        """Remove what was written of a run that will not complete."""
        self._stop_writer()
        self._error = None
        with self.store.writing() as conn:
            delete_runs(conn, [self.run_id])


def _insert(conn: Connection, batch: _Batch) -> None:
    for table, rows in ((posts, batch.posts), (findings, batch.findings), (post_texts, batch.texts)):
        if rows:
            conn.execute(table.insert(), rows)


def delete_runs(conn: Connection, run_ids: Iterable[int]) -> None:
    ids = list(run_ids)
    if not ids:
        return
    for table in RUN_TABLES:
        conn.execute(delete(table).where(table.c.run_id.in_(ids)))
    conn.execute(delete(runs).where(runs.c.id.in_(ids)))


def _alive(pid: int | None) -> bool:
    if pid is None or sys.platform == "win32":     # no cheap, safe check there: rely on age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def prune_abandoned(conn: Connection) -> list[int]:
    """Remove unfinished runs whose writer is gone: a process of this host
    that no longer exists, or a writer silent for `ABANDONED_AFTER`."""
    host = socket.gethostname()
    cutoff = (datetime.now(timezone.utc) - ABANDONED_AFTER).isoformat().replace("+00:00", "Z")
    rows = conn.execute(select(runs.c.id, runs.c.host, runs.c.pid, runs.c.heartbeat_at)
                        .where(runs.c.complete.is_(False))).all()
    abandoned = [row.id for row in rows
                 if (row.host == host and row.pid != os.getpid() and not _alive(row.pid))
                 or (row.heartbeat_at or "") < cutoff]
    delete_runs(conn, abandoned)
    return abandoned


def insert_run(conn: Connection, command: str, tool_version: str, options: dict, packs: Sequence[str],
               input_files: Sequence[InputFile], stores_text: bool) -> int:
    now = utc_now()
    run_id = conn.execute(runs.insert().values(
        command=command, started_at=now, complete=False, tool_version=tool_version,
        options=json.dumps(options, sort_keys=True, default=str), packs=json.dumps(list(packs)),
        host=socket.gethostname(), pid=os.getpid(), heartbeat_at=now, stores_text=stores_text,
    )).inserted_primary_key[0]
    if input_files:
        conn.execute(inputs.insert(), [
            {"run_id": run_id, "position": position, "path": storable(item.path), "sha256": item.sha256,
             "bytes": item.bytes} for position, item in enumerate(input_files)])
    return run_id
