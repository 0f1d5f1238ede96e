"""Properties of the audit for any text a stranger can write.

- Any Unicode string (lone surrogates included) as a post never crashes the
  audit, and every span lies inside the original text and equals it.
- Adding an accepted label ("#ad ") at the very start of a post that has
  strong evidence never makes its verdict worse, in the US or in GB.
- The audit is deterministic: the same input gives byte-identical JSON Lines,
  also with --jobs 2.
- A post's cost grows linearly with its length, whatever its shape: posts
  stuffed with labels, mentions, frames, negations or emoji once took minutes.
"""
from __future__ import annotations

import json
import sys
from functools import cache

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.engine import Auditor
from checker.model import Post, Strength, TEXT_FIELDS
from checker.packs import load_ruleset
from checker.settings import Settings

MARKETS = ("US", "GB", "DE", "ES")


@cache
def auditor() -> Auditor:
    return Auditor(load_ruleset(), Settings(), override_markets=MARKETS)


# Pieces that exercise the folds, the tokenizer and the rules, mixed with
# arbitrary characters (surrogates too, which st.characters leaves out).
FRAGMENTS = [
    "#ad", "#a\u200bd", "＃ａｄ", "#\u0430d", "# a d", "C O D E", "#\U0001d41a\U0001d41d", "#\U0001f170\U0001f173",
    "a\u0336d\u0336", "Ad:", "AD |", "Paid\npartnership", "sponsored by", "#sponsored", "#gifted", "#collab", "#sp",
    "Werbung", "Anzeige", "publicidad", "#publi", "code MAYA15", "use code SAVE-20", "amzn.to/3AbCdEf",
    "bit.ly/x", "https://shop.example/p?utm_medium=influencer", "link in bio", "link in b!o", "@glowco",
    "@maya", "#glowco", "not sponsored", "[Frame 1]", "[Frame 2]", "thanks @brand for sending", "gifted by",
    "\n", "\n\n", "\r\n", " ", "  ", "\t", "😀", "👩\u200d💻", "🇬🇧", "é", "e\u0301", "\u202e", "\u2028", "\x00",
    "\ufeff", "\u00ad", "ℌ", "ß", "İ", "ﬁ", "\U0001d7d8", "...", "!!", "#", "@", "a" * 70, "!" * 70,
]
PIECE = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(st.characters(), max_size=8),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2),
)
POST_TEXT = st.lists(PIECE, max_size=25).map(" ".join)
FIELDS = st.fixed_dictionaries({}, optional={name: POST_TEXT for name in TEXT_FIELDS})
POST = st.builds(
    lambda fields, platform, fmt, paid, language: Post(
        id="p", text=fields.get("text", ""), title=fields.get("title"), transcript=fields.get("transcript"),
        on_screen_text=fields.get("on_screen_text"), platform=platform, format=fmt, paid_partnership=paid,
        language=language, author="maya"),
    FIELDS,
    st.sampled_from(["instagram", "tiktok", "youtube", "x", "other"]),
    st.sampled_from(["post", "story", "reel", "video", "live"]),
    st.booleans(),
    st.sampled_from([None, "en", "de", "es"]),
)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _spans(result):
    for finding in result.findings:
        yield from finding.spans
    yield from (e.span for e in result.evidence if e.span)
    yield from (label.span for label in result.labels if label.span)


@FAST
@given(POST)
def test_any_text_is_audited_and_every_span_is_the_original_text(post):
    result = auditor().audit(post)
    assert set(result.market_verdicts) == set(MARKETS)
    assert result.verdict == max(result.market_verdicts.values(), key=lambda v: v.rank)
    for span in _spans(result):
        text = post.field_text(span.field)
        assert 0 <= span.start <= span.end <= len(text)
        assert text[span.start:span.end] == span.text


@FAST
@given(st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=300))
def test_any_unicode_string_as_the_whole_post(text):
    result = auditor().audit(Post(id="p", text=text))
    for span in _spans(result):
        assert text[span.start:span.end] == span.text


