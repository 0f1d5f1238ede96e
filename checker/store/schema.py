"""The tables of the history store at the current schema version.

`migrations.py` builds them, step by step from version 1; this module
describes the result for the queries (a test checks that the two agree).
Times are ISO 8601 strings in UTC, so they sort and compare the same in
SQLite and PostgreSQL. Post text is stored only with `store-text: true`;
otherwise a post is its identity, the fields its reports show, a hash of
its text and its verdict.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, Table, Text

SCHEMA_VERSION = 2

metadata = MetaData()

schema_versions = Table(
    "clearlabel_schema", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", Text, nullable=False),
    Column("tool_version", Text, nullable=False),
)

runs = Table(
    "clearlabel_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", Text, nullable=False),                 # audit | check
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("complete", Boolean(create_constraint=False), nullable=False),
    Column("tool_version", Text, nullable=False),
    Column("options", Text, nullable=False),                 # JSON object
    Column("packs", Text, nullable=False),                   # JSON list of "pack@version"
    Column("posts_read", Integer),
    Column("audited", Integer),
    Column("rejected", Integer),
    Column("by_verdict", Text),                              # JSON object
    # version 2
    Column("host", Text),
    Column("pid", Integer),
    Column("heartbeat_at", Text),
    Column("stores_text", Boolean(create_constraint=False), nullable=False),
    sqlite_autoincrement=True,           # run ids are never reused, even after a run is removed
)

inputs = Table(
    "clearlabel_inputs", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("path", Text, nullable=False),
    Column("sha256", Text),                                  # None for standard input and pipes
    Column("bytes", BigInteger),
)

posts = Table(
    "clearlabel_posts", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("post_id", Text, nullable=False),
    Column("author", Text),
    Column("platform", Text, nullable=False),
    Column("markets", Text, nullable=False),                 # "GB,US"
    Column("text_hash", Text, nullable=False),              # 128 bits of SHA-256, hex
    Column("verdict", Text, nullable=False),
    # version 2
    Column("author_key", Text, nullable=False),
    Column("format", Text),
    Column("posted_at", Text),
    Column("followers", BigInteger),
    Column("url", Text),
    Column("brand", Text),
    Column("market_verdicts", Text),                         # JSON object market -> verdict
    sqlite_with_rowid=False,            # one B-tree, in (run, seq) order: appends are cheap
)

findings = Table(
    "clearlabel_findings", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=False),
    Column("post_seq", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("fingerprint", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("market", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("verdict", Text, nullable=False),
    # version 2
    Column("spans", Text),                                   # "text:105:116;title:0:4": offsets, never text
    # No index on the fingerprint: inserting hashes into an index costs more
    # than the rest of recording together, and only `review` looks one up.
    sqlite_with_rowid=False,
)

# version 2: each creator in each run, counted, so that timelines, trends
# and comparisons read a row per creator instead of every post
run_creators = Table(
    "clearlabel_run_creators", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=False),
    Column("author_key", Text, primary_key=True),
    Column("author", Text),                                  # the handle as last written in the run
    Column("posts", Integer, nullable=False),
    Column("undisclosed", Integer, nullable=False),          # posts with the verdict undisclosed
    Column("by_verdict", Text, nullable=False),              # JSON object verdict -> posts
    Index("clearlabel_run_creators_author_key", "author_key", "run_id"),
    sqlite_with_rowid=False,
)

decisions = Table(
    "clearlabel_decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", Text, nullable=False),
    Column("post_id", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("market", Text, nullable=False),
    Column("decision", Text, nullable=False),                # dismissed | confirmed | reopened
    Column("reason", Text, nullable=False),
    Column("decided_by", Text, nullable=False),
    Column("decided_at", Text, nullable=False),
    Column("run_id", Integer),                               # the last run the finding was seen in
    Index("clearlabel_decisions_fingerprint", "fingerprint"),
    Index("clearlabel_decisions_finding", "post_id", "rule", "market"),
)

# version 2: only with store-text: true
post_texts = Table(
    "clearlabel_post_texts", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=False),
    Column("post_seq", Integer, primary_key=True, autoincrement=False),
    Column("field", Text, primary_key=True),
    Column("text", Text, nullable=False),
    sqlite_with_rowid=False,
)

RUN_TABLES = (inputs, posts, findings, post_texts, run_creators)     # rows that belong to one run
