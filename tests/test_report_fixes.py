"""What a new user tripped over in the reports: evidence found twice, a
highlight cutting "20% off" in half, the follower tier of the wrong
platform."""
from __future__ import annotations

from checker.model import Evidence, Post, PostResult, Span, Strength, Verdict
from checker.reporters.report_data import build_post_view, largest_platform, summarise, whole_words

TEXT = "Serum week, 20% off with code SAMX20 at @glowco"


def evidence(kind: str, strength: Strength, signal: str, start: int, end: int) -> Evidence:
    return Evidence(kind, strength, signal, Span("text", start, end, TEXT[start:end]))


def test_the_same_evidence_from_two_languages_is_one_item_over_whole_words():
    off = TEXT.index("% off")
    result = PostResult(Post(id="p1", text=TEXT, author="@sam.x", market=("US",)), Verdict.UNDISCLOSED, evidence=[
        evidence("cta", Strength.WEAK, "en-cta", off, off + 5),
        evidence("cta", Strength.WEAK, "pt-cta", off, off + 5),
        evidence("discount_code", Strength.STRONG, "discount-code-after-code-word",
                 TEXT.index("code"), TEXT.index("code") + 11),
    ])
    view = build_post_view(result, {})
    assert [(e.kind, e.text) for e in view.evidence] == [("cta", "20% off"), ("discount code", "code SAMX20")]
    marked = ["".join(s.text for s in view.fields[0].segments if "evidence" in s.kinds)]
    assert "20% off" in marked[0] and "E1" in [ref for s in view.fields[0].segments for ref in s.ends]
    assert not any(ref == "E3" for s in view.fields[0].segments for ref in s.ends)


def test_whole_words_widens_only_what_cuts_a_word():
    assert whole_words("20% off now", 2, 7) == (0, 7)
    assert whole_words("code MAYA15 now", 0, 11) == (0, 11)
    assert whole_words("codeword", 0, 4) == (0, 8)
    assert whole_words("a #ad b", 2, 5) == (2, 5)


def test_follower_tier_comes_from_the_largest_platform():
    posts = [
        Post(id="1", text="t", author="@a", platform="instagram", followers=40_000, posted_at="2024-01-01"),
        Post(id="2", text="t", author="@a", platform="instagram", followers=46_000, posted_at="2024-03-01"),
        Post(id="3", text="t", author="@a", platform="youtube", followers=250_000, posted_at="2024-02-01"),
        Post(id="4", text="t", author="@a", platform="youtube", followers=240_000, posted_at="2024-01-01"),
    ]
    results = [PostResult(post, Verdict.NO_EVIDENCE) for post in posts]
    assert largest_platform(results) == (250_000, "youtube")
    summary = summarise("@a", "a", results)
    assert (summary.tier, summary.followers, summary.followers_platform) == ("macro", 250_000, "youtube")
    assert largest_platform([PostResult(Post(id="5", text="t"), Verdict.NO_EVIDENCE)]) == (None, None)
