"""Judging posts the way people really write them.

Each test is a class of wording, with examples written for the tests: denials
are never labels, discount codes are shapes next to offers, relationships
are statements with slots, labels are found wherever they stand, everyday
words are not evidence, and an @mention is a brand tag only in promotional
context. The classes in other languages are covered by the examples in their
rule packs (`clearlabel rules test`, run by tests/test_cli_audit.py).
"""
from __future__ import annotations

import pytest

from checker.engine import Auditor
from checker.model import Post, Strength, Verdict
from checker.packs import load_ruleset
from checker.settings import Settings

FLAGGED = (Verdict.UNDISCLOSED, Verdict.INADEQUATE)


@pytest.fixture(scope="module")
def auditor():
    return Auditor(load_ruleset(), Settings())


def audit(auditor, text, market=("US",), **fields):
    fields.setdefault("author", "@creator")
    return auditor.audit(Post(id="p", text=text, market=tuple(market), **fields))


def facts(auditor, text, **fields):
    fields.setdefault("author", "@creator")
    return auditor.analyse(Post(id="p", text=text, **fields))


def kinds(found) -> set[str]:
    return {e.kind for e in found.evidence}


# --------------------------------------------------------------------------- denials

@pytest.mark.parametrize("text", [
    "Not sponsored, just obsessed 😍 code MIA10 gets you 10% off",
    "this isn't sponsored btw!! use code MIA10 for 10% off",
    "this isn’t sponsored, code MIA10 = 10% off",
    "Not #ad, I just love them. MIA10 for 10% off",
    "never been sponsored by them, I promise. code MIA10",
])
def test_a_denial_is_never_a_label_and_next_to_a_code_is_a_finding(auditor, text):
    result = audit(auditor, text, market=("US", "GB"))
    assert not result.labels
    assert result.verdict is Verdict.UNDISCLOSED
    assert {"US-DENIAL-WITH-EVIDENCE", "GB-DENIAL-WITH-EVIDENCE"} <= {f.rule for f in result.findings}


@pytest.mark.parametrize("text", [
    "Not sponsored, I just really love this little cafe ☕",
    "nobody is paying me for this, the bakery on Elm St is simply the best 🥐",
])
def test_a_denial_alone_is_no_evidence(auditor, text):
    assert audit(auditor, text, market=("US", "GB")).verdict is Verdict.NO_EVIDENCE


@pytest.mark.parametrize("text, language, kind", [
    ("Tack @hudverket för att ni betalar mig för det här inlägget", "sv", "paid_language"),   # Swedish "ni" is "you"
    ("Net pas gekregen van @rituals, wat een mooi pakket", "nl", "gifted"),                 # Dutch "pas" is "just"
])
def test_a_negator_of_another_language_denies_nothing(auditor, text, language, kind):
    found = facts(auditor, text, language=language)
    assert kind in kinds(found) and not found.denials, text


def test_a_negator_of_the_posts_own_language_still_denies(auditor):
    found = facts(auditor, "Ce n'est pas sponsorisé, je l'ai acheté moi-même", language="fr")
    assert found.denials and not found.labels


def test_a_denial_next_to_an_offer_goes_to_review(auditor):
    result = audit(auditor, "This is not an ad. The app gives you 20 percent back on every shop", market=("GB",))
    assert result.verdict is Verdict.REVIEW and "GB-DENIAL-IN-PROMOTION" in {f.rule for f in result.findings}


# --------------------------------------------------------------------------- discount codes

@pytest.mark.parametrize("text", [
    "Treat yourself, use the code pippa2017 for 25% off",
    "TOM25 FOR 25% OFF",
    "GLOW UP WITH 15% OFF – MIAXMAS15",
    "code: ‘bea-glow’ at checkout",
    "my referral code is mia_rose if you want in",
    "with the promotion code holidaylemontree you get 15% off",
])
def test_a_code_is_a_shape_next_to_a_code_word_or_an_offer(auditor, text):
    result = audit(auditor, text)
    assert "discount_code" in {e.kind for e in result.evidence}, text
    assert result.verdict is Verdict.UNDISCLOSED


@pytest.mark.parametrize("text", [
    "the dress code is smart casual, see you at 7",
    "scan the QR code at the museum entrance",
    "50% off iPhone15 cases in the market today",
    "I use PS5 controllers on my pc",
    "finally fixed the code, 404s gone",
])
def test_words_near_code_shapes_are_not_codes(auditor, text):
    assert "discount_code" not in kinds(facts(auditor, text, language="en"))


# --------------------------------------------------------------------------- relationship statements

