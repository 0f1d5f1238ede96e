"""Start-up: what a command costs before and around its work, against
`python -c "import spacy; spacy.blank('en')"` on the same machine.

    python bench/startup.py [--repeats 10]

Runs each command as its own process, `--repeats` rounds that interleave
the commands (so that other load hits them alike), after one warm-up round
(which also fills the cache of compiled packs, and writes clearlabel's
bytecode as installing it does, even where PYTHONDONTWRITEBYTECODE is set:
spaCy's own bytecode was written when it was installed; `--no-bytecode`
leaves it unwritten, and a checkout without it compiles every module of
clearlabel on every start). Prints, per command, the
range and the median of wall time and of CPU time (user + system), and the
median's ratio to the spaCy baseline. The drafts checked are one English
draft and one German draft.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGLISH = """---
brand: Lumen
market: GB
language: en
---
Loving my new serum from @lumen, use code LISA15 for 15% off!
"""
GERMAN = """---
brand: Nordpeak
market: DE
language: de
---
Meine neue Jacke von @nordpeak, mit dem Code MAYA10 spart ihr 10 %.
"""


def timed(command: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-bytecode", action="store_true", help="do not write clearlabel's bytecode first")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    warm_env = env if args.no_bytecode else {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    clearlabel = [sys.executable, "-m", "checker.entry"]
    with tempfile.TemporaryDirectory() as tmp:
        english, german = Path(tmp) / "en.md", Path(tmp) / "de.md"
        english.write_text(ENGLISH, encoding="utf-8")
        german.write_text(GERMAN, encoding="utf-8")
        commands = {
            "import spacy; spacy.blank('en')": [sys.executable, "-c", "import spacy; spacy.blank('en')"],
            "clearlabel --version": [*clearlabel, "--version"],
            "clearlabel --help": [*clearlabel, "--help"],
            "clearlabel check (English draft)": [*clearlabel, "check", str(english), "--fail-on", "never"],
            "clearlabel check (German draft)": [*clearlabel, "check", str(german), "--fail-on", "never"],
        }
        for command in commands.values():
            timed(command, warm_env)                    # warm-up: page cache, pack cache, bytecode
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                wall, cpu = timed(command, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    base_wall = statistics.median(walls["import spacy; spacy.blank('en')"])
    base_cpu = statistics.median(cpus["import spacy; spacy.blank('en')"])
    print(f"{args.repeats} rounds; wall and CPU seconds: min – max (median), median / spaCy baseline")
    for name in commands:
        wall, cpu = walls[name], cpus[name]
        print(f"{name:34s} wall {min(wall):5.2f} – {max(wall):5.2f} ({statistics.median(wall):5.2f}) "
              f"{statistics.median(wall) / base_wall:4.2f}x   cpu {min(cpu):5.2f} – {max(cpu):5.2f} "
              f"({statistics.median(cpu):5.2f}) {statistics.median(cpu) / base_cpu:4.2f}x")


if __name__ == "__main__":
    main()
