"""The social tokenizer: hashtags, mentions, links, codes and emoji stay whole."""
from __future__ import annotations

import pickle

import pytest
from spacy.tokenizer import Tokenizer

from checker.nlp import get_pipeline, make_doc

# (language, text, expected tokens)
TOKENS = [
    ("en", "#ad! @brand, amzn.to/x.", ["#ad", "!", "@brand", ",", "amzn.to/x", "."]),
    ("en", "Ad: loved it (Ad) [AD]", ["Ad", ":", "loved", "it", "(", "Ad", ")", "[", "AD", "]"]),
    ("en", "Issue # ad hoc", ["Issue", "#", "ad", "hoc"]),
    ("en", "Use code MAYA15 or SAVE-20 today!", ["Use", "code", "MAYA15", "or", "SAVE-20", "today", "!"]),
    ("en", "amazon.com/dp/B08KQ2RZ7M?tag=petraplants-20",
     ["amazon.com/dp/B08KQ2RZ7M?tag=petraplants-20"]),
    ("en", "https://bit.ly/x, shopmy.us/collections/123 go.magik.ly/ml/abc",
     ["https://bit.ly/x", ",", "shopmy.us/collections/123", "go.magik.ly/ml/abc"]),
    ("en", "(amzn.to/3xYz) rstyle.me/+abc www.brand.shop/x.",
     ["(", "amzn.to/3xYz", ")", "rstyle.me/+abc", "www.brand.shop/x", "."]),
    ("en", "@brand.name's #gifted", ["@brand.name", "'s", "#gifted"]),
    ("en", "write to me@example.com.", ["write", "to", "me@example.com", "."]),
    ("en", "🏃🏽\u200d♀️👩\u200d👩\u200d👧🇩🇪❤️\u200d🔥",
     ["🏃🏽\u200d♀️", "👩\u200d👩\u200d👧", "🇩🇪", "❤️\u200d🔥"]),
    ("en", "love it🔥🔥 #love🔥 ⭐️wow 1️⃣ #️⃣",
     ["love", "it", "🔥", "🔥", "#love", "🔥", "⭐️", "wow", "1️⃣", "#️⃣"]),
    ("en", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f 👍🏻",
     ["🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "👍🏻"]),
    ("en", "#ad#sponsored word#tag ##ad", ["#ad", "#sponsored", "word", "#tag", "#", "#ad"]),
    ("en", "\"#ad\" «#ad» #ad… Paid|@brand",
     ['"', "#ad", '"', "«", "#ad", "»", "#ad", "…", "Paid", "|", "@brand"]),
    ("en", "sentence.It ended", ["sentence", ".", "It", "ended"]),
    ("de", "[Werbung] #Werbung: Code LISA10 spart 10 %.",
     ["[", "Werbung", "]", "#Werbung", ":", "Code", "LISA10", "spart", "10", "%", "."]),
    ("de", "Werbung | @laufwerk.sport 🏃\u200d♀️💨",
     ["Werbung", "|", "@laufwerk.sport", "🏃\u200d♀️", "💨"]),
    ("fr", "#produitreçu @panforge.fr, l'avis d’Anne #sponsorisé!",
     ["#produitreçu", "@panforge.fr", ",", "l'", "avis", "d’", "Anne", "#sponsorisé", "!"]),
    ("fr", "Aujourd'hui, qu'en pense-t-on ? Collaboration commerciale",
     ["Aujourd'hui", ",", "qu'", "en", "pense", "-t", "-on", "?", "Collaboration", "commerciale"]),
    ("fr", "Le code CAMILLE15 👉 amazon.fr/dp/B0C7K2NQ4X?tag=lucastech-21",
     ["Le", "code", "CAMILLE15", "👉", "amazon.fr/dp/B0C7K2NQ4X?tag=lucastech-21"]),
    ("it", "#adv ✨ codice GIULIA10 per il 10%",
     ["#adv", "✨", "codice", "GIULIA10", "per", "il", "10", "%"]),
    ("it", "#pubblicità @lumaveil💄", ["#pubblicità", "@lumaveil", "💄"]),
    ("es", "¡#publicidad! Usa el código ANA-15.",
     ["¡", "#publicidad", "!", "Usa", "el", "código", "ANA-15", "."]),
    ("pl", "[REKLAMA] Płatna współpraca z @kawazorza ☕",
     ["[", "REKLAMA", "]", "Płatna", "współpraca", "z", "@kawazorza", "☕"]),
    ("da", "Reklame for @nordlys.lamps | #annonce", ["Reklame", "for", "@nordlys.lamps", "|", "#annonce"]),
    ("no", "Annonse: @fjellsyn.lodge 🏔️", ["Annonse", ":", "@fjellsyn.lodge", "🏔️"]),
    ("fi", "Koodilla AINO15 saat 15 % alennusta @kahvila.kuu",
     ["Koodilla", "AINO15", "saat", "15", "%", "alennusta", "@kahvila.kuu"]),
    ("pt", "#publi 🫶🏼 cupom BIA20", ["#publi", "🫶🏼", "cupom", "BIA20"]),
    ("sv", "#reklam för @brand.se!", ["#reklam", "för", "@brand.se", "!"]),
    (None, "#реклама @бренд 🔥", ["#реклама", "@бренд", "🔥"]),
    ("ja", "#PR @brand 🔥", ["#PR", "@brand", "🔥"]),
]


@pytest.mark.parametrize(("language", "text", "expected"), TOKENS)
def test_social_tokens(language: str | None, text: str, expected: list[str]) -> None:
    doc = make_doc(get_pipeline(language), text)
    assert [token.text for token in doc] == expected


def test_no_hashtag_token_from_a_spaced_hash() -> None:
    doc = make_doc(get_pipeline("en"), "Issue # ad hoc and #ad")
    assert [token.text for token in doc].count("#ad") == 1


@pytest.mark.parametrize(("given", "lang"), [
    ("en", "en"), ("EN-gb", "en"), ("pt_BR", "pt"), ("no", "nb"), ("nb", "nb"),
    (None, "xx"), ("", "xx"), ("zz", "xx"), ("ja", "xx"), ("../en", "xx"),
])
def test_language_resolution(given: str | None, lang: str) -> None:
    assert get_pipeline(given).lang == lang


def test_pipelines_are_cached_and_blank() -> None:
    assert get_pipeline("en") is get_pipeline("en-US")
    assert get_pipeline("en").pipe_names == []
    assert get_pipeline("fr").lang == "fr"


def test_tokenizer_survives_serialisation_and_pickling() -> None:
    text = "Wow #ad! @brand, amzn.to/x. 🏃🏽\u200d♀️ SAVE-20 ##ad word#tag"
    nlp = get_pipeline("en")
    expected = [token.text for token in nlp.make_doc(text)]
    restored = Tokenizer(nlp.vocab).from_bytes(nlp.tokenizer.to_bytes())
    assert [token.text for token in restored(text)] == expected
    tokenizer = pickle.loads(pickle.dumps(nlp.tokenizer))
    assert [token.text for token in tokenizer(text)] == expected