@pytest.mark.parametrize("text, kind", [
    ("my own skincare line launches Friday", "own_brand"),
    ("our little bakery's new menu is up 🥐", "own_brand"),
    ("I work in marketing at @lumaveil so yes I'm biased", "employee"),
    ("proud employee of Brinewood since 2019", "employee"),
    ("@fellcrest pays me to be their ambassador and I'd say it anyway", "paid_language"),
    ("so proud to be an ambassador for @velvetta", "paid_language"),
    ("everything I wear is on my Amazon storefront", "affiliate_link"),
    ("shop my feed on the LTK app", "affiliate_link"),
    ("all my picks are on ShopMy", "affiliate_link"),
    ("we are launching our new flavour range next week", "own_brand"),
    ("I'm the new face of @lumaveil!!! pinch me", "paid_language"),
    ("working with @visitfarne on their new summer campaign was a dream", "paid_language"),
    ("my capsule collection with Hartwell lands on Friday", "paid_language"),
    ("so proud to share my collab with @velvetta, it drops Friday at 8pm", "paid_language"),
    ("Today's video is sponsored by Nimbus VPN", "paid_language"),
    ("get 20% off with my link in bio", "affiliate_link"),
    ("sign up via my referral link and we both get £20", "affiliate_link"),
    ("shop my whole look via the @liketoknow.it app", "affiliate_link"),
    ("Thank you @mamaleaf for this lovely hamper 💚", "gifted"),
    ("So happy with my @shakeco shake, they sent me a bunch to try", "gifted"),
    ("heading to Ibiza with @velvetta for the launch of their summer range", "invitation"),
    ("Working out in my @aloft.yoga set today. Ambassador perks 💪", "paid_language"),
    ("So excited to be working with @velvetta this Christmas 🎄", "paid_language"),
    ("Excited to announce my partnership with @fellcrest 🔥", "paid_language"),
    ("Officially a @fenwickrun athlete 🦈", "paid_language"),
])
def test_relationships_are_statements_with_slots(auditor, text, kind):
    assert kind in kinds(facts(auditor, text, language="en")), text


@pytest.mark.parametrize("text", [
    "my local shop has run out of oat milk again",
    "my favourite store is closing down 😭",
    "my line manager just booked a meeting at 5pm",
    "first day at my new job at the hospital 🏥",
    "I work out at @puregym most mornings",
    "my partner and I finally painted the hallway",
    "we're dropping the kids at school then brunch",
    "the face of @milo.the.pug when he saw the bath 😂",
    "worked with @jess.tutor on my dissertation all week",
    "my collab with @danny.films is up on my channel, go watch",
    "the marathon is sponsored by the council this year",
    "anyone got a referral code for the gym? 🙏",
    "thank you @jess.k for the gorgeous flowers 💐 best friend ever",
    "my nan sent me a recipe to try this weekend",
    "so excited to be working with @jess.k on our school play again",
    "excited about this partnership between Root and Brook, 150 up 🏏",
    "my collab with @danny.films is up on my channel, go watch",
    "my contract with @vodafone_uk ends in March and I'm leaving",
])
def test_everyday_statements_are_not_relationships(auditor, text):
    found = kinds(facts(auditor, text, language="en"))
    assert not {"own_brand", "employee", "paid_language", "affiliate_link", "gifted"} & found


def test_thanks_for_sponsoring_is_an_unclear_label_in_the_us(auditor):
    result = audit(auditor, "Huge thanks to Nimbus VPN for sponsoring today's episode! Link below")
    assert result.verdict is Verdict.INADEQUATE
    assert "US-UNCLEAR-LABEL" in {f.rule for f in result.findings}


@pytest.mark.parametrize("text", [
    "linen dress linked here *affiliate",
    "the boots (AF) rstyle.me/+q8Zx2",
    "I may earn a commission if you buy through these links: amzn.to/3Qa",
    "As an Amazon Associate I earn from qualifying purchases.",
])
def test_affiliate_statements_are_labels(auditor, text):
    labels = {label.label for label in audit(auditor, text).labels}
    assert labels & {"affiliate", "commission-statement"}, text


# --------------------------------------------------------------------------- labels wherever they are

@pytest.mark.parametrize("text", [
    "new serum from @glowlab AD",
    "Loving this new routine so much … AD",
    "obsessed with this one (ad)",
    "[AD] the new palette is here",
    "my go-to serum 😍 ad | code MIA10",
])
def test_a_standalone_ad_is_found_wherever_it_stands(auditor, text):
    assert {l.label for l in audit(auditor, text, market=("GB",)).labels} & {"ad", "ad-standalone", "ad-at-line-end"}


