"""Folding look-alike text while every span still points into the original."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.normalise import Normalised, normalise


def original_of(result: Normalised, needle: str) -> str:
    """The original text behind the first occurrence of `needle` in the folded text."""
    start = result.text.index(needle)
    first, last = result.to_original(start, start + len(needle))
    return result.original[first:last]


# (original, folded text, what a person sees behind the "#ad"/label match)
EVASIONS = [
    ("#a\u200bd", "#ad", "#a\u200bd"),
    ("＃ａｄ", "#ad", "＃ａｄ"),
    ("＃ａ\u200bｄ", "#ad", "＃ａ\u200bｄ"),
    ("#\u0430d", "#ad", "#\u0430d"),                     # Cyrillic а
    ("#\u0251d", "#ad", "#\u0251d"),                     # Latin alpha
    ("𝐀𝐝", "Ad", "𝐀𝐝"),
    ("#𝒶𝒹", "#ad", "#𝒶𝒹"),
    ("ⓐⓓ", "ad", "ⓐⓓ"),
    ("#🅰🅳", "#AD", "#🅰🅳"),
    ("#🅰\ufe0f🅳", "#AD", "#🅰\ufe0f🅳"),
    ("ᴀᴅ", "ad", "ᴀᴅ"),
    ("#ᵃᵈ", "#ad", "#ᵃᵈ"),
    ("# a d", "#ad", "# a d"),
    ("#a d", "#ad", "#a d"),
    ("#a.d", "#ad", "#a.d"),
    ("C O D E", "CODE", "C O D E"),
    ("C-O-D-E", "CODE", "C-O-D-E"),
    ("#a\u0336d", "#ad", "#a\u0336d"),
    ("#a\u0336d\u0336", "#ad", "#a\u0336d\u0336"),
    ("#a\u0332d\u0332", "#ad", "#a\u0332d\u0332"),
    ("#a\u0300\u0301\u0302d", "#ad", "#a\u0300\u0301\u0302d"),   # stacked marks
    ("Wer\u00adbung", "Werbung", "Wer\u00adbung"),
    ("#a\u2060d", "#ad", "#a\u2060d"),
    ("#a\ufeffd", "#ad", "#a\ufeffd"),
    ("#a\u200dd", "#ad", "#a\u200dd"),
    ("#a\u200cd", "#ad", "#a\u200cd"),
    ("#a\u202ed", "#ad", "#a\u202ed"),
    ("#a\U000e0041d", "#ad", "#a\U000e0041d"),            # tag character outside a flag
]


@pytest.mark.parametrize(("original", "folded", "seen"), EVASIONS)
def test_evasions_fold_and_map_back(original: str, folded: str, seen: str) -> None:
    result = normalise(f"Loved it! {original} @brand")
    assert result.text == f"Loved it! {folded} @brand"
    assert original_of(result, folded) == seen
    start = result.text.index(folded)
    assert result.is_obfuscated(start, start + len(folded))
    assert not result.is_obfuscated(0, len("Loved it!"))
    assert not result.is_obfuscated(len(result.text) - len("@brand"), len(result.text))


@pytest.mark.parametrize(("original", "folded"), [
    ("publicité", "publicite"),
    ("Publicité", "Publicite"),
    ("#produitreçu", "#produitrecu"),
    ("pubblicità", "pubblicita"),
    ("colaboración", "colaboracion"),
    ("współpraca", "wspołpraca"),          # ł is a letter of its own
    ("Ærø Straße", "Ærø Straße"),
    ("e\u0301te\u0301", "ete"),           # accents typed as combining marks
    ("Ｗｅｒｂｕｎｇ", "Werbung"),
    ("fine…", "fine..."),
    ("m²", "m2"),
    ("see\u00a0you", "see you"),
])
def test_ordinary_folds(original: str, folded: str) -> None:
    assert normalise(original).text == folded


@pytest.mark.parametrize("text", ["publicité", "colaboración", "e\u0301te\u0301", "see\u00a0you", "fine…"])
def test_accents_and_spaces_are_not_evasions(text: str) -> None:
    result = normalise(text)
    assert not result.is_obfuscated(0, len(result.text))


def test_fullwidth_counts_as_evasion() -> None:
    result = normalise("Ｗｅｒｂｕｎｇ")
    assert result.is_obfuscated(0, len(result.text))


def test_case_is_kept() -> None:
    assert normalise("＃ＡＤ #Ad 𝐀𝐃").text == "#AD #Ad AD"


@pytest.mark.parametrize("text", [
    "👩\u200d👩\u200d👧 family",
    "🏃🏽\u200d♀️ run",
    "❤️\u200d🔥 love",
    "#️⃣ 1️⃣ keycaps",
    "🇩🇪 🇫🇷 flags",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",
    "👍🏻 🫶🏼",
])
def test_emoji_sequences_stay_intact(text: str) -> None:
    result = normalise(text)
    assert result.text == text
    assert not result.is_obfuscated(0, len(result.text))


@pytest.mark.parametrize("text", [
    "Реклама: новый кофе от нашей кофейни",
    "Διαφήμιση: ο καφές της εβδομάδας",
    "Ο Κώστας και η Άννα",
    "#реклама #кофе",
    "Sernik z kawą, a w środku i masa",
])
def test_genuine_text_in_other_scripts_keeps_its_letters(text: str) -> None:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    expected = unicodedata.normalize("NFC", stripped)
    result = normalise(text)
    assert result.text == expected
    assert not result.is_obfuscated(0, len(result.text))


def test_lookalikes_fold_in_words_that_mix_scripts_only() -> None:
    result = normalise("#\u0440\u0430id ad \u0440\u0430\u0437")   # "#раid" mixed; "раз" genuine
    assert result.text == "#paid ad \u0440\u0430\u0437"


def test_a_text_whose_only_foreign_letters_are_lookalikes_is_folded() -> None:
    assert normalise("\u0430\u0501 | @brand sent me this").text == "ad | @brand sent me this"


@pytest.mark.parametrize("text", [
    "Issue # ad hoc",
    "#a\nd",
    "#a dog",
    "5 x 3 cm",
    "1 2 3 go",
    "e.g. this, i.e. that",
    "U.S.A. trip",
    "j.r.r.tolkien@example.com",
    "a.b.c.example.com",
    "Plan A or B",
    "I think a b testing",
])
def test_ordinary_text_is_not_collapsed(text: str) -> None:
    result = normalise(text)
    assert result.text == text
    assert result.to_original(0, len(text)) == (0, len(text))


def test_spaced_pair_at_line_start_collapses() -> None:
    result = normalise("A D | @brand\nA D is not here")
    assert result.text == "AD | @brand\nA D is not here"
    assert result.is_obfuscated(0, 2)


def test_zero_width_joiner_between_letters_goes_but_stays_in_scripts_that_use_it() -> None:
    assert normalise("a\u200db").text == "ab"
    assert normalise("\u0915\u094d\u200d\u0937").text == "\u0915\u094d\u200d\u0937"   # Devanagari
    assert normalise("\u0645\u06cc\u200c\u062e").text == "\u0645\u06cc\u200c\u062e"   # Persian ZWNJ


def test_to_original_of_an_empty_range_and_bad_ranges() -> None:
    result = normalise("#a\u200bd")
    assert result.to_original(2, 2) == (3, 3)
    assert result.to_original(3, 3) == (4, 4)
    with pytest.raises(ValueError):
        result.to_original(2, 1)
    with pytest.raises(ValueError):
        result.to_original(0, 4)
    assert normalise("\u200b").to_original(0, 0) == (0, 0)


def test_plain_ascii_is_returned_as_is() -> None:
    text = "Loved the new serum from @brand, code MAYA15 at amzn.to/3xYz #ad"
    result = normalise(text)
    assert result.text is text
    assert result.to_original(5, 12) == (5, 12)
    assert not result.is_obfuscated(0, len(text))


# Every character in blocks where folding happens, alone and between letters:
# the fold is idempotent and offsets stay in range.
_BLOCKS = [(0x80, 0x250), (0x250, 0x370), (0x370, 0x530), (0x1AB0, 0x1B00), (0x1D00, 0x1E00),
           (0x2000, 0x2200), (0x2460, 0x2500), (0xFE00, 0xFE30), (0xFF00, 0xFFF0),
           (0x1D400, 0x1D800), (0x1F100, 0x1F200), (0xE0000, 0xE0080)]


@pytest.mark.parametrize(("low", "high"), _BLOCKS)
def test_each_character_of_the_folded_blocks(low: int, high: int) -> None:
    for cp in range(low, high):
        for text in (chr(cp), f"a{chr(cp)}b", f"🔥{chr(cp)}#"):
            result = normalise(text)
            assert normalise(result.text).text == result.text, hex(cp)
            for i in range(len(result.text)):
                first, last = result.to_original(i, i + 1)
                assert 0 <= first < last <= len(text), hex(cp)


# --- properties ------------------------------------------------------------------

_INTERESTING = st.sampled_from(list(
    "ad#@ .-·\n" "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\ufe0f\u20e3\u0301\u0336\u0332"
    "ａｄ＃𝐚𝐝ⓐ🅰ᴀ\u0430\u0435\u03bf\u0501éł🔥🏽♀🇩🇪\U000e0067\U000e007f🏴ﬁ…²"
))
_TEXTS = st.one_of(
    st.text(),
    st.text(_INTERESTING, max_size=40),
    st.lists(st.one_of(_INTERESTING, st.characters()), max_size=40).map("".join),
)


@settings(max_examples=100, deadline=None)
@given(_TEXTS, st.data())
def test_offsets_stay_inside_the_original_and_ordered(text: str, data: st.DataObject) -> None:
    result = normalise(text)
    size = len(result.text)
    previous = (0, 0)
    for i in range(size):
        first, last = result.to_original(i, i + 1)
        assert 0 <= first < last <= len(text)
        assert first >= previous[0] and last >= previous[1]
        previous = (first, last)
    a = data.draw(st.integers(0, size))
    b = data.draw(st.integers(a, size))
    first, last = result.to_original(a, b)
    assert 0 <= first <= last <= len(text)
    result.is_obfuscated(a, b)


@settings(max_examples=100, deadline=None)
@given(_TEXTS)
def test_folding_is_idempotent(text: str) -> None:
    once = normalise(text).text
    assert normalise(once).text == once


_WORDS = st.lists(st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=9),
                  min_size=1, max_size=12)
_GLUE = st.sampled_from([" ", ", ", ". ", "\n", " #", " @", "/", ": ", "! "])


@st.composite
def plain_ascii(draw: st.DrawFn) -> str:
    words = draw(_WORDS)
    return "".join(word + draw(_GLUE) for word in words[:-1]) + words[-1]


@settings(max_examples=100, deadline=None)
@given(plain_ascii())
def test_plain_ascii_is_the_identity(text: str) -> None:
    result = normalise(text)
    assert result.text == text
    assert result.to_original(0, len(text)) == (0, len(text))
    assert not result.is_obfuscated(0, len(text))


@settings(max_examples=100, deadline=None)
@given(plain_ascii(), st.data())
def test_invisible_characters_are_removed_and_flagged(text: str, data: st.DataObject) -> None:
    invisible = st.sampled_from(["\u200b", "\u2060", "\ufeff", "\u00ad", "\u200d"])
    positions = data.draw(st.lists(st.integers(1, len(text) - 1), min_size=1, max_size=4)
                          if len(text) > 1 else st.just([]))
    disguised = text
    for position in sorted(positions, reverse=True):
        disguised = disguised[:position] + data.draw(invisible) + disguised[position:]
    result = normalise(disguised)
    assert result.text == text
    for i, ch in enumerate(text):
        first, last = result.to_original(i, i + 1)
        assert disguised[first:last] == ch
    assert result.to_original(0, len(text)) == (0, len(disguised))
    assert result.is_obfuscated(0, len(text)) == (disguised != text)


@settings(max_examples=100, deadline=None)
@given(plain_ascii())
def test_fullwidth_text_folds_back(text: str) -> None:
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    result = normalise(wide)
    assert result.text == text
    assert result.to_original(0, len(text)) == (0, len(wide))
