"""No post can stall an audit, and no worker failure can stall a run.

A rule pack from a third party may carry a pattern that passes the load-time
guard yet is slow on a crafted post; each post's audit therefore runs under
a time budget (`--post-timeout`, `post-timeout:`). A post over it is reported
as not audited, with its file and line, and the rest of the batch is still
audited. Worker processes (`--jobs`) that cannot start or that die end the
run with a clear message instead of being replaced for ever.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.budget import OverBudget, TimeBudget
from checker.cli import main
from checker.config import ConfigError, load_settings
from checker.packs import regex_risk

ROOT = Path(__file__).resolve().parents[1]

# Four bounded repeats in a row: not refused by the guard (each repeat is
# bounded and nothing is nested), but O(n^4) on a long run with no "!".
SLOW_REGEX = "^.{0,2000}.{0,2000}.{0,2000}.{0,2000}!"
SLOW_PACK = f"""\
pack: third-party
version: 1
signals:
  - id: slow-cta
    kind: cta
    strength: weak
    patterns:
      - - {{TEXT: {{REGEX: '{SLOW_REGEX}'}}}}
"""
# Minutes of matching for this one token without a budget.
HOSTILE_TEXT = "Spring edit " + "a" * 1500


def _posts(tmp_path: Path) -> Path:
    path = tmp_path / "posts.jsonl"
    records = [
        {"id": "before", "text": "Use code MAYA15 for 15% off", "market": "US", "language": "en"},
        {"id": "hostile", "text": HOSTILE_TEXT, "market": "US", "language": "en"},
        {"id": "after", "text": "#ad Thanks @brand for the jacket", "market": "US", "language": "en"},
    ]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def _run_cli(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    pack = tmp_path / "third-party.yml"
    pack.write_text(SLOW_PACK, encoding="utf-8")
    command = [sys.executable, "-m", "checker.cli", "audit", str(_posts(tmp_path)), "--rules", str(pack),
               "--format", "jsonl", *options]
    # Without a budget the hostile post takes many minutes: the timeout turns
    # that into a failure rather than a stalled test run.
    return subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_slow_pattern_passes_the_load_time_guard():
    assert regex_risk(SLOW_REGEX) is None


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_post_over_the_budget_is_reported_and_the_rest_audited(tmp_path, jobs):
    result = _run_cli(tmp_path, "--post-timeout", "1", "--jobs", jobs)
    assert result.returncode == 2, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    audited = [line["id"] for line in lines if line["type"] == "post"]
    rejected = [line for line in lines if line["type"] == "rejected"]
    summary = lines[-1]
    assert audited == ["before", "after"]
    assert [(r["file"].endswith("posts.jsonl"), r["line"]) for r in rejected] == [(True, 2)]
    assert "'hostile' not audited" in rejected[0]["reason"] and "1 s" in rejected[0]["reason"]
    assert (summary["read"], summary["audited"], summary["rejected"]) == (3, 2, 1)
    assert "posts.jsonl:2: post 'hostile' not audited" in result.stderr
    assert "Traceback" not in result.stderr


def test_posts_after_a_stopped_one_get_the_same_verdicts(tmp_path):
    """Stopping a post half-way leaves nothing behind that changes the next."""
    budgeted = _run_cli(tmp_path, "--post-timeout", "1")
    plain = subprocess.run(
        [sys.executable, "-m", "checker.cli", "audit", str(tmp_path / "posts.jsonl"), "--format", "jsonl"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    after = [line for line in budgeted.stdout.splitlines() if '"id": "after"' in line]
    assert after and after == [line for line in plain.stdout.splitlines() if '"id": "after"' in line]


def test_the_budget_comes_from_the_configuration(tmp_path):
    (tmp_path / ".clearlabel.yml").write_text("post-timeout: 1\n", encoding="utf-8")
    result = _run_cli(tmp_path)
    assert result.returncode == 2 and "'hostile' not audited" in result.stderr


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf", "true"])
def test_an_invalid_budget_is_a_configuration_error_with_its_line(tmp_path, value):
    (tmp_path / ".clearlabel.yml").write_text(f"markets: [US]\npost-timeout: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(None, tmp_path)
    assert caught.value.line == 2 and "post-timeout" in caught.value.reason


@pytest.mark.parametrize("value, seconds", [("2.5", 2.5), ("0", None), ("never", None)])
def test_the_budget_is_read_from_configuration_and_shown(tmp_path, value, seconds):
    (tmp_path / ".clearlabel.yml").write_text(f"post-timeout: {value}\n", encoding="utf-8")
    settings, provenance = load_settings(None, tmp_path)
    assert settings.post_timeout == seconds and provenance["post_timeout"] == ".clearlabel.yml:1"


def test_an_invalid_budget_on_the_command_line_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["audit", str(_posts(tmp_path)), "--post-timeout", "-3"])
    assert result.exit_code == 2 and "--post-timeout" in result.output


# --- the budget itself ----------------------------------------------------------------------------

def _spin(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def test_work_over_the_budget_is_stopped():
    with TimeBudget(0.2) as budget:
        with pytest.raises(OverBudget):                 # stopped: a 30 s spin never returns "done"
            budget.run(_spin, 30)
        assert budget.run(_spin, 0.01) == "done"       # the next call runs normally


def test_the_budget_puts_the_previous_signal_handler_back():
    before = signal.getsignal(signal.SIGALRM)
    with TimeBudget(5) as budget:
        budget.run(_spin, 0)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_no_budget_means_no_timer():
    with TimeBudget(None) as budget:
        assert not budget.enforced
        assert budget.run(_spin, 0.3) == "done"


# --- worker processes -------------------------------------------------------------------------------

WORKER_SCRIPT = textwrap.dedent("""
    import multiprocessing, os, signal, sys
    from checker.diagnostics import Diagnostics
    from checker.model import Post
    from checker.runloop import AuditSetup, RunLoop
    from checker.settings import Settings
    from checker.workers import WorkerFailure

    if sys.argv[1] == "cannot-start":
        # The workers are told to load a pack directory that is not there,
        # so none of them can start.
        settings = Settings(rule_dirs=("/nonexistent/packs",))
    else:
        settings = Settings()

    class Sink:
        renderer = None
        count = 0

        def post(self, result):
            self.count += 1
            if self.count == 10 and sys.argv[1] == "dies":
                for child in multiprocessing.active_children():
                    os.kill(child.pid, signal.SIGKILL)

        def rejected(self, rejected):
            pass

        def finish(self, summary):
            pass

    posts = (Post(id=str(i), text="Use code MAYA15 " * 20, market=("US",)) for i in range(200_000))
    try:
        RunLoop(AuditSetup(settings), Sink(), Diagnostics()).run_records(posts, jobs=2)
    except WorkerFailure as error:
        print("failure:", error)
        sys.exit(3)
""")


# Before, a pool of workers that could not start was refilled for ever, and
# one whose worker died waited for ever: run in a child with a timeout.
@pytest.mark.parametrize("mode, reason", [("cannot-start", "could not start: "), ("dies", "died")])
def test_a_worker_failure_ends_the_run_with_a_reason(mode, reason):
    result = subprocess.run([sys.executable, "-c", WORKER_SCRIPT, mode], capture_output=True, text=True,
                            timeout=180, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 3, result.stderr
    assert reason in result.stdout
    if mode == "cannot-start":
        assert "/nonexistent/packs" in result.stdout


def test_the_command_line_reports_a_worker_failure_as_a_usage_error(tmp_path, monkeypatch):
    import checker.runloop
    from checker.workers import WorkerFailure

    def failing(chunks, jobs, start, start_args=(), method="spawn"):
        raise WorkerFailure("a worker process died (killed, or out of memory?)")
        yield  # pragma: no cover

    monkeypatch.setattr(checker.runloop, "map_in_workers", failing)
    result = CliRunner().invoke(main, ["audit", str(_posts(tmp_path)), "--jobs", "2"])
    assert result.exit_code == 2
    assert "a worker process died" in result.stderr and "Traceback" not in result.output