@pytest.mark.parametrize("text", [
    "an ad hoc meeting after lunch", "Hastings, AD 1066, still windy", "repeating it ad nauseam",
    "that new AD for the bank is so loud", "saw the ad on the bus lol",
])
def test_ad_as_an_ordinary_word_is_not_a_label(auditor, text):
    assert not audit(auditor, text, market=("GB",)).labels


def test_the_placement_rules_judge_a_label_found_late(auditor):
    text = ("Proper Lancashire hotpot 🥔\nLamb neck, onions and sliced potatoes on top like roof tiles.\n"
            "Two hours lid on, thirty minutes lid off.\nPickled red cabbage on the side, always.\n"
            "Spices from @brinewood, code NOSH15 AD")
    result = audit(auditor, text, market=("GB",))
    assert result.verdict is Verdict.INADEQUATE and "GB-LABEL-BELOW-FOLD" in {f.rule for f in result.findings}


def test_a_label_in_prose_with_nothing_commercial_is_no_evidence(auditor):
    assert audit(auditor, "the city marathon is sponsored by the council this year").verdict is Verdict.NO_EVIDENCE


# --------------------------------------------------------------------------- everyday words

@pytest.mark.parametrize("text, market", [
    ("new bench #pr today 💪 100kg finally", "US"),
    ("#thankfulthursday for the nurses on my ward", "US"),
    ("#thxauntkate for the birthday socks 🧦", "GB"),
    ("my gran knitted me a jumper with my cat on it 😭 #gift", "GB"),
    ("thanks for having us @thelexington, what a crowd 🎸", "GB"),
    ("a talk hosted by @engsoc on Thursday, free pizza", "GB"),
    ("my cousin's wedding 💍 c/o @aoife.lensing, every photo made me cry", "IE"),
    ("we're sponsoring a child through a charity this year 💛", "US"),
    ("new single out now lnk.to/nightdrive", "US"),
    ("our EP is on open.spotify.com/album/4kR9xTq2 and linktr.ee/velvetmoths", "GB"),
    ("read the full story bit.ly/3kQz9aa", "US"),
    ("gifted by my amazing boyfriend ❤️ #birthday", "US"),
    ("Mum gifted me her old camera and I'm obsessed 📷", "GB"),
    ("this trip was sponsored by my parents lol", "US"),
    ("Partnered with my best friend for the charity 5k!", "US"),
    ("I'm teaming up with my brother for the school fundraiser", "US"),
    ("My PR package from my grandma: socks and cookies 😂", "US"),
    ("Thanks @jenny for the care package, you're the best 💕", "US"),
    ("My referral code for the bar exam prep course didn't work lol", "US"),
    ("Go follow my new page @jessbakes_ ✨", "US"),
    ("obsessed with my new @lululemon leggings, worth every penny", "US"),
])
def test_everyday_words_are_not_evidence(auditor, text, market):
    assert audit(auditor, text, market=(market,)).verdict is Verdict.NO_EVIDENCE, text


@pytest.mark.parametrize("text, language, market", [
    ('Meine Kollab mit @danny.films ist online, schaut rein 🎬', 'de', 'DE'),
    ('Mijn collab met @danny.films staat online, kijken!', 'nl', 'NL'),
    ('Min collab med @danny.films är ute nu på kanalen', 'sv', 'SE'),
    ('Min kollab med @danny.films er ude nu på kanalen', 'da', 'DK'),
    ('Min collab med @danny.films er ute nå på kanalen', 'no', 'NO'),
    ('Kollabini @danny.films kanssa on nyt kanavalla', 'fi', 'FI'),
    ('Moja kolaboracja z @danny.films już na kanale', 'pl', 'PL'),
    ('Minha collab com @danny.films já está no canal', 'pt', 'BR'),
    ('Mi collab con @danny.films ya está en el canal', 'es', 'ES'),
    ('Ma collab avec @danny.films est en ligne sur la chaîne', 'fr', 'FR'),
    ('La mia collab con @danny.films è online sul canale', 'it', 'IT'),
    ('My collab with @danny.films is up on my channel', 'en', 'US'),
])
def test_a_collab_video_with_another_creator_is_not_a_brand_deal(auditor, text, language, market):
    assert audit(auditor, text, market=(market,), language=language, platform="youtube").verdict is Verdict.NO_EVIDENCE, text


@pytest.mark.parametrize("text, language, market", [
    ("#ad Date night with my boyfriend at @velvetta.bistro, the new tasting menu is unreal", "en", "GB"),
    ("Werbung | Wochenende mit meiner Schwester im @seeblick.hotel", "de", "DE"),
])
def test_family_named_elsewhere_in_a_labelled_ad_leaves_the_label(auditor, text, language, market):
    assert audit(auditor, text, market=(market,), language=language).verdict is Verdict.DISCLOSED, text


