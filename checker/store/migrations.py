"""Numbered schema migrations, applied in order inside one transaction.

`clearlabel_schema` holds a row per migration applied. Opening a store
upgrades it in place to `SCHEMA_VERSION`; a store of a newer version is
refused, since this version of clearlabel cannot know what it holds.
Migrations are frozen once released: a change to the schema is a new
numbered migration (and a matching change to `schema.py`), never an edit of
an old one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import (
    BigInteger, Boolean, Column, Connection, Index, Integer, MetaData, Table, Text, inspect, select, text,
)

from ..creators import creator_key
from .database import utc_now
from .errors import StoreError
from .schema import SCHEMA_VERSION, metadata as current_metadata, schema_versions


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _version_1(conn: Connection) -> None:
    """Runs, their inputs, posts (identity, text hash, verdict), findings
    with their fingerprints, and review decisions."""
    frozen = MetaData()
    Table("clearlabel_runs", frozen,
          Column("id", Integer, primary_key=True, autoincrement=True),
          Column("command", Text, nullable=False),
          Column("started_at", Text, nullable=False),
          Column("finished_at", Text),
          Column("complete", Boolean(create_constraint=False), nullable=False),
          Column("tool_version", Text, nullable=False),
          Column("options", Text, nullable=False),
          Column("packs", Text, nullable=False),
          Column("posts_read", Integer),
          Column("audited", Integer),
          Column("rejected", Integer),
          Column("by_verdict", Text),
          sqlite_autoincrement=True)     # run ids are never reused, even after a run is removed
    Table("clearlabel_inputs", frozen,
          Column("run_id", Integer, primary_key=True, autoincrement=False),
          Column("position", Integer, primary_key=True, autoincrement=False),
          Column("path", Text, nullable=False),
          Column("sha256", Text),
          Column("bytes", BigInteger))
    Table("clearlabel_posts", frozen,
          Column("run_id", Integer, primary_key=True, autoincrement=False),
          Column("seq", Integer, primary_key=True, autoincrement=False),
          Column("post_id", Text, nullable=False),
          Column("author", Text),
          Column("platform", Text, nullable=False),
          Column("markets", Text, nullable=False),
          Column("text_hash", Text, nullable=False),
          Column("verdict", Text, nullable=False),
          sqlite_with_rowid=False)
    Table("clearlabel_findings", frozen,
          Column("run_id", Integer, primary_key=True, autoincrement=False),
          Column("post_seq", Integer, primary_key=True, autoincrement=False),
          Column("position", Integer, primary_key=True, autoincrement=False),
          Column("fingerprint", Text, nullable=False),
          Column("rule", Text, nullable=False),
          Column("market", Text, nullable=False),
          Column("severity", Text, nullable=False),
          Column("verdict", Text, nullable=False),
          sqlite_with_rowid=False)
    Table("clearlabel_decisions", frozen,
          Column("id", Integer, primary_key=True, autoincrement=True),
          Column("fingerprint", Text, nullable=False),
          Column("post_id", Text, nullable=False),
          Column("rule", Text, nullable=False),
          Column("market", Text, nullable=False),
          Column("decision", Text, nullable=False),
          Column("reason", Text, nullable=False),
          Column("decided_by", Text, nullable=False),
          Column("decided_at", Text, nullable=False),
          Column("run_id", Integer),
          Index("clearlabel_decisions_fingerprint", "fingerprint"),
          Index("clearlabel_decisions_finding", "post_id", "rule", "market"))
    frozen.create_all(conn)


def _version_2(conn: Connection) -> None:
    """What reports over time need: the fields reports show for each post,
    a case-insensitive creator key and each creator's counts per run (both
    filled in for existing runs), the span offsets of findings, opt-in
    stored text, and which process is writing a run (so abandoned runs can
    be removed)."""
    added = {
        "clearlabel_runs": ("host TEXT", "pid INTEGER", "heartbeat_at TEXT",
                            "stores_text BOOLEAN NOT NULL DEFAULT FALSE"),
        "clearlabel_posts": ("author_key TEXT NOT NULL DEFAULT ''", "format TEXT", "posted_at TEXT",
                             "followers BIGINT", "url TEXT", "brand TEXT", "market_verdicts TEXT"),
        "clearlabel_findings": ("spans TEXT",),
    }
    for table, columns in added.items():
        for column in columns:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column}")
    authors = conn.execute(text("SELECT DISTINCT author FROM clearlabel_posts")).scalars().all()
    for author in authors:
        conn.execute(text("UPDATE clearlabel_posts SET author_key = :key WHERE author = :author"),
                     {"key": creator_key(author), "author": author})
    conn.execute(text("UPDATE clearlabel_posts SET author_key = :key WHERE author IS NULL"),
                 {"key": creator_key(None)})
    current_metadata.tables["clearlabel_post_texts"].create(conn)
    current_metadata.tables["clearlabel_run_creators"].create(conn)
    counted: dict[tuple[int, str], dict] = {}
    rows = conn.execute(text("SELECT run_id, author_key, author, verdict FROM clearlabel_posts ORDER BY run_id, seq"))
    for run_id, key, author, verdict in rows:
        entry = counted.setdefault((run_id, key), {"run_id": run_id, "author_key": key, "author": author,
                                                   "verdicts": {}})
        entry["author"] = author
        entry["verdicts"][verdict] = entry["verdicts"].get(verdict, 0) + 1
    if counted:
        conn.execute(current_metadata.tables["clearlabel_run_creators"].insert(), [
            {"run_id": e["run_id"], "author_key": e["author_key"], "author": e["author"],
             "posts": sum(e["verdicts"].values()), "undisclosed": e["verdicts"].get("undisclosed", 0),
             "by_verdict": json.dumps(e["verdicts"], sort_keys=True)} for e in counted.values()])


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "runs, inputs, posts, findings and review decisions", _version_1),
    Migration(2, "report fields of posts, creator keys, finding spans, stored text, run owner", _version_2),
)
assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def schema_version(conn: Connection) -> int | None:
    """The store's schema version; None for a database clearlabel never used."""
    if not inspect(conn).has_table(schema_versions.name):
        return None
    return conn.execute(select(schema_versions.c.version).order_by(schema_versions.c.version.desc())).scalar()


def foreign_tables(conn: Connection) -> list[str]:
    return [name for name in inspect(conn).get_table_names() if not name.startswith("clearlabel_")]


def upgrade(conn: Connection, store: str, tool_version: str, target: int = SCHEMA_VERSION,
            refuse_foreign: bool = False) -> list[Migration]:
    """Bring the store to `target`, inside the caller's write transaction;
    return the migrations applied."""
    version = schema_version(conn)
    if version is None:
        if refuse_foreign and foreign_tables(conn):
            raise StoreError(store, "the database holds tables of another program and no clearlabel history",
                             "give clearlabel a file of its own with --store PATH, or run with --no-store")
        schema_versions.create(conn)
        version = 0
    if version > SCHEMA_VERSION:
        raise StoreError(store, f"it was written by a newer clearlabel (schema version {version}; "
                                f"this version knows up to {SCHEMA_VERSION})",
                         "upgrade clearlabel (pip install --upgrade clearlabel), or choose another store with "
                         "--store, or run with --no-store")
    applied = []
    for migration in MIGRATIONS:
        if version < migration.version <= target:
            migration.apply(conn)
            conn.execute(schema_versions.insert().values(
                version=migration.version, description=migration.description,
                applied_at=utc_now(),
                tool_version=tool_version))
            applied.append(migration)
    return applied
