"""Audits over time, end to end through the CLI, on SQLite and on a real
PostgreSQL server: what changed between runs, review decisions, timelines,
and what is (not) recorded."""
from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from checker.store import resolve_store
from history_support import (
    APRIL, MARCH, audit, command_json, fingerprint_of, findings_of, identities, post, run, write_posts,
)

pytestmark = pytest.mark.usefixtures("rules_loaded_once")


@pytest.fixture
def months(tmp_path):
    return write_posts(tmp_path / "march.jsonl", MARCH), write_posts(tmp_path / "april.jsonl", APRIL)


def test_two_runs_over_changed_inputs_give_new_fixed_and_open(store_url, months):
    march, april = months
    assert audit(store_url, march).exit_code == 1
    assert audit(store_url, april).exit_code == 1
    diff = command_json("diff", "--store", store_url)
    assert (diff["from"]["id"], diff["to"]["id"]) == (1, 2)
    assert identities(diff["new"]) == {("m3", "US-NO-LABEL")}
    assert identities(diff["fixed"]) == {("m1", "US-NO-LABEL"), ("s2", "US-NO-LABEL")}
    assert {item["post"]: item["how"] for item in diff["fixed"]} == {"m1": "now disclosed", "s2": "deleted"}
    assert identities(diff["open"]) == {("s1", "US-NO-LABEL")}
    assert diff["dismissed"] == [] and diff["counts"] == {"new": 1, "fixed": 2, "open": 1, "dismissed": 0}
    # @Sam.X in March and @sam.x in April are one creator; both creators had
    # undisclosed posts in both runs (Maya a new one in April).
    assert sorted(diff["creators"]) == ["@maya.moves", "@sam.x"]
    assert diff["repeat"] == ["@maya.moves", "@sam.x"]
    # Explicit runs give the same answer; the diff's finding ids are the audit's.
    assert command_json("diff", "1", "2", "--store", store_url)["new"] == diff["new"]
    second = run("audit", april, "--no-store", "--format", "jsonl")
    assert diff["new"][0]["fingerprint"] == fingerprint_of(second, "m3")


def test_diff_text_and_its_errors(store_url, months):
    march, april = months
    assert "no history yet" in run("diff", "--store", store_url).stderr or \
        "no run recorded" in run("diff", "--store", store_url).stderr
    audit(store_url, march)
    only_one = run("diff", "--store", store_url)
    assert only_one.exit_code == 2 and "no earlier run" in only_one.stderr
    audit(store_url, april)
    shown = run("diff", "--store", store_url)
    assert shown.exit_code == 0
    assert "1 new, 2 fixed, 1 still open, 0 dismissed" in shown.stdout
    assert "(now disclosed)" in shown.stdout and "(deleted)" in shown.stdout
    assert "Repeat cases (undisclosed posts in two or more runs): @maya.moves, @sam.x" in shown.stdout
    missing = run("diff", "1", "9", "--store", store_url)
    assert missing.exit_code == 2 and "no run 9" in missing.stderr


def test_a_dismissal_survives_a_reaudit_and_lets_fail_on_error_pass(store_url, tmp_path):
    posts = write_posts(tmp_path / "one.jsonl", [MARCH[2]])
    first = audit(store_url, posts)
    assert first.exit_code == 1
    finding = fingerprint_of(first, "s1")
    decided = run("review", f"F-{finding[:8]}", "--dismiss", "--reason", "gift was returned, not an ad",
                  "--by", "A. Officer", "--store", store_url)
    assert decided.exit_code == 0, decided.stderr
    assert "dismissed by A. Officer: gift was returned, not an ad" in decided.stdout

    again = audit(store_url, posts, extra=("--fail-on", "error"))
    assert again.exit_code == 0, again.stderr
    dismissed = findings_of(again, "s1")[0]
    assert dismissed["suppressed"] == "gift was returned, not an ad"
    assert dismissed["review"]["decision"] == "dismissed" and dismissed["review"]["by"] == "A. Officer"
    assert dismissed["review"]["stale"] is False

    sarif = json.loads(audit(store_url, posts, output_format="sarif").stdout)
    [result] = sarif["runs"][0]["results"]
    [suppression] = result["suppressions"]
    assert suppression["kind"] == "external" and suppression["justification"] == "gift was returned, not an ad"
    assert suppression["properties"]["by"] == "A. Officer"

    shown = audit(store_url, posts, output_format="text", extra=("--no-color",))
    assert shown.exit_code == 0
    assert "dismissed by A. Officer on" in shown.stdout and "gift was returned, not an ad" in shown.stdout

    diff = command_json("diff", "--store", store_url)
    assert identities(diff["dismissed"]) == {("s1", "US-NO-LABEL")} and diff["open"] == []