def test_a_bare_shortener_is_weak_evidence(auditor):
    found = facts(auditor, "my whole gym bag is here bit.ly/3kQz9aa", language="en")
    assert [(e.kind, e.strength) for e in found.evidence] == [("affiliate_link", Strength.WEAK)]


@pytest.mark.parametrize("author", ["@oakandcrumb.bakery", "@lumen_official", "@goodgrainbakehouse"])
def test_a_brand_promoting_itself_on_its_own_account_is_not_an_influencer_ad(auditor, author):
    result = audit(auditor, "Our new sourdough is out, order through the link in bio 🥖 code BREAD10", author=author)
    assert result.verdict is Verdict.NO_EVIDENCE and "US-BRAND-OWN-ACCOUNT" in {f.rule for f in result.findings}


def test_a_business_voice_is_a_brand_account_but_a_founder_speaking_is_not(auditor):
    shop = audit(auditor, "how we laminate croissant dough every morning 🥐 come grab one at our Portland shop", author="@kneadco")
    founder = audit(auditor, "I started our Portland shop five years ago and we're finally expanding", author="@maya.bakes")
    assert shop.verdict is Verdict.NO_EVIDENCE
    assert founder.verdict is Verdict.UNDISCLOSED


# --------------------------------------------------------------------------- @mentions

@pytest.mark.parametrize("text, platform", [
    ("@tomkins @ellie_b the 38 was 25 mins late AGAIN", "x"),
    ("RT @newsdesk: storm warning for the whole coast tonight", "x"),
    ("happy birthday @jess.k 🎂 love you to bits", "instagram"),
    ("congrats @ciara.and.dan on the wedding 💍", "instagram"),
    ("sunset over the harbour 📸 @jamie.shoots", "instagram"),
    ("@user you can't be serious", "x"),
    ("replying to @user123 here's my skincare routine!! #skincare #skintok", "tiktok"),
    ("Thanks @gymshark for the 30% off in the sale, couldn't resist 🙈", "instagram"),
    ("@airline_uk my flight has been delayed 4 hours and nobody at the gate knows anything", "x"),
    ("my friend @noahbeatz just dropped his first EP, go listen 🔥", "instagram"),
])
def test_a_handle_that_is_not_promoted_is_not_a_brand(auditor, text, platform):
    assert audit(auditor, text, market=("GB",), platform=platform).verdict is Verdict.NO_EVIDENCE, text


@pytest.mark.parametrize("text, language, market", [
    ("just bought my new trainers from @jdsports, the sale is mad", "en", "GB"),
    ("Comprado en @zara, me encanta este vestido 😍", "es", "ES"),
    ("Comprei um tênis novo na @netshoes e chegou super rápido", "pt", "BR"),
    ("robe achetée chez @sezane pendant les soldes ❤️", "fr", "FR"),
    ("im Sale bei @hm gekauft, passt perfekt", "de", "DE"),
])
def test_a_shop_the_author_bought_from_is_not_a_brand_tag(auditor, text, language, market):
    assert audit(auditor, text, market=(market,), language=language).verdict is Verdict.NO_EVIDENCE, text


def test_saying_it_was_bought_does_not_cancel_a_code(auditor):
    result = audit(auditor, "just bought the new palette from @lumaveil, use my code MAYA15 for 15% off", market=("GB",))
    assert result.verdict is Verdict.UNDISCLOSED


@pytest.mark.parametrize("text", [
    "Use my code for 20% off @dewlab, link in bio",
    "Discount code in my bio 💕 @dewlab",
    "Get money off @dewlab with my code in bio",
])
def test_a_code_of_the_creators_own_counts_even_when_not_written_out(auditor, text):
    assert audit(auditor, text, market=("GB",)).verdict is Verdict.UNDISCLOSED, text


@pytest.mark.parametrize("text", [
    "Code MOM2024 expired?? @shopwell why",                  # a complaint about a shop's code
    "the code SAVE20 isn't working at checkout @shopwell",
    "my code finally compiles 🎉",                           # a programmer's code
    "feel free to use my code for your project",
])
def test_codes_that_are_not_the_creators_discount_codes(auditor, text):
    assert "discount_code" not in kinds(facts(auditor, text, language="en"))


