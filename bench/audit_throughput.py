"""Full-audit throughput against spaCy's bare tokenizer, and peak memory.

    python bench/audit_throughput.py [--posts 100000] [--memory-posts 100000 1000000]

Times, in one process and on the same generated posts, each the best of
three passes after a warm-up (`tokenizer_baseline.posts_per_second`):
  1. spaCy's default blank English tokenizer alone (the baseline);
  2. the full audit of each post (fold, tokenize, match, evidence, every
     market's rules, verdict) for the markets US and GB;
  3. the same audit serialised to JSONL, as `clearlabel audit --format jsonl`
     writes it.
Then, for each --memory-posts count, streams that many posts from a JSONL
file through `read_posts` -> audit -> JSONL in a child process and prints
its peak resident memory, to show memory does not grow with input size.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tokenizer_baseline import bare_tokenizer_rate, generate_posts, posts_per_second  # noqa: E402

from checker.engine import Auditor  # noqa: E402
from checker.model import Post  # noqa: E402
from checker.packs import load_ruleset  # noqa: E402
from checker.serialize import result_to_dict  # noqa: E402
from checker.settings import Settings  # noqa: E402

MARKETS = ("US", "GB")


def make_posts(texts: list[str]) -> list[Post]:
    return [Post(id=f"b{i}", text=text, author=f"@creator{i % 500}", platform="instagram",
                 market=MARKETS, language="en") for i, text in enumerate(texts)]


def audit_rate(posts: list[Post], serialise: bool) -> float:
    """Posts per second, measured like the bare tokenizer: after a warm-up
    pass over the first thousand posts, the best of three passes."""
    auditor = Auditor(load_ruleset(), Settings())
    if serialise:
        return posts_per_second(lambda post: json.dumps(result_to_dict(auditor.audit(post)), ensure_ascii=False), posts)
    return posts_per_second(auditor.audit, posts)


def write_jsonl(path: Path, count: int) -> None:
    texts = generate_posts(min(count, 20_000), seed=7)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            record = {"id": f"m{i}", "author": f"@creator{i % 500}", "platform": "instagram", "market": list(MARKETS),
                      "language": "en", "text": texts[i % len(texts)]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def streamed_peak_memory_mb(count: int) -> float:
    """Peak RSS of a child process that streams `count` posts through the audit."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        write_jsonl(path, count)
        code = (
            "import json, resource, sys\n"
            "from checker.readers import read_posts\n"
            "from checker.engine import Auditor\n"
            "from checker.packs import load_ruleset\n"
            "from checker.settings import Settings\n"
            "from checker.serialize import result_to_dict\n"
            "auditor = Auditor(load_ruleset(), Settings())\n"
            "with open(sys.argv[2], 'w') as out:\n"
            "    for post in read_posts([sys.argv[1]]):\n"
            "        out.write(json.dumps(result_to_dict(auditor.audit(post))) + '\\n')\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        output = subprocess.run([sys.executable, "-c", code, str(path), str(Path(tmp) / "out.jsonl")],
                                check=True, capture_output=True, text=True, env=env).stdout
        return int(output.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--memory-posts", type=int, nargs="*", default=[100_000, 1_000_000])
    args = parser.parse_args()

    texts = generate_posts(args.posts, seed=0)
    posts = make_posts(texts)
    bare = bare_tokenizer_rate(texts)
    full = audit_rate(posts, serialise=False)
    with_json = audit_rate(posts, serialise=True)
    print(f"posts: {len(texts):,} generated captions, markets {','.join(MARKETS)}, one process")
    print(f"spaCy bare blank 'en' tokenizer : {bare:>10,.0f} posts/s")
    print(f"full audit (post -> verdict)    : {full:>10,.0f} posts/s   ratio {full / bare:.2f}x")
    print(f"full audit + JSONL serialising  : {with_json:>10,.0f} posts/s   ratio {with_json / bare:.2f}x")
    for count in args.memory_posts:
        print(f"peak RSS streaming {count:>9,} posts from JSONL through the audit: "
              f"{streamed_peak_memory_mb(count):,.0f} MB")
    print(f"(this process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")


if __name__ == "__main__":
    main()