STRONG = ["code MAYA15", "use code SAVE-20 at checkout", "amzn.to/3AbCdEf", "bit.ly/glow", "thanks @glowco for the gifted serum",
          "https://shop.example/p?utm_medium=influencer", "i work at @glowco"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.sampled_from(STRONG), POST_TEXT, st.integers(min_value=0, max_value=25),
       st.sampled_from(["instagram", "tiktok", "youtube", "other"]), st.sampled_from(["post", "reel", "video"]))
def test_an_accepted_label_at_the_start_never_makes_a_verdict_worse(evidence, rest, at, platform, fmt):
    words = rest.split(" ")
    text = " ".join([*words[:at], evidence, *words[at:]])
    before = auditor().audit(Post(id="p", text=text, platform=platform, format=fmt))
    assume(any(e.strength is not Strength.WEAK for e in before.evidence))
    after = auditor().audit(Post(id="p", text="#ad " + text, platform=platform, format=fmt))
    for market in ("US", "GB"):
        assert after.market_verdicts[market].rank <= before.market_verdicts[market].rank, (
            market, before.market_verdicts[market], after.market_verdicts[market],
            [f.rule for f in after.findings if f.market == market])


# --------------------------------------------------------------------------- determinism

@pytest.fixture(scope="module")
def varied_export(tmp_path_factory):
    """300 varied posts: two of the chunks that --jobs hands out (256 posts each)."""
    import random
    chooser = random.Random(20261128)
    lines = []
    for index in range(300):
        pieces = [chooser.choice(FRAGMENTS) for _ in range(chooser.randint(1, 12))]
        lines.append(json.dumps({"id": f"p{index}", "author": chooser.choice(["maya", "leo", "ana"]),
                                 "platform": chooser.choice(["instagram", "tiktok", "youtube"]),
                                 "market": chooser.sample(["US", "GB", "DE", "FR"], 2),
                                 "text": f"post {index}: " + " ".join(pieces)}))
    path = tmp_path_factory.mktemp("det") / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_audit_is_deterministic_also_across_worker_processes(varied_export):
    def run(*extra):
        result = CliRunner().invoke(main, ["audit", str(varied_export), "--format", "jsonl", "--fail-on", "never",
                                           *extra], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout_bytes

    first, second, parallel = run(), run(), run("--jobs", "2")
    assert first == second
    assert first == parallel
    assert len(first.splitlines()) == 301


# --------------------------------------------------------------------------- cost grows linearly

SHAPES = {
    "label stuffing": "#ad ",
    "labels beside mentions": "#ad @x{i} ",
    "hashtags spelling mentions": "#glowco{i} @glowco{i} ",
    "negations beside codes": "not sponsored code MAYA{i}5 ",
    "frames": "[Frame {i}] #ad x ",
    "trailing hashtag cluster": "#ad #tag{i} ",
    "labels after the fold": "\n#ad ",
    "emoji without spaces": "😀",
    "punctuation without spaces": "!?",
    "hashtags without spaces": "#a",
    "homoglyph labels": "#\u0430d ",
}


def _operations(unit: str, size: int) -> int:
    """The Python calls (and calls into C) an audit of a post of about `size`
    characters of `unit` makes: a count that does not depend on how busy the
    machine is, unlike its time (timings are in bench/)."""
    text = "intro " + "".join(unit.format(i=i) for i in range(size // len(unit.format(i=1))))
    post = Post(id="x", text=text, platform="instagram", format="story", transcript=text[:2000])
    audit = auditor().audit
    audit(post)                       # caches filled, so both sizes are counted warm
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        audit(post)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_cost_grows_linearly_with_the_length_of_a_post(shape):
    small = _operations(SHAPES[shape], 15_000)
    large = _operations(SHAPES[shape], 60_000)
    # Four times the text: about four times the calls when linear, sixteen when quadratic.
    assert large < 6 * small + 1_000, (shape, small, large)
