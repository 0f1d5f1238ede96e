"""The malformed-input matrix, end to end through `clearlabel audit`.

For every kind of damage an export can carry, the audit must: name the file
and line of each bad record on stderr, audit every other post, keep the
JSONL summary's counts reconciled (read = audited + rejected; whole files
that could not be read are listed in file_errors), and exit 2 so a pipeline
knows the audit is incomplete.
"""
from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import cli_run
from checker.cli import main
from checker.packs import load_ruleset

GOOD_TEXT = "#ad @glowco sent me this serum, use code MAYA15"


def good(n: int) -> str:
    return json.dumps({"id": f"ok{n}", "author": "maya", "text": GOOD_TEXT})


@cache
def _bundled_rules():
    return load_ruleset()


@pytest.fixture(scope="module", autouse=True)
def _rules_loaded_once():
    """Each CLI run would load the rule packs again (about a second)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_run, "load_ruleset", lambda dirs=(), **kw: _bundled_rules() if not dirs else load_ruleset(dirs, **kw))
        yield


class Audit:
    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.stderr = result.stderr
        self.records = [json.loads(line) for line in result.stdout.splitlines()]
        self.summary = self.records[-1]
        assert self.summary["type"] == "summary"
        self.post_records = [r for r in self.records if r["type"] == "post"]
        self.posts = {r["id"]: r for r in self.post_records}
        self.rejected = [r for r in self.records if r["type"] == "rejected"]

    def reconciles(self) -> None:
        s = self.summary
        assert s["read"] == s["audited"] + s["rejected"]
        assert s["audited"] == len(self.post_records) == sum(s["by_verdict"].values())
        assert s["rejected"] == len([r for r in self.rejected if r["line"] > 0])
        assert len(s["file_errors"]) == len([r for r in self.rejected if r["line"] == 0])


def audit(*paths: str, stdin: bytes | None = None) -> Audit:
    result = CliRunner().invoke(main, ["audit", *paths, "--market", "US", "--format", "jsonl"],
                                input=stdin, catch_exceptions=False)
    return Audit(result)


def write(tmp_path: Path, name: str, data: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


# (file name, content, {bad line: words the reason must hold}, ids that must be audited)
MATRIX = {
    "invalid-json": ("posts.jsonl", "\n".join([good(1), '{"id": "bad", "text": ', good(2)]) + "\n",
                     {2: "invalid JSON"}, {"ok1", "ok2"}),
    "wrong-types": ("posts.jsonl", "\n".join([
        good(1), json.dumps({"id": "t", "text": {"nested": "object"}}),
        json.dumps({"id": "f", "text": "hi", "followers": "lots"}), json.dumps([1, 2]),
        json.dumps({"id": "m", "text": "hi", "market": 7}), good(2)]) + "\n",
        {2: "text", 3: "followers", 4: "object", 5: "market"}, {"ok1", "ok2"}),
    "missing-text": ("posts.jsonl", "\n".join([good(1), json.dumps({"id": "bad", "author": "maya"}),
                                               json.dumps({"id": "blank", "text": "   "}), good(2)]) + "\n",
                     {2: "no text", 3: "no text"}, {"ok1", "ok2"}),
    "deeply-nested": ("posts.jsonl", "\n".join([
        good(1), "[" * 100_000 + "]" * 100_000,
        json.dumps({"id": "n", "text": "x"})[:-1] + ', "extra": ' + "[" * 50_000 + "]" * 50_000 + "}", good(2)]) + "\n",
        {2: "nested too deeply", 3: "nested too deeply"}, {"ok1", "ok2"}),
    "nul-byte": ("posts.jsonl", good(1) + "\n" + '{"id": "n", "text": "a\x00b"}\n' + good(2) + "\n",
                 {2: "NUL"}, {"ok1", "ok2"}),
    "invalid-utf8": ("posts.jsonl", (good(1) + "\n").encode() + b'{"id": "u", "text": "caf\xe9 \xff"}\n'
                     + (good(2) + "\n").encode(), {2: "not valid UTF-8"}, {"ok1", "ok2"}),
    "csv-quoted-newlines": ("posts.csv",
                            'id,author,text\n'
                            'c1,maya,"#ad line one\nline two @glowco sent me"\n'
                            'c2,maya,"ok ""quoted""\n\nmore"\n'
                            'c3,maya,"never closed\n',
                            {7: "never closed"}, {"c1", "c2"}),
}


@pytest.mark.parametrize("case", sorted(MATRIX))
def test_damaged_records_are_named_and_the_rest_audited(tmp_path, case):
    name, content, bad, audited = MATRIX[case]
    path = write(tmp_path, name, content)
    run = audit(path)
    run.reconciles()
    assert run.exit_code == 2
    assert set(run.posts) == audited
    assert {(r["file"], r["line"]) for r in run.rejected} == {(path, line) for line in bad}
    for line, words in bad.items():
        # A repeated problem is printed once; the repeats are named in one line after it.
        message = next((m for m in run.stderr.splitlines() if m.startswith(f"clearlabel: {path}:{line}: ")), None)
        if message is None:
            message = next(m for m in run.stderr.splitlines() if m.startswith("clearlabel: the same problem as at ")
                           and f"{path}:{line}" in m.split(": ", 2)[2])
            first = message.split(" in ", 1)[0].removeprefix("clearlabel: the same problem as at ")
            message = next(m for m in run.stderr.splitlines() if m.startswith(f"clearlabel: {first}: "))
        assert words.lower() in message.lower(), message
    assert run.summary["read"] == len(audited) + len(bad)


@pytest.mark.parametrize("case", ["utf16-bom", "utf8-bom", "crlf", "nul-escaped", "one-megabyte-post"])
def test_unusual_but_valid_input_is_audited_whole(tmp_path, case):
    lines = [good(1), good(2)]
    if case == "utf16-bom":
        data = codecs.BOM_UTF16_LE + ("\n".join(lines) + "\n").encode("utf-16-le")
    elif case == "utf8-bom":
        data = codecs.BOM_UTF8 + ("\n".join(lines) + "\n").encode()
    elif case == "crlf":
        data = ("\r\n".join(lines) + "\r\n").encode()
    elif case == "nul-escaped":
        lines.insert(1, json.dumps({"id": "nul", "text": "a\u0000b " + GOOD_TEXT}))
        data = ("\n".join(lines) + "\n").encode()
    else:
        big = ("lovely words " * 80_000)[:1_000_000] + " #ad @glowco sent me this, code MAYA15"
        lines.insert(1, json.dumps({"id": "big", "text": big}))
        data = ("\n".join(lines) + "\n").encode()
    path = write(tmp_path, "posts.jsonl", data)
    run = audit(path)
    run.reconciles()
    assert run.exit_code in (0, 1), run.stderr
    assert not run.rejected and run.stderr == ""
    assert run.summary["audited"] == len(lines)
    for record in run.posts.values():
        text = record["post"]["text"]
        assert "\r" not in text and "\ufeff" not in text
        for item in record["labels"] + record["evidence"]:
            if item["span"]:
                assert text[item["span"]["start"]:item["span"]["end"]] == item["span"]["text"]
    if case == "one-megabyte-post":
        big = run.posts["big"]
        assert len(big["post"]["text"]) > 1_000_000
        assert big["verdict"] == "inadequate"         # the label is far below the fold
        assert any(label["span"]["text"] == "#ad" for label in big["labels"])


def test_duplicate_ids_are_audited_and_warned_about(tmp_path):
    path = write(tmp_path, "posts.jsonl", "\n".join([good(1), good(2), good(1)]) + "\n")
    run = audit(path)
    run.reconciles()
    assert run.summary["audited"] == 3
    warnings = [line for line in run.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert f"{path}:3" in warnings[0] and f"{path}:1" in warnings[0] and "'ok1'" in warnings[0]
    assert run.exit_code in (0, 1)         # a duplicate is worth a warning, not a failed audit


def test_duplicate_ids_across_files_name_both_files(tmp_path):
    first = write(tmp_path, "a.jsonl", good(1) + "\n")
    second = write(tmp_path, "b.jsonl", good(1) + "\n")
    run = audit(first, second)
    assert f"{second}:1" in run.stderr and f"{first}:1" in run.stderr
    assert run.summary["audited"] == 2


@pytest.mark.parametrize("case", ["empty-file", "blank-file", "directory", "missing", "unreadable"])
def test_unreadable_files_are_named_and_the_other_files_audited(tmp_path, monkeypatch, case):
    other = write(tmp_path, "other.jsonl", good(1) + "\n")
    if case == "empty-file":
        path, words = write(tmp_path, "empty.jsonl", b""), "empty"
    elif case == "blank-file":
        path, words = write(tmp_path, "blank.jsonl", "\n \r\n\t\n"), "empty"
    elif case == "directory":
        (tmp_path / "dir").mkdir()
        path, words = str(tmp_path / "dir"), "directory"
    elif case == "missing":
        path, words = str(tmp_path / "nope.jsonl"), "not found"
    else:
        path, words = write(tmp_path, "secret.jsonl", good(9) + "\n"), "permission denied"
        os.chmod(path, 0)
        if os.access(path, os.R_OK):       # root reads anything: make the open fail as it would for a user
            real_open = open

            def guarded_open(file, *args, **kwargs):
                if str(file) == path:
                    raise PermissionError(13, "Permission denied", path)
                return real_open(file, *args, **kwargs)
            monkeypatch.setattr("checker.readers.sources.open", guarded_open, raising=False)
    run = audit(path, other)
    run.reconciles()
    assert run.exit_code == 2
    assert set(run.posts) == {"ok1"}
    assert [error["file"] for error in run.summary["file_errors"]] == [path]
    message = next(line for line in run.stderr.splitlines() if line.startswith(f"clearlabel: {path}: "))
    assert words in message


def test_empty_standard_input(tmp_path):
    run = audit("-", stdin=b"")
    run.reconciles()
    assert run.exit_code == 2
    assert "<stdin>" in run.stderr and "empty" in run.stderr


def test_closed_standard_input_is_an_input_error_not_a_crash(tmp_path):
    other = write(tmp_path, "other.jsonl", good(1) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "checker.cli", "audit", "-", other, "--market", "US", "--format", "jsonl"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        preexec_fn=lambda: os.close(0), cwd=Path(__file__).parents[1])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "clearlabel: <stdin>: standard input" in done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["audited"] == 1 and summary["read"] == summary["audited"] + summary["rejected"]
    assert summary["file_errors"][0]["file"] == "<stdin>"


def test_several_damaged_files_at_once_still_reconcile(tmp_path):
    paths = [write(tmp_path, f"{case}-{name}", content) for case, (name, content, _, _) in MATRIX.items()]
    paths.append(write(tmp_path, "empty.jsonl", b""))
    run = audit(*paths)
    run.reconciles()
    assert run.exit_code == 2
    assert run.summary["rejected"] == sum(len(bad) for _, _, bad, _ in MATRIX.values())
    assert run.summary["audited"] == sum(len(ids) for _, _, _, ids in MATRIX.values())
    assert len(run.summary["file_errors"]) == 1
