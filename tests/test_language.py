"""Language detection for posts whose export has no `language`."""
from __future__ import annotations

import pytest

from checker import language
from checker.language import SUPPORTED, clean_for_detection, detect_language

CAPTIONS = {
    "en": "AD | Obsessed with this serum from @glowlab 😍 Use code KAY15 for 15% off 👉 glowlab.com/kay "
          "#ad #skincare #glowingskin",
    "de": "Anzeige | Die neue Kaffeemaschine von @bohnenglueck steht seit zwei Wochen in unserer Küche "
          "und ich liebe sie ☕",
    "fr": "Collaboration commerciale avec @panforge 🍲 Avec le code CAMILLE15, profitez de 15 % sur toute "
          "la boutique jusqu’à dimanche !",
    "it": "Pubblicità: ho provato per un mese la nuova bici elettrica di @ciclomarco e la uso ogni giorno "
          "per andare al lavoro 🚲 #adv",
    "es": "Publicidad | Gracias a @marca por invitarme a probar su nueva crema 🧴 Mi piel nunca ha estado "
          "tan bien #publi",
    "nl": "Advertentie | Samen met @koffiebar maakte ik deze ijskoffie ☕ Met de code SANNE10 krijg je "
          "korting in hun webshop",
    "da": "Brug koden FREJA20 og få 20 % rabat hos @lampehuset.dk 💡 Gælder hele weekenden, så skynd dig!",
    "no": "Endelig fikk jeg testet det nye teltet fra @fjellbua 🏕️ Tre netter på fjellet og helt tørt "
          "hele veien. Bruk koden OLA15 for rabatt!",
    "fi": "Mainos @saunatalo | Uusi kiuas lämpenee nopeasti ja löylyt ovat pehmeät 🔥 Koodilla PEKKA10 "
          "saat alennusta",
    "pl": "Współpraca reklamowa z @kawiarnia.lato ☕ Z kodem KASIA10 macie 10% rabatu do niedzieli!",
    "pt": "Recebidos da semana 💄 Usei o batom novo da @marca o dia todo e não saiu nem com café! "
          "Cupom BIA10 na bio",
    "sv": "Reklam för @fjallbutiken | Nya vandringskängor testade i fjällen hela helgen, inte en blåsa! 🥾 "
          "Rabattkod ELSA15",
}


def test_every_supported_language_has_a_caption() -> None:
    assert set(CAPTIONS) == set(SUPPORTED)


@pytest.mark.parametrize("code", sorted(CAPTIONS))
def test_short_captions_are_detected(code: str) -> None:
    assert detect_language([CAPTIONS[code]]) == code


@pytest.mark.parametrize("text, code", [
    ("Endlich Wochenende! Heute gibt es selbstgemachte Pasta mit Pilzen aus dem Wald 🍄 #kochen", "de"),
    ("Por fin de vacaciones en la costa 🌊 Hoy tocó paella con la familia y siesta en la playa", "es"),
    ("Niedzielny obiad u babci: rosół, schabowy i szarlotka na deser 🥧 Nic lepszego!", "pl"),
    ("Ihana kesäpäivä mökillä, uitiin järvessä ja grillattiin makkaraa illalla 🌞", "fi"),
    ("Tak for en dejlig aften, vi ses snart igen!", "da"),
    ("Tusen takk for en fin kveld, vi ses snart igjen!", "no"),
])
def test_everyday_captions(text: str, code: str) -> None:
    assert detect_language([text]) == code


def test_title_and_caption_are_judged_together() -> None:
    title = "Miesiąc z nowym telefonem"
    caption = "Bateria, aparat i oprogramowanie po trzydziestu dniach codziennego używania."
    assert detect_language([title, caption, ""]) == "pl"


def test_two_words_are_too_few() -> None:
    assert detect_language(["Bonjour Paris"]) is None
    assert detect_language(["Guten Morgen!"]) is None


@pytest.mark.parametrize("text", [
    "https://shop.example.com/p/123?ref=maya",
    "@glowlab @panforge @fjellbua",
    "😍🔥✨💯🙌",
    "MAYA15 👉 bit.ly/3xYz 🔥 @brand",
    "",
])
def test_text_without_words_is_none(text: str) -> None:
    assert detect_language([text]) is None


def test_no_texts_is_none() -> None:
    assert detect_language([]) is None


@pytest.mark.parametrize("text", [
    "Мой новый любимый крем для лица, очень рекомендую всем подругам!",
    "Miluju tuhle novou bundu, je strašně teplá a pohodlná na každý den.",
    "新しいカメラを買いました！とても気に入っています。",
])
def test_languages_outside_the_rule_packs_are_none(text: str) -> None:
    assert detect_language([text]) is None


def test_english_hashtags_do_not_outvote_the_sentences() -> None:
    caption = ("Rutina de abdominales para hoy, sin material y en diez minutos 💪 "
               "#fitness #gym #workout #fitnessmotivation #abs #core #homeworkout")
    assert detect_language([caption]) == "es"


def test_hashtags_alone_can_name_the_language() -> None:
    assert detect_language(["#kochen #rezept #lecker #abendessen #selbstgemacht"]) == "de"


def test_norwegian_is_reported_as_no() -> None:
    text = "Jeg elsker den nye sykkelen min, den er helt fantastisk å sykle på hver dag."
    assert detect_language([text]) == "no"


def test_cleaning_keeps_words_and_hashtag_words_only() -> None:
    text = "Use code MAYA15 at https://shop.example.com/x or mail hi@maya.shop 😍 @mayabrand #SundayVibes #ad"
    assert clean_for_detection(text) == "Use code at or mail Sunday Vibes ad"


def test_cleaning_keeps_accents_and_apostrophes() -> None:
    assert clean_for_detection("J’adore l'été ☀️ à Montréal!") == "J'adore l'été à Montréal!"


def test_same_input_same_answer() -> None:
    texts = [CAPTIONS["da"], CAPTIONS["no"], "Elsker den nye jakka fra @turbua 😍", "Ad astra per aspera."]
    first = [detect_language([t]) for t in texts]
    assert [detect_language([t]) for t in texts] == first
    language._detector.cache_clear()        # a freshly loaded model answers the same
    assert [detect_language([t]) for t in texts] == first