def test_a_changed_post_text_makes_the_decision_stale(store_url, tmp_path):
    first = audit(store_url, write_posts(tmp_path / "a.jsonl", [MARCH[2]]))
    finding = fingerprint_of(first, "s1")
    run("review", finding, "--dismiss", "--reason", "a personal code, not paid", "--store", store_url)
    edited = post("s1", "@Sam.X", "Serum week ✨ use code SAMX25 for 25% off")
    again = audit(store_url, write_posts(tmp_path / "b.jsonl", [edited]))
    assert again.exit_code == 1                       # counts again
    [stale] = findings_of(again, "s1")
    assert stale["fingerprint"] != finding and "suppressed" not in stale
    assert stale["review"]["stale"] is True and stale["review"]["reason"] == "a personal code, not paid"
    shown = audit(store_url, str(tmp_path / "b.jsonl"), output_format="text",
                  extra=("--no-color",))
    assert "decision stale" in shown.stdout


def test_every_decision_is_kept_and_the_latest_applies(store_url, tmp_path):
    posts = write_posts(tmp_path / "one.jsonl", [MARCH[0]])
    finding = fingerprint_of(audit(store_url, posts), "m1")
    needs_reason = run("review", finding, "--dismiss", "--store", store_url)
    assert needs_reason.exit_code == 2 and "--reason" in needs_reason.stderr
    for action, reason in (("--confirm", "creator notified 2026-04-03"), ("--dismiss", "already removed by brand"),
                           ("--reopen", "it is back up")):
        assert run("review", finding, action, "--reason", reason, "--by", "B. Reviewer", "--store", store_url).exit_code == 0
    shown = command_json("review", finding[:12], "--store", store_url)
    assert [(d["decision"], d["reason"]) for d in shown["decisions"]] == [
        ("confirmed", "creator notified 2026-04-03"), ("dismissed", "already removed by brand"),
        ("reopened", "it is back up")]
    assert shown["decision"] is None and shown["finding"]["review"]["decision"] == "reopened"
    assert audit(store_url, posts).exit_code == 1      # reopened: it fails the run again
    unknown = run("review", "F-ffffffff", "--confirm", "--store", store_url)
    assert unknown.exit_code == 2 and "no finding F-ffffffff" in unknown.stderr
    not_an_id = run("review", "xyz", "--confirm", "--store", store_url)
    assert not_an_id.exit_code == 2 and "not a finding id" in not_an_id.stderr


def test_history_lists_runs_and_a_creators_timeline(store_url, months):
    march, april = months
    assert command_json("history", "--store", store_url)["runs"] == []
    audit(store_url, march)
    audit(store_url, april)
    runs = command_json("history", "--store", store_url)["runs"]
    assert [r["id"] for r in runs] == [2, 1]
    latest = runs[0]
    assert latest["command"] == "audit" and latest["inputs"][0]["path"] == april
    assert len(latest["inputs"][0]["sha256"]) == 64 and latest["inputs"][0]["bytes"] > 0
    assert latest["posts"] == {"read": 5, "audited": 5, "rejected": 0}
    assert latest["by_verdict"] == {"undisclosed": 2, "inadequate": 0, "review": 0, "disclosed": 2, "no_evidence": 1}
    assert latest["creators"] == 2 and latest["findings"] == 2
    assert any(pack.startswith("market-us@") for pack in latest["packs"])
    assert command_json("history", "--limit", "1", "--store", store_url)["runs"][0]["id"] == 2

    timeline = command_json("history", "@SAM.X", "--store", store_url)
    assert timeline["creator"] == "@sam.x" and timeline["repeat"] is True
    assert [(r["id"], r["new"], r["fixed"], r["open"]) for r in timeline["runs"]] == [(1, 2, 0, 0), (2, 0, 1, 1)]
    assert {p["id"]: p["verdicts"] for p in timeline["posts"]} == {
        "s1": {"1": "undisclosed", "2": "undisclosed"}, "s2": {"1": "undisclosed"},
        "s3": {"1": "no_evidence", "2": "no_evidence"}}
    assert identities(timeline["open_findings"]) == {("s1", "US-NO-LABEL")}
    text_out = run("history", "@sam.x", "--store", store_url).stdout
    assert "REPEAT CASE" in text_out and "s2 (instagram): undisclosed  —" in text_out
    nobody = run("history", "@nobody", "--store", store_url)
    assert nobody.exit_code == 2 and "no recorded run audited @nobody" in nobody.stderr


