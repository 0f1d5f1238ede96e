"""The audit on a Dask cluster gives the bytes of a local run: on a local
cluster, on a scheduler and workers started as their own processes, and
when a worker is killed in the middle of the run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_scale import write_posts  # noqa: E402


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 8 KiB: a small input makes many tasks."""
    import checker.runloop
    monkeypatch.setattr(checker.runloop, "MIN_BLOCK_BYTES", 8 << 10)


@pytest.fixture(scope="module")
def posts(tmp_path_factory) -> Path:
    return write_posts(tmp_path_factory.mktemp("dask") / "posts.jsonl", 500)


def audit(tmp_path: Path, name: str, *args: str) -> tuple[bytes, int]:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["audit", *args, "-o", str(out)], catch_exceptions=False)
    return out.read_bytes(), result.exit_code


@pytest.fixture(scope="module")
def local_run(posts, tmp_path_factory) -> dict[str, tuple[bytes, int]]:
    import checker.runloop

    tmp = tmp_path_factory.mktemp("local")
    saved, checker.runloop.MIN_BLOCK_BYTES = checker.runloop.MIN_BLOCK_BYTES, 8 << 10
    try:
        return {fmt: audit(tmp, fmt, str(posts), "--format", fmt, "--jobs", "1") for fmt in ("jsonl", "json")}
    finally:
        checker.runloop.MIN_BLOCK_BYTES = saved


def test_a_local_cluster_gives_the_bytes_of_jobs_1(tmp_path, posts, local_run):
    assert audit(tmp_path, "dask", str(posts), "--scheduler", "local:2", "--format", "jsonl") == local_run["jsonl"]


def killing_a_worker(monkeypatch, killed: list[int]):
    """Make the run kill one worker process once the first piece is taken."""
    import checker.distributed

    real = checker.distributed.audit_with_client

    def audit_and_kill(client, loop, paths, on_piece=None):
        pids = sorted(client.run(os.getpid).values())

        def kill(index: int) -> None:
            if index == 0:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        return real(client, loop, paths, on_piece=kill)

    monkeypatch.setattr(checker.distributed, "audit_with_client", audit_and_kill)


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(tmp_path, posts, local_run, monkeypatch):
    killed: list[int] = []
    killing_a_worker(monkeypatch, killed)
    got = audit(tmp_path, "dask", str(posts), "--scheduler", "local:2", "--format", "json")
    assert killed, "no worker was killed"
    assert got == local_run["json"]


class SeparateCluster:
    """`dask scheduler` and two `dask worker` processes, as an operator starts them."""

    def __init__(self, directory: Path) -> None:
        dask = str(Path(sys.executable).parent / "dask")
        scheduler_file = directory / "scheduler.json"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.processes = [subprocess.Popen([dask, "scheduler", "--scheduler-file", str(scheduler_file),
                                            "--port", "0", "--no-dashboard"], env=env, cwd=directory,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Dask scheduler did not start")
            time.sleep(0.2)
        time.sleep(0.2)
        self.address = json.loads(scheduler_file.read_text())["address"]
        for _ in range(2):
            self.processes.append(subprocess.Popen(
                [dask, "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1", "--no-dashboard"],
                env=env, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(self.address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = SeparateCluster(tmp_path_factory.mktemp("cluster"))
    yield started
    started.stop()


def test_a_separately_started_scheduler_gives_the_bytes_of_jobs_1(tmp_path, posts, local_run, cluster):
    # The command line in its own process, as a user runs it.
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = ("import sys, checker.runloop; checker.runloop.MIN_BLOCK_BYTES = 8 << 10\n"
            "from checker.cli import main; main(sys.argv[1:])")
    result = subprocess.run([sys.executable, "-c", code, "audit", str(posts), "--scheduler", cluster.address,
                             "--format", "jsonl", "-o", str(out)], env=env, capture_output=True, text=True,
                            timeout=600)
    assert (out.read_bytes(), result.returncode) == local_run["jsonl"], result.stderr


def test_a_worker_of_a_separate_cluster_killed_mid_run(tmp_path, posts, local_run, cluster, monkeypatch):
    killed: list[int] = []
    killing_a_worker(monkeypatch, killed)
    got = audit(tmp_path, "dask", str(posts), "--scheduler", cluster.address, "--format", "jsonl")
    assert killed and got == local_run["jsonl"]


def test_the_summary_and_exit_code_match_with_rejections(tmp_path, local_run, posts):
    lines = [json.loads(line) for line in local_run["jsonl"][0].decode().splitlines()]
    summary = lines[-1]
    assert summary["type"] == "summary" and summary["rejected"] > 0
    assert summary["read"] == summary["audited"] + summary["rejected"]
    assert local_run["jsonl"][1] == 2


def test_without_dask_the_option_says_how_to_install_it(tmp_path, posts, monkeypatch):
    for name in ("distributed", "dask", "dask.bag"):
        monkeypatch.setitem(sys.modules, name, None)
    result = CliRunner().invoke(main, ["audit", str(posts), "--scheduler", "local:2"])
    assert result.exit_code == 2
    assert "pip install 'clearlabel[dask]'" in result.stderr and "Traceback" not in result.output


def test_standard_input_cannot_go_to_a_cluster(cluster):
    result = CliRunner().invoke(main, ["audit", "-", "--scheduler", cluster.address], input="{}\n")
    assert result.exit_code == 2 and "standard input" in result.stderr


def test_audit_bag_gives_the_results_of_a_local_audit(posts):
    import dask.bag as db

    from checker.distributed import audit_bag
    from checker.engine import Auditor
    from checker.model import Post
    from checker.packs import load_ruleset
    from checker.serialize import result_to_dict
    from checker.settings import Settings

    records = [{"id": f"r{i}", "text": text, "market": ["GB"], "author": "@sam"}
               for i, text in enumerate(["Use code MAYA15 for 15% off", "#ad Loving my @lumen serum",
                                         "Sunday walk by the river", "Gifted by @brand, thank you!"] * 5)]
    records.append({"id": "nomarket", "text": "Use code MAYA15"})
    with distributed.Client(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"):
        got = audit_bag(db.from_sequence(records, npartitions=3)).compute()
    auditor = Auditor(load_ruleset(), Settings())
    expected = [result_to_dict(auditor.audit(Post(id=r["id"], text=r["text"], market=("GB",), author="@sam")))
                for r in records[:-1]]

    def judged(item: dict) -> dict:
        return {key: value for key, value in item.items() if key != "post"}

    assert [judged(item) for item in got[:-1]] == [judged(item) for item in expected]
    assert [item["post"]["text"] for item in got[:-1]] == [r["text"] for r in records[:-1]]
    assert got[-1]["type"] == "rejected" and "no market" in got[-1]["reason"]
