"""Scaling over cores: `--jobs 1`, `2` and `auto`, and a local Dask cluster
with the same number of workers, on the same posts.

    python bench/scaling.py [--posts 100000] [--repeats 3] [--mix] [--no-dask] [--store]

Writes the posts to a JSON Lines file, then runs `clearlabel audit FILE
--format jsonl` as its own process once per setting in each round (rounds
interleave the settings, so that other load on the machine hits them
alike). Prints the range of wall times over the rounds, each setting's
speed-up over `--jobs 1` (best against best, and worst against worst), and
whether every output is byte for byte the output of `--jobs 1`. Runs use
`--no-store` (the audit alone) unless `--store` is given, in which case each
run is recorded in a history store in a temporary directory.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_throughput import make_posts, realistic_mix, write_jsonl  # noqa: E402
from tokenizer_baseline import generate_posts  # noqa: E402

from checker.runloop import available_cores  # noqa: E402


def run(path: Path, out: Path, extra: list[str], store: bool) -> float:
    command = [sys.executable, "-m", "checker.entry", "audit", str(path), "--format", "jsonl", "--fail-on", "never",
               "-o", str(out), *extra, *([] if store else ["--no-store"])]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           "XDG_DATA_HOME": str(path.parent / "data")}
    began = time.perf_counter()
    subprocess.run(command, check=True, env=env, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mix", action="store_true", help="the realistic mix instead of generated posts")
    parser.add_argument("--no-dask", action="store_true", help="leave out the local Dask cluster")
    parser.add_argument("--store", action="store_true", help="record every run in a (temporary) history store")
    args = parser.parse_args()

    texts = realistic_mix(args.posts, seed=1) if args.mix else generate_posts(args.posts, seed=0)
    settings = {"--jobs 1": ["--jobs", "1"], "--jobs 2": ["--jobs", "2"], "--jobs auto": ["--jobs", "auto"]}
    if not args.no_dask:
        try:
            import distributed  # noqa: F401
            settings["--scheduler local:2"] = ["--scheduler", "local:2"]
        except ImportError:
            print("(Dask is not installed: pip install 'clearlabel[dask]' to include it)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        write_jsonl(path, make_posts(texts))
        size = path.stat().st_size
        print(f"{len(texts):,} {'mixed' if args.mix else 'generated'} posts, {size / 2**20:,.1f} MiB of JSON Lines; "
              f"{available_cores()} cores available (auto uses them all above 2 MiB); "
              f"{'recorded in a history store' if args.store else 'no history store'}")
        times: dict[str, list[float]] = {name: [] for name in settings}
        identical = True
        for _ in range(args.repeats):
            for name, extra in settings.items():
                out = Path(tmp) / f"{name.replace(' ', '_')}.jsonl"
                times[name].append(run(path, out, extra, args.store))
                identical = identical and filecmp.cmp(out, Path(tmp) / "--jobs_1.jsonl", shallow=False)
        one = times["--jobs 1"]
        for name, spent in times.items():
            print(f"{name:22s} {min(spent):7.1f} – {max(spent):7.1f} s   "
                  f"{len(texts) / min(spent):8,.0f} posts/s at best   "
                  f"speed-up {min(one) / min(spent):4.2f}x (best), {max(one) / max(spent):4.2f}x (worst)")
        print(f"every output byte-identical to --jobs 1: {'yes' if identical else 'NO'}")


if __name__ == "__main__":
    main()