def test_no_store_records_nothing(store_url, months, tmp_path, monkeypatch):
    march, _ = months
    (tmp_path / ".clearlabel.yml").write_text(f"store: {store_url}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("audit", march, "--no-store", "--format", "text")
    assert result.exit_code == 1 and "recorded" not in result.stderr
    assert command_json("history")["runs"] == []
    both = run("audit", march, "--no-store", "--store", store_url)
    assert both.exit_code == 2 and "contradict" in both.stderr


def test_default_store_lives_in_the_data_directory(tmp_path, monkeypatch, months):
    march, _ = months
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    expected = tmp_path / "data" / "clearlabel" / "history.sqlite3"
    shown = run("config", "show").stdout
    assert f"store: {expected}  # default" in shown
    run("audit", march, "--no-store")
    assert not expected.exists()
    run("audit", march)
    assert expected.is_file()
    assert [r["id"] for r in command_json("history")["runs"]] == [1]


def test_store_from_the_configuration(tmp_path, monkeypatch, months):
    march, _ = months
    (tmp_path / ".clearlabel.yml").write_text("store: audits/history.sqlite3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run("audit", march)
    assert (tmp_path / "audits" / "history.sqlite3").is_file()
    assert "store: " + str(tmp_path / "audits" / "history.sqlite3") in run("config", "show").stdout
    assert len(command_json("history")["runs"]) == 1
    (tmp_path / ".clearlabel.yml").write_text("store: 7\n", encoding="utf-8")
    bad = run("audit", march)
    assert bad.exit_code == 2 and ".clearlabel.yml:1: store: expected a file path" in bad.stderr


def test_check_records_nothing_unless_asked(store_url, tmp_path, monkeypatch):
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "launch.md").write_text("---\nmarket: GB\nbrand: Glow Co\n---\nNew serum with @glowco, code GLOW15\n",
                                      encoding="utf-8")
    (tmp_path / ".clearlabel.yml").write_text(f"store: {store_url}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("check", "drafts").exit_code == 1
    assert command_json("history")["runs"] == []
    assert run("check", "drafts", "--record").exit_code == 1
    [recorded] = command_json("history")["runs"]
    assert recorded["command"] == "check" and recorded["posts"]["audited"] == 1


def _stored_values(store_url: str) -> str:
    """Every value in every table of the store, as one string."""
    location = resolve_store(store_url)
    if location.kind == "sqlite":
        with sqlite3.connect(location.path) as conn:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return repr([conn.execute(f"SELECT * FROM {table}").fetchall() for table in tables])
    engine = create_engine(location.url)
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        values = repr([conn.execute(text(f"SELECT * FROM {table}")).all() for table in tables])
    engine.dispose()
    return values


def test_post_text_is_stored_only_with_store_text(store_url, tmp_path, monkeypatch):
    posts = write_posts(tmp_path / "posts.jsonl", [post("t1", "@maya.moves", "Quokka sunrise, use code QUOKKA9 for 9% off")])
    monkeypatch.chdir(tmp_path)
    audit(store_url, posts)
    stored = _stored_values(store_url)
    assert "t1" in stored and "@maya.moves" in stored
    assert "Quokka" not in stored and "QUOKKA9" not in stored
    (tmp_path / ".clearlabel.yml").write_text("store-text: true\n", encoding="utf-8")
    audit(store_url, posts)
    assert "Quokka sunrise, use code QUOKKA9 for 9% off" in _stored_values(store_url)
    assert [r["stores_text"] for r in command_json("history", "--store", store_url)["runs"]] == [True, False]


@pytest.mark.parametrize("command", ["history", "diff", "review"])
def test_help_shows_examples(command):
    shown = run(command, "--help").stdout
    assert "Examples:" in shown and f"clearlabel {command}" in shown and "--format" in shown


def test_jsonl_and_text_output_name_every_finding(tmp_path):
    result = run("audit", write_posts(tmp_path / "p.jsonl", [MARCH[0]]), "--no-store", "--format", "jsonl")
    [finding] = findings_of(result, "m1")
    assert len(finding["fingerprint"]) == 32 and "review" not in finding
    text_out = run("audit", str(tmp_path / "p.jsonl"), "--no-store", "--no-color").stdout
    assert f"id:   F-{finding['fingerprint'][:10]}" in text_out
