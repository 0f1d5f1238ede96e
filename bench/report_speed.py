"""How long the reports take for a large audit, against the audit itself.

Generates posts for (by default) 1,000 influencers with 100 posts each, audits
them for GB and US (timed), then times `write_reports` (HTML, Markdown and
CSV) on those results into a temporary directory, and prints both with their
ratio: rendering should cost less than auditing the same posts. With
--synthetic, hand-built results replace the audit (rendering only).

    python bench/report_speed.py [--influencers 1000] [--posts 100] [--jobs 1] [--synthetic] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tokenizer_baseline import generate_posts  # noqa: E402

from checker.engine import Auditor  # noqa: E402
from checker.packs import load_ruleset  # noqa: E402
from checker.settings import Settings  # noqa: E402

from checker.model import (  # noqa: E402
    Evidence, Finding, Label, LabelStatus, Post, PostResult, RuleInfo, Severity, Span, Strength, Verdict,
)
from checker.reporters.html import write_reports  # noqa: E402

PLATFORMS = ("instagram", "tiktok", "youtube", "x")
MARKETS = (("GB",), ("US",), ("DE",), ("GB", "US"), ("FR",))
FILLER = (
    "Long run along the river this morning, legs are done but the views were worth it. "
    "Tell me your favourite route below and I will try it next weekend!"
)
# Share of each verdict among the synthetic posts.
MIX = (
    (Verdict.UNDISCLOSED, 0.15), (Verdict.INADEQUATE, 0.10), (Verdict.REVIEW, 0.10),
    (Verdict.DISCLOSED, 0.25), (Verdict.NO_EVIDENCE, 0.40),
)
RULES = {
    f"{market}-{kind}": RuleInfo(
        id=f"{market}-{kind}", title=f"{kind.replace('-', ' ').capitalize()} ({market})",
        severity=Severity.ERROR, market=market, verdict=verdict,
        message="Commercial content needs a clear label.", citation=f"{market} advertising code, section 2",
        fix="Put #ad at the start of the caption.", pack=f"{market.lower()}@1.0",
    )
    for market in ("GB", "US", "DE", "FR")
    for kind, verdict in (("undisclosed", Verdict.UNDISCLOSED), ("ambiguous", Verdict.INADEQUATE),
                          ("brand-tag", Verdict.REVIEW))
}


def _span(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span("text", start, start + len(needle), needle)


def synthetic_result(rng: random.Random, author: str, serial: int, number: int, followers: int) -> PostResult:
    verdict = rng.choices([v for v, _ in MIX], [w for _, w in MIX])[0]
    markets = rng.choice(MARKETS)
    code = f"CODE{number % 97}"
    brand = f"@brand{number % 50}"
    label = "#ad " if verdict is Verdict.DISCLOSED else "#sp " if verdict is Verdict.INADEQUATE else ""
    if verdict is Verdict.NO_EVIDENCE:
        text = FILLER
    elif verdict is Verdict.REVIEW:
        text = f"{FILLER} Thanks {brand}!"
    else:
        text = f"{label}Loving my new kit from {brand} 🏃 Use {code} for 15% off. {FILLER}"
    post = Post(
        id=f"{serial:012d}", author=author, platform=rng.choice(PLATFORMS), format="post", text=text,
        market=markets, language="en", followers=followers,
        posted_at=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
        url=f"https://social.example/{author}/{number}",
    )
    evidence, labels, findings = [], [], []
    if verdict is not Verdict.NO_EVIDENCE:
        evidence.append(Evidence("brand_mention", Strength.WEAK, "mention", _span(text, brand), brand))
    if verdict in (Verdict.UNDISCLOSED, Verdict.INADEQUATE, Verdict.DISCLOSED):
        evidence.append(Evidence("discount_code", Strength.STRONG, "code", _span(text, f"Use {code}"), code))
    if label:
        status = LabelStatus.ACCEPTED if verdict is Verdict.DISCLOSED else LabelStatus.AMBIGUOUS
        labels.extend(Label(m, status, label.strip("# "), _span(text, label.strip())) for m in markets)
    kind = {Verdict.UNDISCLOSED: "undisclosed", Verdict.INADEQUATE: "ambiguous", Verdict.REVIEW: "brand-tag"}
    if verdict in kind:
        for market in markets:
            rule = RULES.get(f"{market}-{kind[verdict]}")
            if rule:
                spans = (_span(text, code if verdict is Verdict.UNDISCLOSED else label.strip() or brand),)
                findings.append(Finding(rule.id, rule.severity, market, verdict, rule.message, rule.citation,
                                        rule.fix, spans, rule.pack))
    return PostResult(post, verdict, {m: verdict for m in markets}, findings, evidence, labels)


def build(influencers: int, posts: int, seed: int = 7) -> list[PostResult]:
    rng = random.Random(seed)
    results = []
    for index in range(influencers):
        author = f"@creator{index:04d}"
        followers = int(10 ** rng.uniform(2.5, 6.5))
        results.extend(synthetic_result(rng, author, index * posts + n, n, followers) for n in range(posts))
    return results


def audited(influencers: int, posts: int, seed: int = 7) -> tuple[list[PostResult], float, dict]:
    """Real audit results for generated posts, and the CPU seconds the audit took."""
    rng = random.Random(seed)
    texts = generate_posts(influencers * posts, seed)
    items = []
    for index in range(influencers):
        author, followers = f"@creator{index:04d}", int(10 ** rng.uniform(2.5, 6.5))
        for n in range(posts):
            items.append(Post(id=f"{index * posts + n:012d}", author=author, platform=rng.choice(PLATFORMS),
                              text=texts[index * posts + n], market=("GB", "US"), language="en", followers=followers,
                              posted_at=f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z"))
    ruleset = load_ruleset()
    auditor = Auditor(ruleset, Settings())
    auditor.audit(items[0])
    cpu_before = _cpu_seconds()
    results = [auditor.audit(post) for post in items]
    return results, _cpu_seconds() - cpu_before, ruleset.rule_infos()


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers: unlike wall time,
    it does not grow when other programs share the machine."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--influencers", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=100, help="posts per influencer")
    parser.add_argument("--keep", type=Path, help="write the reports here and keep them")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for the influencer pages")
    parser.add_argument("--synthetic", action="store_true", help="hand-built results instead of auditing posts")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.synthetic:
        results, audit_cpu, rules = build(args.influencers, args.posts), None, RULES
    else:
        results, audit_cpu, rules = audited(args.influencers, args.posts)
    built = time.perf_counter() - started

    out = args.keep or Path(tempfile.mkdtemp(prefix="clearlabel-bench-"))
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    index = write_reports(results, out, rules=rules, packs=sorted({r.pack for r in rules.values()}),
                          tool_version="bench", audit_date="2024-12-31", jobs=args.jobs)
    rendered = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    size = sum(path.stat().st_size for path in index.files)
    if args.keep is None:
        shutil.rmtree(out)

    total = len(results)
    print(f"posts: {total:,} ({args.influencers:,} influencers x {args.posts:,})")
    print(f"{'build synthetic results' if args.synthetic else 'generate and audit posts (GB, US)'}: {built:.2f} s")
    if audit_cpu is not None:
        print(f"audit CPU time: {audit_cpu:.2f} s ({total / audit_cpu:,.0f} posts per CPU second)")
    print(f"render reports with {args.jobs} job(s): {rendered:.2f} s ({total / rendered:,.0f} posts/s, "
          f"{len(index.files):,} files, {size / 1e6:,.1f} MB)")
    print(f"render CPU time, all processes: {cpu:.2f} s ({total / cpu:,.0f} posts per CPU second)")
    if audit_cpu is not None:
        print(f"render / audit CPU time: {cpu / audit_cpu:.2f} (below 1: rendering costs less than auditing)")


if __name__ == "__main__":
    main()
