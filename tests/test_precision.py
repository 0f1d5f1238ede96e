"""Precision on what people write when nothing is being sold.

`tests/fixtures/everyday/everyday.jsonl` holds several hundred ordinary posts
in every supported language (replies, retweets, birthdays, gyms, charities,
politics, fan talk, complaints, photo credits …): at most 0.5% may be
flagged and at most 5% sent to review. `creator-fine.jsonl` holds creators'
personal posts, correctly labelled ads and shops posting on their own
accounts: none may be flagged. The fixtures were written for the project and
describe themselves in their README.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from checker.engine import Auditor
from checker.model import Rejected, Verdict
from checker.packs import load_ruleset
from checker.readers import read_posts
from checker.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "everyday"
FLAGGED = (Verdict.UNDISCLOSED, Verdict.INADEQUATE)


def _verdicts(name: str) -> list[tuple[str, Verdict]]:
    auditor = Auditor(load_ruleset(), Settings())
    results = []
    for item in read_posts([str(FIXTURES / name)]):
        assert not isinstance(item, Rejected), item
        results.append((item.id, auditor.audit(item).verdict))
    return results


@pytest.fixture(scope="module")
def everyday():
    return _verdicts("everyday.jsonl")


def test_the_everyday_set_covers_every_language_we_support(everyday):
    languages = Counter(post_id.split("-")[1] for post_id, _ in everyday)
    assert set(languages) >= {"en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "no", "fi", "pl"}
    assert len(everyday) >= 300


def test_ordinary_posts_are_almost_never_flagged(everyday):
    flagged = [post_id for post_id, verdict in everyday if verdict in FLAGGED]
    assert len(flagged) <= 0.005 * len(everyday), flagged


def test_ordinary_posts_rarely_go_to_review(everyday):
    review = [post_id for post_id, verdict in everyday if verdict is Verdict.REVIEW]
    assert len(review) <= 0.05 * len(everyday), review


def test_creators_personal_posts_labelled_ads_and_shops_are_not_flagged():
    flagged = [post_id for post_id, verdict in _verdicts("creator-fine.jsonl") if verdict in FLAGGED]
    assert not flagged
