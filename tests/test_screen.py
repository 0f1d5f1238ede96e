"""The screen that decides posts with nothing to find without tokenizing
them (`checker.screen`): it must never change a result, and it must decide
the everyday posts it was built for."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from checker import evidence
from checker.engine import Auditor
from checker.model import Post
from checker.readers import read_posts
from checker.serialize import result_to_dict
from checker.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from tokenizer_baseline import generate_posts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT.parent / "shared" / "corpus" / "dev.jsonl", ROOT.parent / "shared" / "corpus" / "rulings-public.jsonl",
           ROOT / "tests" / "fixtures" / "everyday" / "everyday.jsonl",
           ROOT / "tests" / "fixtures" / "everyday" / "creator-fine.jsonl"]


@pytest.fixture(scope="module")
def ruleset():
    from checker.packs import load_ruleset
    return load_ruleset()


@pytest.fixture
def auditor(ruleset):
    """An auditor that has scanned enough posts to build its screen."""
    auditor = Auditor(ruleset, Settings(markets=("GB", "DE")))
    warm(auditor)
    return auditor


def warm(auditor: Auditor) -> None:
    for number in range(evidence.SCREEN_AFTER):
        auditor.audit(Post(id=f"w{number}", text=f"warming up {number}", market=("GB",)))


def texts_of_corpora() -> list[str]:
    paths = [path for path in CORPORA if path.exists()]
    assert paths, "no corpus to read"
    return [post.text for post in read_posts([str(p) for p in paths]) if isinstance(post, Post) and post.text]


def post(text: str, number: int = 0, language: str | None = "en") -> Post:
    return Post(id=f"s{number}", text=text, author="@someone", market=("GB", "DE"), language=language)


def is_quiet(auditor: Auditor, item: Post) -> bool:
    return auditor.analyser.quiet(item, auditor.analyser.fold(item))


def test_posts_made_of_known_chunks_get_the_result_of_a_full_audit(auditor):
    """Every chunk of the corpora is learned, then posts are made of those
    chunks in new orders: words of a phrase or a pattern that were learned
    apart meet again, and the screen must send such posts to the matchers."""
    texts = texts_of_corpora()
    for number, text in enumerate(texts):
        auditor.audit(post(text, number))
    chunks = [chunk for text in texts for chunk in text.split() if "@" not in chunk]
    handles = [chunk for text in texts for chunk in text.split() if "@" in chunk]
    # Chunks never seen: the screen tokenizes a few of them on its own.
    unseen = [chunk for text in generate_posts(400, seed=99) for chunk in text.split()]
    rng = random.Random(5)
    screened = matched = 0
    for number in range(2500):
        words = rng.sample(chunks, rng.randint(2, 30)) + rng.sample(unseen, rng.choice((0, 0, 1, 2, 4, 6)))
        words += rng.sample(handles, rng.choice((0, 0, 1, 2)))
        rng.shuffle(words)
        text = "".join(word + rng.choice((" ", " ", " ", "\n", "\n\n")) for word in words).strip()
        item = post(text, number, language=rng.choice(("en", "de", "fr", None)))
        quiet = is_quiet(auditor, item)
        screened += quiet
        full = result_to_dict(auditor.audit_in_full(item))
        assert result_to_dict(auditor.audit(item)) == full, text
        if quiet:
            assert full["verdict"] == "no_evidence" and not full["labels"] and not full["evidence"], text
        else:
            matched += 1
    assert screened > 100 and matched > 100          # both ways are taken


def test_a_screened_post_is_not_tokenized(auditor, monkeypatch):
    auditor.audit(post("Sunday walk by the river, the light was lovely"))
    auditor.audit(post("Lovely light this morning"))

    def no_tokenizing(*args):
        raise AssertionError("tokenized a post the screen knows")

    monkeypatch.setattr(evidence, "make_doc", no_tokenizing)
    result = auditor.audit(post("the light was lovely this Sunday morning by the river,"))
    assert result.verdict.value == "no_evidence"


def test_words_of_a_label_or_a_code_learned_apart_are_found_together(auditor):
    for number, text in enumerate(["Paid", "partnership", "with", "friends", "Use", "code", "MAYA15", "at", "checkout",
                                   "Love this", "dress", "@zara"]):
        auditor.audit(post(text, number))
        assert auditor.audit(post(text, number)).verdict.value == "no_evidence"
    labelled = auditor.audit(post("Paid partnership with friends"))
    assert not is_quiet(auditor, post("Paid partnership with friends"))
    assert {label.label for label in labelled.labels} == {"paid-partnership"}
    assert not is_quiet(auditor, post("Use code MAYA15 at checkout"))
    coded = auditor.audit(post("Use code MAYA15 at checkout"))
    assert coded.verdict.value == "undisclosed" and [e.kind for e in coded.evidence] == ["discount_code"]
    # Promotional words matter once there is an @mention they can make a brand tag.
    assert not is_quiet(auditor, post("Love this dress @zara"))
    assert auditor.audit(post("Love this dress @zara")).verdict.value == "review"


def test_a_short_run_builds_no_screen(ruleset):
    auditor = Auditor(ruleset, Settings(markets=("GB",)))
    for number in range(3):
        auditor.audit(post("a quiet day", number))
    assert not is_quiet(auditor, post("a quiet day")) and not auditor.analyser._screens


def test_what_the_screen_does_not_know_goes_to_the_matchers(auditor):
    auditor.audit(post("a quiet day"))
    assert is_quiet(auditor, post("a quiet day"))
    assert not is_quiet(auditor, post("a quiet sponsored day"))      # a chunk never seen, tokenized alone
    assert is_quiet(auditor, post("a quiet Tuesday"))                 # likewise, and learned
    assert auditor.analyser._screens["en"].chunks["Tuesday"] == frozenset()
    assert not is_quiet(auditor, post("one, two, three, four"))       # too many never seen
    auditor.audit(post("a quiet day with @friend"))
    assert is_quiet(auditor, post("a quiet day with @friend"))
    assert not is_quiet(auditor, post("a quiet day with @friend #day"))     # a tag may spell a hashtag
    assert not is_quiet(auditor, post("a quiet " + "d" * 100))        # too long to remember


def test_a_post_with_outside_evidence_is_not_screened(ruleset):
    for settings, item in [
        (Settings(known_relationship=True), Post(id="q", text="a quiet day", market=("GB",))),
        (Settings(brands=("@riverco",)), Post(id="q", text="a quiet day", market=("GB",))),
        (Settings(), Post(id="p", text="a quiet day", market=("GB",), paid_partnership=True)),
        (Settings(), Post(id="b", text="a quiet day", market=("GB",), author="@oakandcrumb.bakery")),
    ]:
        auditor = Auditor(ruleset, settings)
        warm(auditor)
        auditor.audit(Post(id="learn", text="a quiet day", market=("GB",)))
        assert not is_quiet(auditor, item)
        assert result_to_dict(auditor.audit(item)) == result_to_dict(auditor.audit_in_full(item))


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "it", "nl", "sv", "da", "nb", "fi", "pl", "pt", "xx"])
def test_a_chunk_of_letters_is_one_token_unless_the_tokenizer_has_a_special_case(language):
    """What the screen assumes of a chunk it has not seen (`quiet`)."""
    from checker.nlp import get_pipeline, make_doc

    nlp = get_pipeline(language)
    special = set(nlp.tokenizer.rules)
    words = {chunk for text in texts_of_corpora() for chunk in text.split() if chunk.isalpha()}
    words |= {"cannot", "Gonna", "CANNOT", "zum", "Hörru", "naïve", "ÉTÉ", "straße"}
    assert len(words) > 2000
    for word in sorted(words):
        tokens = [token.text for token in make_doc(nlp, word)]
        assert tokens == [word] or word in special, (word, tokens)
