"""The audit engine: evidence, labels, markets and verdicts on single posts."""
from __future__ import annotations

import textwrap

import pytest

from checker.checks import ALL_HOLDS, CHECK_FUNCTIONS, CHECK_NEEDS, MarketView
from checker.engine import Auditor, UnknownMarket
from checker.model import Post, Strength, Verdict
from checker.packs import load_ruleset
from checker.rule_tests import example_post
from checker.serialize import result_to_dict
from checker.settings import Relationship, Settings


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


@pytest.fixture(scope="module")
def auditor(ruleset):
    return Auditor(ruleset, Settings())


def post(text: str, market=("US",), **fields) -> Post:
    return Post(id=fields.pop("id", "p1"), text=text, market=tuple(market), author=fields.pop("author", "@creator"), **fields)


def rules_fired(result) -> set[str]:
    return {finding.rule for finding in result.findings}


def test_discount_code_without_label_is_undisclosed(auditor):
    result = auditor.audit(post("Morning coffee ☕ use code MAYA15 for 15% off @beanbrew"))
    assert result.verdict is Verdict.UNDISCLOSED
    finding = next(f for f in result.findings if f.rule == "US-NO-LABEL")
    assert finding.market == "US" and "255.5" in finding.citation and finding.fix
    assert any("code MAYA15" in span.text for span in finding.spans)


def test_every_span_points_into_the_original_text(auditor):
    text = "＃ａｄ okay @lumaveil sent over the palette and paid me 🧡 code VELV10 at amzn.to/3xYz"
    result = auditor.audit(post(text))
    spans = [e.span for e in result.evidence if e.span] + [l.span for l in result.labels if l.span]
    spans += [s for f in result.findings for s in f.spans]
    assert spans
    for span in spans:
        assert text[span.start:span.end] == span.text


@pytest.mark.parametrize("text", [
    "Ad astra per aspera. Took the kids up to watch the Perseids.",
    "Standing where Harold fell in AD 1066, windy and muddy.",
    "Wrote code all day, fixed one bug and made three.",
    "the couch has a dress code tonight and it is sequins",
    "Issue # ad hoc meeting moved to Tuesday",
])
def test_everyday_words_are_not_evidence(auditor, text):
    assert auditor.audit(post(text, market=("US", "GB"))).verdict is Verdict.NO_EVIDENCE


def test_a_bare_brand_tag_needs_review(auditor):
    result = auditor.audit(post("Hot take: @clackworks makes the best keyboards 🔥"))
    assert result.verdict is Verdict.REVIEW
    assert rules_fired(result) == {"US-BRAND-TAG-REVIEW"}


def test_not_sponsored_cancels_paid_wording(auditor):
    result = auditor.audit(post("Not sponsored, I just love my @stridelab shoes. 400 miles and still bouncy."))
    assert result.verdict is Verdict.REVIEW


def test_charity_fundraising_is_not_a_brand_relationship(auditor):
    result = auditor.audit(post("Running 10k for @stchrishospice, please sponsor me: justgiving.com/page/pip-10k",
                                market=("GB",)))
    assert result.verdict is Verdict.NO_EVIDENCE


def test_each_market_judges_and_the_worst_verdict_wins(auditor):
    result = auditor.audit(post("Sponsored by @panforge 🍳 the casserole survived a four-hour stew.", market=("GB", "US")))
    assert result.market_verdicts == {"GB": Verdict.INADEQUATE, "US": Verdict.DISCLOSED}
    assert result.verdict is Verdict.INADEQUATE
    assert {f.market for f in result.findings} == {"GB"}


def test_platform_label_alone_passes_in_gb_not_in_us(auditor):
    flagged = dict(platform="tiktok", format="video", paid_partnership=True)
    gb = auditor.audit(post("deep clean with me @gleamly", market=("GB",), **flagged))
    us = auditor.audit(post("deep clean with me @gleamly", market=("US",), **flagged))
    assert gb.verdict is Verdict.DISCLOSED
    assert us.verdict is Verdict.INADEQUATE and "US-PLATFORM-LABEL-ONLY" in rules_fired(us)


def test_label_after_the_fold_is_inadequate(auditor):
    text = ("Iced latte at home ☕\n\nI spent August testing ratios until this one clicked: a double shot, two spoons "
            "of syrup, cinnamon and oat milk poured slowly over lots of ice so you get the layers.\n\n"
            "This post is sponsored by @brewco #ad")
    result = auditor.audit(post(text))
    assert result.verdict is Verdict.INADEQUATE
    assert "US-LABEL-BELOW-FOLD" in rules_fired(result)
    assert auditor.audit(post("#ad " + text)).verdict is Verdict.DISCLOSED


