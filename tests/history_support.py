"""Posts, commands and look-ups shared by the history-store tests.

The posts are clear-cut so that verdicts do not move when rules are tuned:
"use code … for …% off" with no label is undisclosed in the US, the same
with "#ad" first is disclosed, a walk by the river shows no evidence.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]


def post(post_id: str, author: str, text: str, **fields) -> dict:
    return {"id": post_id, "author": author, "platform": "instagram", "market": ["US"],
            "posted_at": "2026-03-02T10:00:00Z", "followers": 18000, "text": text, **fields}


MARCH = [
    post("m1", "@maya.moves", "Morning run 🏃 use code MAYA15 for 15% off"),
    post("m2", "@maya.moves", "#ad Trail shoes from the new drop, use code MAYA15 for 15% off"),
    post("s1", "@Sam.X", "Serum week ✨ use code SAMX20 for 20% off"),
    post("s2", "@Sam.X", "Desk setup tour, use code SAMDESK for 10% off"),
    post("s3", "@Sam.X", "Sunday walk by the river"),
]
APRIL = [
    post("m1", "@maya.moves", "#ad Morning run 🏃 use code MAYA15 for 15% off"),       # now disclosed
    post("m2", "@maya.moves", "#ad Trail shoes from the new drop, use code MAYA15 for 15% off"),
    post("m3", "@maya.moves", "Recovery day, use code MAYA20 for 20% off", posted_at="2026-04-02T10:00:00Z"),
    post("s1", "@sam.x", "Serum week ✨ use code SAMX20 for 20% off"),                  # still open
    post("s3", "@sam.x", "Sunday walk by the river"),                                  # s2 deleted
]


def write_posts(path: Path, posts: list[dict]) -> str:
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in posts), encoding="utf-8")
    return str(path)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def audit(store: str, *paths: str, output_format: str = "jsonl", extra: tuple[str, ...] = ()):
    return run("audit", *paths, "--store", store, "--format", output_format, *extra)


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def findings_of(result, post_id: str) -> list[dict]:
    return next(r for r in records(result) if r.get("type") == "post" and r["id"] == post_id)["findings"]


def fingerprint_of(result, post_id: str, rule: str = "US-NO-LABEL") -> str:
    return next(f["fingerprint"] for f in findings_of(result, post_id) if f["rule"] == rule)


def command_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def identities(findings: list[dict]) -> set[tuple[str, str]]:
    return {(item["post"], item["rule"]) for item in findings}


def cli_process(*args: str, **options) -> subprocess.Popen:
    """`clearlabel ARGS` in a child process of its own."""
    return subprocess.Popen([sys.executable, "-m", "checker.cli", *args], cwd=ROOT, **options)