@pytest.mark.parametrize("text", [
    "wearing @indigoloom head to toe today",
    "obsessed with my new @reefline swimsuit",
    "the new palette from @lumaveil is out now",
    "It's £9.95 from @w7makeup as of today",
])
def test_a_brand_tag_in_promotional_context_goes_to_review(auditor, text):
    result = audit(auditor, text, market=("GB",))
    assert result.verdict is Verdict.REVIEW
    assert "GB-BRAND-TAG-REVIEW" in {f.rule for f in result.findings}


@pytest.mark.parametrize("text, verdict", [
    ("Best flat white in Galway, fight me ☕ @thedockroasters", Verdict.REVIEW),
    ("the best meat pie in town 🥧 @bakehouse.norwood", Verdict.REVIEW),
    ("best night ever with @sarah.j 🥂", Verdict.NO_EVIDENCE),
    ("Grazie @gelateria.delponte per il gelato dopo la salita 🍦", Verdict.REVIEW),
    ("thank you @sarah.j for the flowers 💐", Verdict.NO_EVIDENCE),
])
def test_praise_and_thanks_make_a_brand_tag_only_of_a_business(auditor, text, verdict):
    assert audit(auditor, text, market=("GB",)).verdict is verdict, text


def test_a_tag_standing_alone_takes_the_context_of_the_sentence_before(auditor):
    text = "The camera on the new OrbitX 13 is genuinely the best I've tested this year. @orbitindia cooked. 🔥"
    assert audit(auditor, text, market=("IN",)).verdict is Verdict.REVIEW
    assert audit(auditor, "What a night. @sarah.j 😂", market=("IN",)).verdict is Verdict.NO_EVIDENCE


def test_a_configured_brand_is_a_brand_tag_without_context():
    auditor = Auditor(load_ruleset(), Settings(brands=("@lumaveil",)))
    assert audit(auditor, "sunday vibes @lumaveil", market=("GB",)).verdict is Verdict.REVIEW


# --------------------------------------------------------------------------- Sweden

@pytest.mark.parametrize("text, verdict", [
    ("Reklam för @fjallform | Nya vandringskängor, koden EMMA10 ger 10 %", Verdict.DISCLOSED),
    ("Nya vandringskängor från @fjallform, koden EMMA10 ger 10 % #AD", Verdict.INADEQUATE),
    ("Sista solstrålarna ☀️ Tröja från @kontorsmys #samarbete #cozy #sun", Verdict.INADEQUATE),
    ("Swipe up to get the glitter / *Reklamlänk", Verdict.DISCLOSED),
    ("I samarbete (ej betalt) med @klinik | mina nya vänner", Verdict.INADEQUATE),
    ("Vi lanserar en ny ansiktsmask i vår serie nu! Jag älskar den. #ad", Verdict.DISCLOSED),
])
def test_swedish_labels_as_the_reklamombudsmannen_reads_them(auditor, text, verdict):
    assert audit(auditor, text, market=("SE",)).verdict is verdict, text


def test_samarbete_was_enough_before_the_2019_judgment_and_is_not_since(auditor):
    text = "I samarbete med @madlady | min rabattkod NINA15 ger 15 % rabatt"
    assert audit(auditor, text, market=("SE",), posted_at="2019-02-07").verdict is Verdict.DISCLOSED
    assert audit(auditor, text, market=("SE",), posted_at="2021-02-07").verdict is Verdict.INADEQUATE


# --------------------------------------------------------------------------- why review

def test_the_audit_summary_says_what_share_went_to_review_and_why(tmp_path):
    import json

    from click.testing import CliRunner

    from checker.cli import main

    path = tmp_path / "posts.jsonl"
    rows = [{"id": "a", "text": "wearing @indigoloom head to toe today", "market": ["GB"]},
            {"id": "b", "text": "Sunday walk by the canal", "market": ["GB"]}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    text = CliRunner().invoke(main, ["audit", str(path), "--no-store", "--fail-on", "never"]).stdout
    assert "review            1  (50.0% of posts; why: GB-BRAND-TAG-REVIEW 1)" in text
    lines = CliRunner().invoke(main, ["audit", str(path), "--no-store", "--format", "jsonl"]).stdout.splitlines()
    summary = json.loads(lines[-1])
    assert summary["type"] == "summary" and summary["review_reasons"] == {"GB-BRAND-TAG-REVIEW": 1}


def test_the_text_output_says_why_a_mention_is_a_brand_tag(tmp_path):
    from click.testing import CliRunner

    from checker.cli import main

    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "a", "text": "obsessed with my new @reefline swimsuit", "market": ["GB"]}\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["audit", str(path), "--no-store", "--fail-on", "never"]).stdout
    assert "at text[21:30] '@reefline' (tagged next to 'obsessed with')" in out
