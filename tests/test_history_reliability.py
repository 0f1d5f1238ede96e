"""The history store under stress, on SQLite and a real PostgreSQL server:
concurrent audits, a run killed half-way, an upgrade from schema version 1,
and stores that are damaged, locked, unreachable or too new. An audit whose
store fails still writes all its output, then exits 2 with what to do."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, inspect, text

from checker import __version__
from checker.store import Store, resolve_store
from checker.store.migrations import upgrade
from checker.store.recorder import BATCH_POSTS
from checker.store.schema import SCHEMA_VERSION, metadata
from history_support import MARCH, audit, cli_process, command_json, fingerprint_of, post, records, run, write_posts

pytestmark = pytest.mark.usefixtures("rules_loaded_once")


def many_posts(count: int, prefix: str) -> list[dict]:
    return [post(f"{prefix}{n}", f"@creator{n % 7}", f"Day {n}: use code {prefix.upper()}{n} for 10% off")
            for n in range(count)]


@contextmanager
def store_connection(store_url: str):
    """A plain SQLAlchemy connection to the store, for looking behind the CLI."""
    engine = create_engine(resolve_store(store_url).url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def count(store_url: str, sql: str) -> int:
    with store_connection(store_url) as conn:
        return conn.execute(text(sql)).scalar()


def test_two_audits_writing_to_one_store_at_once_both_succeed(store_url, tmp_path):
    inputs = [write_posts(tmp_path / f"{name}.jsonl", many_posts(2 * BATCH_POSTS + 300, name)) for name in ("a", "b")]
    # Both start on a store that does not exist yet: they also race to create it.
    children = [cli_process("audit", path, "--store", store_url, "--format", "jsonl", "--output", os.devnull,
                            stderr=subprocess.PIPE, text=True) for path in inputs]
    outcomes = [(child.wait(timeout=600), child.stderr.read()) for child in children]
    for code, stderr in outcomes:
        assert code == 1, stderr                       # findings, and no store error (that would be 2)
    runs = command_json("history", "--store", store_url)["runs"]
    assert sorted(r["posts"]["audited"] for r in runs) == [2 * BATCH_POSTS + 300] * 2
    assert sorted(r["inputs"][0]["path"] for r in runs) == sorted(inputs)
    assert count(store_url, "SELECT COUNT(*) FROM clearlabel_posts") == 2 * (2 * BATCH_POSTS + 300)


def test_a_run_killed_half_way_leaves_nothing_visible(store_url, tmp_path):
    audit(store_url, write_posts(tmp_path / "first.jsonl", MARCH[:1]))
    child = cli_process("audit", "-", "--store", store_url, "--format", "jsonl", "--output", os.devnull,
                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lines = "".join(json.dumps(item) + "\n" for item in many_posts(BATCH_POSTS + 200, "k"))
        child.stdin.write(lines.encode())
        child.stdin.flush()            # the input stays open: the audit is still running
        deadline = time.monotonic() + 300
        while count(store_url, "SELECT COUNT(*) FROM clearlabel_posts WHERE run_id <> 1") < BATCH_POSTS:
            assert time.monotonic() < deadline and child.poll() is None, "the audit never wrote its first batch"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert count(store_url, "SELECT COUNT(*) FROM clearlabel_runs WHERE complete") == 1
    assert [r["id"] for r in command_json("history", "--store", store_url)["runs"]] == [1]
    assert "no earlier run" in run("diff", "--store", store_url).stderr
    # The next run removes what the killed one left.
    audit(store_url, write_posts(tmp_path / "next.jsonl", MARCH[1:2]))
    assert [r["id"] for r in command_json("history", "--store", store_url)["runs"]] == [3, 1]
    assert count(store_url, "SELECT COUNT(*) FROM clearlabel_runs") == 2
    assert count(store_url, "SELECT COUNT(*) FROM clearlabel_posts WHERE run_id = 2") == 0


def _version_1_store(store_url: str) -> None:
    """A store as the first released schema left it, with one run, a finding
    and a dismissal in it."""
    location = resolve_store(store_url)
    engine = create_engine(location.url)
    with engine.begin() as conn:
        upgrade(conn, location.shown, "0.0.1", target=1)
        conn.execute(text(
            "INSERT INTO clearlabel_runs (command, started_at, finished_at, complete, tool_version, options, packs,"
            " posts_read, audited, rejected, by_verdict) VALUES ('audit', '2026-03-01T09:00:00.000000Z',"
            " '2026-03-01T09:00:05.000000Z', :yes, '0.0.1', '{}', '[\"market-us@2026.1\"]', 1, 1, 0,"
            " '{\"undisclosed\": 1}')"), {"yes": True})
        conn.execute(text(
            "INSERT INTO clearlabel_posts (run_id, seq, post_id, author, platform, markets, text_hash, verdict)"
            " VALUES (1, 1, 's1', '@Sam.X', 'instagram', 'US', 'x', 'undisclosed')"))
        conn.execute(text(
            "INSERT INTO clearlabel_findings (run_id, post_seq, position, fingerprint, rule, market, severity, verdict)"
            " VALUES (1, 1, 0, :fp, 'US-NO-LABEL', 'US', 'error', 'undisclosed')"), {"fp": _S1_FINGERPRINT})
        conn.execute(text(
            "INSERT INTO clearlabel_decisions (fingerprint, post_id, rule, market, decision, reason, decided_by,"
            " decided_at, run_id) VALUES (:fp, 's1', 'US-NO-LABEL', 'US', 'dismissed', 'gift was returned',"
            " 'A. Officer', '2026-03-02T10:00:00.000000Z', 1)"), {"fp": _S1_FINGERPRINT})
    engine.dispose()


_S1_FINGERPRINT = ""


def test_a_store_of_schema_version_1_is_upgraded_in_place(store_url, tmp_path):
    global _S1_FINGERPRINT
    posts = write_posts(tmp_path / "s1.jsonl", [MARCH[2]])
    _S1_FINGERPRINT = fingerprint_of(audit(str(tmp_path / "scratch.sqlite3"), posts), "s1")
    _version_1_store(store_url)
    with store_connection(store_url) as conn:
        assert "author_key" not in {c["name"] for c in inspect(conn).get_columns("clearlabel_posts")}

    result = audit(store_url, posts, extra=("--fail-on", "error"))
    assert result.exit_code == 0, result.stderr              # the version-1 dismissal still applies
    assert records(result)[0]["findings"][0]["review"]["reason"] == "gift was returned"
    with store_connection(store_url) as conn:
        versions = conn.execute(text("SELECT version FROM clearlabel_schema ORDER BY version")).scalars().all()
        keys = conn.execute(text("SELECT DISTINCT author_key FROM clearlabel_posts")).scalars().all()
    assert versions == list(range(1, SCHEMA_VERSION + 1)) and keys == ["sam.x"]
    runs = command_json("history", "--store", store_url)["runs"]
    assert [(r["id"], r["creators"]) for r in runs] == [(2, 1), (1, 1)]
    assert [r["id"] for r in command_json("history", "@sam.x", "--store", store_url)["runs"]] == [1, 2]
    diff = command_json("diff", "--store", store_url)
    assert (diff["from"]["id"], diff["to"]["id"]) == (1, 2) and [d["post"] for d in diff["dismissed"]] == ["s1"]


def test_migrations_build_the_schema_the_queries_use(store_url):
    with Store.open(resolve_store(store_url), __version__):
        pass
    with store_connection(store_url) as conn:
        inspector = inspect(conn)
        for table in metadata.sorted_tables:
            built = {column["name"] for column in inspector.get_columns(table.name)}
            assert built == {column.name for column in table.columns}, table.name
            indexed = {index["name"] for index in inspector.get_indexes(table.name)}
            assert indexed >= {index.name for index in table.indexes}, table.name


def _output_still_written(result, report_dir) -> None:
    summary = records(result)[-1]
    assert summary["type"] == "summary" and summary["audited"] == 1
    assert (report_dir / "index.html").is_file() and (report_dir / "findings.csv").is_file()


def test_a_store_of_a_newer_version_is_refused(store_url, tmp_path):
    with Store.open(resolve_store(store_url), __version__):
        pass
    with store_connection(store_url) as conn:
        conn.execute(text("INSERT INTO clearlabel_schema VALUES (99, 'from the future', '2030-01-01', '9.0')"))
        conn.commit()
    out = tmp_path / "out"
    result = audit(store_url, write_posts(tmp_path / "p.jsonl", MARCH[:1]), extra=("--report-dir", str(out)))
    assert result.exit_code == 2
    assert "newer clearlabel (schema version 99; this version knows up to" in result.stderr
    assert "pip install --upgrade clearlabel" in result.stderr and "--no-store" in result.stderr
    _output_still_written(result, out)
    assert run("history", "--store", store_url).exit_code == 2


def test_a_corrupt_store_gives_exit_2_and_the_output_is_still_written(tmp_path):
    store = tmp_path / "history.sqlite3"
    store.write_bytes(b"this is not a database, just some bytes " * 200)
    out = tmp_path / "out"
    result = audit(str(store), write_posts(tmp_path / "p.jsonl", MARCH[:1]), extra=("--report-dir", str(out)))
    assert result.exit_code == 2
    assert f"history store {store}: the file is damaged or is not a database" in result.stderr
    assert "move it aside" in result.stderr and "the audit goes on and writes its output" in result.stderr
    _output_still_written(result, out)
    assert run("history", "--store", str(store)).exit_code == 2


def test_a_database_of_another_program_is_not_written_to(tmp_path):
    store = tmp_path / "theirs.sqlite3"
    with sqlite3.connect(store) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    result = audit(str(store), write_posts(tmp_path / "p.jsonl", MARCH[:1]))
    assert result.exit_code == 2 and "holds tables of another program" in result.stderr
    with sqlite3.connect(store) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["invoices"]


def test_a_locked_store_gives_exit_2_and_the_output_is_still_written(store_url, tmp_path):
    with Store.open(resolve_store(store_url), __version__):
        pass
    location = resolve_store(store_url)
    if location.kind == "sqlite":
        holder = sqlite3.connect(location.path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        address = f"sqlite:///{location.path}?timeout=0.5"
    else:
        engine = create_engine(location.url)
        holder = engine.connect()
        holder.execute(text("LOCK TABLE clearlabel_runs IN ACCESS EXCLUSIVE MODE"))
        address = f"{store_url}&timeout=1"
    try:
        out = tmp_path / "out"
        result = audit(address, write_posts(tmp_path / "p.jsonl", MARCH[:1]), extra=("--report-dir", str(out)))
    finally:
        holder.close()
        if location.kind != "sqlite":
            engine.dispose()
    assert result.exit_code == 2
    assert "kept" in result.stderr and "locked for more than" in result.stderr and "try again" in result.stderr
    _output_still_written(result, out)
    assert audit(store_url, str(tmp_path / "p.jsonl")).exit_code == 1     # released: records again


def test_an_unreachable_server_gives_exit_2_and_the_output_is_still_written(tmp_path):
    out = tmp_path / "out"
    address = f"postgresql://clearlabel@/nowhere?host={tmp_path}&port=1&timeout=2"
    result = audit(address, write_posts(tmp_path / "p.jsonl", MARCH[:1]), extra=("--report-dir", str(out)))
    assert result.exit_code == 2
    assert "cannot connect" in result.stderr and "that the server is running" in result.stderr
    assert "review decisions were not applied" in result.stderr
    _output_still_written(result, out)


def test_an_address_that_names_no_store_is_a_usage_error(tmp_path):
    result = audit("mysql://db/x", write_posts(tmp_path / "p.jsonl", MARCH[:1]))
    assert result.exit_code == 2 and "'mysql://' is not a store clearlabel can use" in result.stderr