def test_story_needs_a_label_on_every_frame_in_gb(auditor):
    story = "[Frame 1] AD | brunch with @oatwhirl\n[Frame 2] the flat white 😍\n[Frame 3] code PIPPA20 at oatwhirl.co.uk"
    result = auditor.audit(post(story, market=("GB",), format="story"))
    finding = next(f for f in result.findings if f.rule == "GB-STORY-FRAMES")
    assert [span.text.split("]")[0] for span in finding.spans] == ["[Frame 2", "[Frame 3"]


def test_unknown_market_option_is_refused(ruleset):
    with pytest.raises(UnknownMarket, match="known markets"):
        Auditor(ruleset, Settings(), override_markets=("XX",))


def test_posts_are_judged_by_the_rules_in_force_on_their_date(tmp_path):
    pack = tmp_path / "zz.yml"
    pack.write_text(textwrap.dedent("""\
        pack: market-zz
        version: 1
        market:
          id: ZZ
          name: Testland
          citation: "Testland Act"
          accepted: [ad]
          rules:
            - id: ZZ-NO-LABEL-2025
              check: missing_label
              severity: error
              verdict: undisclosed
              title: No label (2025 code)
              message: No label.
              citation: "Testland Act 2025"
              fix: Add #ad.
              effective_from: 2025-10-01
              examples:
                fail: [{text: "code TEST10 for 10% off", posted_at: "2025-11-01"}]
                pass: [{text: "code TEST10 for 10% off", posted_at: "2025-09-01"}]
        """), encoding="utf-8")
    auditor = Auditor(load_ruleset([pack]), Settings())
    before = auditor.audit(post("code TEST10 for 10% off", market=("ZZ",), posted_at="2025-09-30T10:00:00Z"))
    after = auditor.audit(post("code TEST10 for 10% off", market=("ZZ",), posted_at="2025-10-02T10:00:00Z"))
    assert not before.findings
    assert after.verdict is Verdict.UNDISCLOSED
    assert "in force 2025-10-01" in after.findings[0].message


def test_disabled_rules_do_not_run(ruleset):
    auditor = Auditor(ruleset, Settings(disable_rules=("US-NO-LABEL",)))
    result = auditor.audit(post("use code MAYA15 for 15% off @beanbrew"))
    assert "US-NO-LABEL" not in rules_fired(result)


def test_check_mode_knows_the_relationship(ruleset):
    auditor = Auditor(ruleset, Settings(known_relationship=True))
    result = auditor.audit(post("Loving the new spring menu at the café 🌸"))
    assert result.verdict is Verdict.UNDISCLOSED
    assert any(e.strength is Strength.KNOWN for e in result.evidence)


def test_declared_relationship_applies_to_its_creators_and_dates(ruleset):
    deal = Relationship(brand="Glow Co", type="paid", handles=("@glowco",), creators=("@maya",),
                        date_from="2025-06-01", date_to="2025-08-31")
    auditor = Auditor(ruleset, Settings(relationships=(deal,)))
    text = "Golden hour skin with @glowco ✨"
    inside = auditor.audit(post(text, author="@maya", posted_at="2025-07-01T10:00:00Z"))
    outside = auditor.audit(post(text, author="@maya", posted_at="2025-10-01T10:00:00Z"))
    other = auditor.audit(post(text, author="@sam", posted_at="2025-07-01T10:00:00Z"))
    assert inside.verdict is Verdict.UNDISCLOSED
    assert outside.verdict is Verdict.REVIEW and other.verdict is Verdict.REVIEW


def test_audit_is_deterministic(auditor):
    text = "#gifted 🎁 @solenne.skin sent me their SPF, code GLOW10 at amzn.to/3abc"
    first = result_to_dict(auditor.audit(post(text, market=("GB", "US"))))
    second = result_to_dict(auditor.audit(post(text, market=("GB", "US"))))
    assert first == second


def test_checks_fire_only_on_what_they_declare_they_need(ruleset, auditor):
    """The engine runs a check only on a view holding something it needs
    (`CHECK_NEEDS`): on every market's view of every rule example, no check
    fires on a view that holds none of it."""
    assert set(CHECK_NEEDS) == set(CHECK_FUNCTIONS)
    assert all(0 < needs <= ALL_HOLDS for needs in CHECK_NEEDS.values())
    examples = [example_post(rule, example, index) for rule in ruleset.rules.values()
                for index, example in enumerate((*rule.failing_examples, *rule.passing_examples))]
    skipped = 0
    for example in examples:
        facts = auditor.analyser.analyse(example)
        for market in ruleset.markets.values():
            view = MarketView.build(facts, market, auditor.folds)
            for rule in market.rules:
                if not CHECK_NEEDS[rule.check] & view.holds:
                    skipped += 1
                    assert CHECK_FUNCTIONS[rule.check](view, rule.params) is None, (rule.id, example.id)
    assert skipped > 10_000

