"""What recording in the history store costs an audit.

    python bench/history_overhead.py [--posts 100000] [--repeat 2] [--store PATH_OR_URL] [--jobs 1]

Writes that many generated posts (the captions of `tokenizer_baseline`,
500 creators, markets US and GB) to a JSONL file, then times the whole
command `clearlabel audit FILE --format jsonl --output /dev/null --fail-on
never` in a child process, once with `--no-store` and once recording in a
history store (a fresh SQLite file in a temporary directory unless --store
is given), alternating, `--repeat` times each. Prints the wall-clock and
the CPU time (user + system, of the child process) of every run, the best
of each, and the ratios (recording / not recording); the goal is at most
1.25. On a machine busy with other work the CPU times are the steadier
measure. The recorded runs accumulate in the store, as they would month
after month.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_throughput import write_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_audit(posts: Path, store: list[str], jobs: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one audit command."""
    command = [sys.executable, "-m", "checker.cli", "audit", str(posts), "--format", "jsonl",
               "--output", os.devnull, "--fail-on", "never", "--jobs", str(jobs), *store]
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--store", help="history store to record in (default: a new SQLite file)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        posts = Path(tmp) / "posts.jsonl"
        write_jsonl(posts, args.posts)
        store = args.store or str(Path(tmp) / "history.sqlite3")
        times: dict[str, list[tuple[float, float]]] = {"without recording": [], "recording": []}
        for _ in range(args.repeat):
            times["without recording"].append(timed_audit(posts, ["--no-store"], args.jobs))
            times["recording"].append(timed_audit(posts, ["--store", store], args.jobs))
        size = Path(store).stat().st_size if Path(store).is_file() else None

    print(f"posts: {args.posts:,} generated, markets US and GB, --jobs {args.jobs}; "
          f"whole `clearlabel audit` command, best of {args.repeat}")
    best = {}
    for name, measured in times.items():
        best[name] = (min(wall for wall, _ in measured), min(cpu for _, cpu in measured))
        shown = ", ".join(f"{wall:.1f}/{cpu:.1f}" for wall, cpu in measured)
        print(f"{name:<18} wall {best[name][0]:>7.1f} s   CPU {best[name][1]:>7.1f} s   (runs, wall/CPU: {shown})")
    for index, kind in enumerate(("wall-clock", "CPU")):
        ratio = best["recording"][index] / best["without recording"][index]
        print(f"ratio recording / without, {kind + ':':<11} {ratio:.3f}   (goal: at most 1.25)")
    if size is not None:
        print(f"store after {args.repeat} recorded runs: {size / 1e6:.1f} MB ({store if args.store else 'SQLite'})")


if __name__ == "__main__":
    main()
