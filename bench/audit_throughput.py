"""Audit throughput against spaCy's bare tokenizer, on the same posts, in one process.

    python bench/audit_throughput.py [--posts 40000] [--repeats 3] [--memory-posts 100000 1000000]

Two sets of posts, each measured in one run:
  generated  captions from `tokenizer_baseline.generate_posts`: most carry a
             label, a code, a link or a tagged brand;
  mix        a realistic mix: a third of those, two thirds ordinary captions
             (openings, filler text, everyday hashtags, emoji) with nothing
             to find; the share the auditor actually decides without
             evidence is printed.
For each set, and for the posts of the mix with nothing to find, the rates of
  1. spaCy's default blank English tokenizer alone (the baseline);
  2. the audit of each post (`Auditor.audit`: fold, tokenize, match,
     evidence, every market's rules, verdict), for the markets US and GB;
  3. the same audit serialised to JSONL, as `clearlabel audit --format jsonl`
     writes it;
  4. whole processes over the same JSON Lines file: spaCy's bare tokenizer
     (start Python, import spaCy, read each line, tokenize its text), and
     the whole command, `clearlabel audit FILE --format jsonl --jobs 1
     --no-store` (reading, start-up and writing included).
Rates 1-3 are the best of `--repeats` passes after a warm-up (spaCy's
tokenizer caches the chunks it has seen, as in a long run); rates 4 are the
posts over the best wall time. Ratios are to rate 1 on the same posts, and
for the whole command also to the whole-process tokenizer.
Then, for each --memory-posts count, the peak memory of a child process
that streams that many posts from JSON Lines through the audit.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tokenizer_baseline import (  # noqa: E402
    _EMOJI, _FILLER, _OPENINGS, _PLACES, _PRODUCTS, LANGUAGES, bare_tokenizer_rate, generate_posts,
    posts_per_second,
)

from checker.engine import Auditor  # noqa: E402
from checker.model import Post  # noqa: E402
from checker.packs import load_ruleset  # noqa: E402
from checker.reporters.json_out import render_jsonl  # noqa: E402
from checker.settings import Settings  # noqa: E402

MARKETS = ("US", "GB")
_EVERYDAY_TAGS = ["#sunset", "#weekend", "#family", "#homemade", "#latergram", "#nofilter", "#autumn",
                  "#running", "#bookclub", "#garden", "#dogsofinstagram", "#throwback", "#travel", "#coffee"]


def generate_plain_posts(count: int, seed: int) -> list[str]:
    """Ordinary captions: no label, code, link or tagged account."""
    rng = random.Random(seed)
    posts = []
    for _ in range(count):
        language = rng.choice(LANGUAGES)
        opening = rng.choice(_OPENINGS[language]).format(handle=rng.choice(("friends", "Mum", "the dog")),
                                                          product=rng.choice(_PRODUCTS), place=rng.choice(_PLACES))
        parts = [f"{opening} {rng.choice(_EMOJI)}"]
        if rng.random() < 0.5:
            parts.append(" ".join([_FILLER[language]] * rng.randint(1, 3)))
        if rng.random() < 0.6:
            parts.append(" ".join(rng.sample(_EVERYDAY_TAGS, rng.randint(1, 6))))
        posts.append(rng.choice((" ", "\n", "\n\n")).join(parts))
    return posts


def make_posts(texts: list[str]) -> list[Post]:
    return [Post(id=f"b{i}", text=text, author=f"@creator{i % 500}", platform="instagram",
                 market=MARKETS, language="en") for i, text in enumerate(texts)]


def realistic_mix(count: int, seed: int) -> list[str]:
    sponsored = generate_posts(count // 3, seed=seed)
    plain = generate_plain_posts(count - len(sponsored), seed=seed + 1)
    mixed = sponsored + plain
    random.Random(seed).shuffle(mixed)
    return mixed


def write_jsonl(path: Path, posts: list[Post]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for post in posts:
            record = {"id": post.id, "author": post.author, "platform": post.platform, "market": list(post.market),
                      "language": post.language, "text": post.text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


_BARE_TOKENIZER_PROCESS = (
    "import json, sys, spacy\n"
    "tokenizer = spacy.blank('en').tokenizer\n"
    "with open(sys.argv[1], encoding='utf-8') as lines:\n"
    "    for line in lines:\n"
    "        tokenizer(json.loads(line)['text'])\n"
)


def whole_process_rates(posts: list[Post], repeats: int) -> tuple[float, float, float]:
    """Posts per second of wall time of two processes over the same JSON
    Lines file, the best of `repeats` runs each: spaCy's bare tokenizer
    (start Python, import spaCy, read each line and tokenize its text) and
    `clearlabel audit`; and the audit's posts per second of CPU time."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        write_jsonl(path, posts)
        audit = [sys.executable, "-m", "checker.entry", "audit", str(path), "--format", "jsonl", "--jobs", "1",
                 "--fail-on", "never", "--no-store", "-o", os.devnull]
        bare = [sys.executable, "-c", _BARE_TOKENIZER_PROCESS, str(path)]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        best = {"bare": float("inf"), "audit": float("inf"), "cpu": float("inf")}
        for _ in range(repeats):
            for name, command in (("bare", bare), ("audit", audit)):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                began = time.perf_counter()
                subprocess.run(command, check=True, env=env)
                best[name] = min(best[name], time.perf_counter() - began)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if name == "audit":
                    best["cpu"] = min(best["cpu"], after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return len(posts) / best["bare"], len(posts) / best["audit"], len(posts) / best["cpu"]


def measure(name: str, texts: list[str], auditor: Auditor, repeats: int, whole: bool) -> None:
    posts = make_posts(texts)
    bare = bare_tokenizer_rate(texts, repeats=repeats)
    audit = posts_per_second(auditor.audit, posts, repeats)
    with_json = posts_per_second(lambda post: render_jsonl(auditor.audit(post)), posts, repeats)
    print(f"\n{name}: {len(posts):,} posts, markets {','.join(MARKETS)}")
    print(f"  spaCy bare blank 'en' tokenizer  : {bare:>9,.0f} posts/s")
    print(f"  audit (post -> verdict)          : {audit:>9,.0f} posts/s   ratio {audit / bare:.3f}x")
    print(f"  audit + JSONL serialising        : {with_json:>9,.0f} posts/s   ratio {with_json / bare:.3f}x")
    if whole:
        bare_process, wall, cpu = whole_process_rates(posts, repeats)
        print(f"  whole process, bare tokenizer    : {bare_process:>9,.0f} posts/s   (start-up, import spaCy, "
              "read JSONL, tokenize)")
        print(f"  whole process, clearlabel audit  : {wall:>9,.0f} posts/s   ratio {wall / bare_process:.3f}x "
              f"to the whole-process tokenizer, {wall / bare:.3f}x to the in-process one")
        print(f"    (CPU time: {cpu:,.0f} posts/s; read, start-up, audit, write JSONL, --jobs 1)")


def streamed_peak_memory_mb(count: int) -> float:
    """Peak RSS of a child process that streams `count` posts through the
    audit: its VmHWM, which starts afresh at exec (ru_maxrss would carry
    over this process's peak from the fork)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        texts = generate_posts(min(count, 20_000), seed=7)
        with path.open("w", encoding="utf-8") as handle:
            for i in range(count):
                record = {"id": f"b{i}", "author": f"@creator{i % 500}", "platform": "instagram",
                          "market": list(MARKETS), "language": "en", "text": texts[i % len(texts)]}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        code = (
            "import resource, sys\n"
            "from checker.readers import read_posts\n"
            "from checker.engine import Auditor\n"
            "from checker.packs import load_ruleset\n"
            "from checker.settings import Settings\n"
            "from checker.reporters.json_out import render_jsonl\n"
            "auditor = Auditor(load_ruleset(), Settings())\n"
            "with open(sys.argv[2], 'w') as out:\n"
            "    for post in read_posts([sys.argv[1]]):\n"
            "        out.write(render_jsonl(auditor.audit(post)))\n"
            "try:\n"
            "    status = open('/proc/self/status').read()\n"
            "    print(int(status.split('VmHWM:')[1].split()[0]))\n"
            "except (OSError, IndexError):\n"
            "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        output = subprocess.run([sys.executable, "-c", code, str(path), str(Path(tmp) / "out.jsonl")],
                                check=True, capture_output=True, text=True, env=env).stdout
        return int(output.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-whole-command", action="store_true", help="skip timing the command as a process")
    parser.add_argument("--memory-posts", type=int, nargs="*", default=[])
    args = parser.parse_args()

    auditor = Auditor(load_ruleset(), Settings())
    measure("generated posts", generate_posts(args.posts, seed=0), auditor, args.repeats, not args.no_whole_command)
    mix = realistic_mix(args.posts, seed=1)
    quiet = [text for text, post in zip(mix, make_posts(mix))
             if auditor.analyser.nothing_to_find(auditor.analyser.scan(post))]
    measure(f"realistic mix ({len(quiet) / len(mix):.0%} decided with nothing to find)", mix, auditor,
            args.repeats, not args.no_whole_command)
    measure("the mix's posts with nothing to find", quiet, auditor, args.repeats, not args.no_whole_command)
    for count in args.memory_posts:
        print(f"peak RSS streaming {count:>9,} posts from JSONL through the audit: "
              f"{streamed_peak_memory_mb(count):,.0f} MB")
    print(f"(this process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")


if __name__ == "__main__":
    main()
