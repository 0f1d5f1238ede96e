"""Platform export shapes: each fixture is recognised and read into the
canonical fields, and forcing a shape or a container works."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checker.model import Post, Rejected
from checker.readers import read_posts
from checker.readers.facebook_dyi import author_from_title
from checker.readers.mojibake import repair_text, repair_tree
from checker.readers.youtube_data import duration_seconds

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
NO_TEXT = "no text: a post needs 'text', 'title' or 'transcript'"


def read(name: str, **options) -> list:
    return list(read_posts([str(FIXTURES / name)], **options))


def summary(post: Post) -> dict:
    """The fields a shape sets, without the empty ones."""
    fields = {name: value for name, value in vars(post).items()
              if value not in (None, (), "", False, {}) and name != "origin"}
    fields["line"] = post.origin.line
    return fields


# --- Instagram Graph API --------------------------------------------------------

def test_instagram_graph_media_page():
    feed, reel, story = read("instagram_graph_media.json")
    assert summary(feed) == {
        "id": "17895695668004550",
        "text": "Sunday reset with the new linen set from @loomandlark ✨ Code LARK15 saves you 15% #ad",
        "author": "@hanna.at.home", "platform": "instagram", "format": "post",
        "paid_partnership": True, "brand": "@loomandlark",
        "posted_at": "2025-03-09T10:15:02+0000",
        "url": "https://www.instagram.com/p/C8xQk2aNw3L/", "line": 3,
    }
    assert (reel.format, reel.paid_partnership, reel.origin.line) == ("reel", False, 14)
    assert story == Rejected(str(FIXTURES / "instagram_graph_media.json"), 23, NO_TEXT)


def test_instagram_business_discovery_gives_author_and_followers():
    [post] = read("instagram_business_discovery.json")
    assert (post.author, post.followers, post.platform) == ("@trailrun.tomas", 28714, "instagram")
    assert post.text.startswith("Long run in the new Fenwick Trail 3s")


def test_instagram_sponsor_tags_as_a_graph_edge():
    page = {"data": [{"id": "1", "caption": "Spring edit", "media_type": "IMAGE",
                      "sponsor_tags": {"data": [{"username": "bloomco"}]}}]}
    [post] = read_posts(["-"], stdin=io.BytesIO(json.dumps(page).encode()))
    assert (post.paid_partnership, post.brand) == (True, "@bloomco")


# --- YouTube Data API -------------------------------------------------------------

def test_youtube_video_list_response():
    long_video, short, live = read("youtube_videos.json")
    assert summary(long_video) == {
        "id": "q3VbM1rJx7k",
        "title": "I cooked only from one pan for a week",
        "text": ("This video is sponsored by PanCraft. Get 20% off with code WEEKPAN at "
                 "pancraft.example/weekpan\n\n00:00 Intro\n01:12 Monday"),
        "author": "Dani Cooks Small", "platform": "youtube", "format": "video",
        "language": "en", "paid_partnership": True, "posted_at": "2025-04-02T16:00:07Z",
        "url": "https://www.youtube.com/watch?v=q3VbM1rJx7k", "line": 5,
    }
    assert (short.format, short.paid_partnership, short.language) == ("short", False, "en")
    assert live.format == "live"


def test_youtube_search_result_carries_the_id_in_an_object():
    result = {"kind": "youtube#searchResult", "id": {"kind": "youtube#video", "videoId": "abcdefghijk"},
              "snippet": {"title": "Haul", "description": "Thanks to @brand", "channelTitle": "Kim"}}
    [post] = read_posts(["-"], stdin=io.BytesIO(json.dumps({"items": [result]}).encode()))
    assert (post.id, post.url) == ("abcdefghijk", "https://www.youtube.com/watch?v=abcdefghijk")


def test_youtube_snippet_that_is_not_an_object_is_rejected():
    page = {"kind": "youtube#videoListResponse",
            "items": [{"kind": "youtube#video", "id": "x", "snippet": ["oops"]}]}
    [rejected] = read_posts(["-"], stdin=io.BytesIO(json.dumps(page).encode()))
    assert rejected.reason == "field 'snippet' must be an object, got list"


@pytest.mark.parametrize("duration, seconds", [
    ("PT45S", 45), ("PT1M", 60), ("PT1M1S", 61), ("PT1H2M3S", 3723), ("P1DT1S", 86401), ("P0D", None)])
def test_youtube_durations(duration, seconds):
    assert duration_seconds(duration) == seconds


# --- TikTok Research API ------------------------------------------------------------

def test_tiktok_research_video_query():
    first, second = read("tiktok_research_videos.json")
    assert summary(first) == {
        "id": "7351120938375448874",
        "text": "Mein Morgen-Workout mit den neuen Bändern von @flexbandde 💪 Rabattcode LENA10 #fitness #werbung",
        "transcript": "Guten Morgen! Heute zeige ich euch mein Workout mit den Bändern von Flexband.",
        "author": "@lenafitnessberlin", "platform": "tiktok", "format": "video",
        "market": ("DE",), "posted_at": "2024-03-28T16:00:00Z",
        "url": "https://www.tiktok.com/@lenafitnessberlin/video/7351120938375448874", "line": 4,
    }
    assert second.transcript is None and second.origin.line == 19


# --- X API v2 ---------------------------------------------------------------------

def test_x_posts_take_authors_from_includes_listed_after_the_data():
    first, long_post, unknown_author = read("x_api_v2_posts.json")
    assert summary(first) == {
        "id": "1775201338520334599",
        "text": ("Finally tried the Quillpad tablet everyone keeps asking about. "
                 "Thread on what I like and what I don't 👇 #gifted"),
        "author": "@desknerdpriya", "platform": "x", "format": "post", "language": "en",
        "followers": 51230, "posted_at": "2025-04-02T14:05:31.000Z",
        "url": "https://x.com/desknerdpriya/status/1775201338520334599", "line": 3,
    }
    assert long_post.text.endswith("#ad for Brightnook.")      # note_tweet, not the cut text
    assert unknown_author.author == "99887766"                  # no user in includes
    assert unknown_author.language is None                      # "und"


def test_x_single_post_lookup():
    [post] = read("x_api_v2_single.json")
    assert (post.id, post.author, post.origin.line) == ("1776000112233445566", "@desknerdpriya", 1)


def test_x_pages_saved_as_json_lines():
    page = json.loads((FIXTURES / "x_api_v2_posts.json").read_text())
    content = (json.dumps(page) + "\n" + json.dumps(page) + "\n").encode()
    items = list(read_posts(["-"], stdin=io.BytesIO(content)))
    assert [post.origin.line for post in items] == [1, 1, 1, 2, 2, 2]
    assert [post.author for post in items][:2] == ["@desknerdpriya", "@desknerdpriya"]


# --- "Download your information" archives ---------------------------------------------

def test_instagram_archive_posts_are_repaired_and_read():
    first, second, third = read("instagram_dyi_posts_1.json")
    assert summary(first) == {
        "id": "instagram_dyi_posts_1.json:2",
        "text": "Café crème au lit, merci @maisonlumiere pour le plaid 😍 #collab",
        "author": "(archive owner)", "platform": "instagram", "format": "post",
        "posted_at": "2025-03-09T08:55:02Z", "line": 2,
    }
    assert second.text == "Zürich im Frühling 🌷 Grüße an alle!"   # caption kept in the media's title
    assert third.text == "Already clean: Crème brûlée à Paris"     # not damaged: left alone


def test_instagram_archive_reels_are_reels():
    [reel] = read("instagram_dyi_reels.json")
    assert (reel.format, reel.text) == ("reel", "Mon rituel du soir avec @sérumlune ✨ Code LUNE20 -20 % !")


def test_instagram_archive_stories_are_stories():
    archive = {"ig_stories": [{"uri": "media/stories/202503/1.jpg", "creation_timestamp": 1741856400,
                               "title": "Tag @brand"}]}
    [story] = read_posts(["-"], stdin=io.BytesIO(json.dumps(archive).encode()))
    assert (story.format, story.platform, story.text) == ("story", "instagram", "Tag @brand")


def test_facebook_archive_posts():
    first, second, no_text = read("facebook_dyi_your_posts_1.json")
    assert summary(first) == {
        "id": "facebook_dyi_your_posts_1.json:2",
        "text": "Nouvelle recette : tarte aux poires 🍐 avec le moule de @patisso, offert par la marque.",
        "author": "Amélie Durand", "platform": "facebook", "format": "post",
        "posted_at": "2025-03-10T09:46:40Z", "line": 2,
    }
    assert (second.text, second.author) == ("Merci à tous pour vos messages ❤️", "(archive owner)")
    assert isinstance(no_text, Rejected) and no_text.reason == NO_TEXT


def test_facebook_archive_of_the_older_kind():
    archive = {"status_updates": [{"timestamp": 1500000000, "data": [{"post": "Old times"}],
                                   "title": "Sam Lee updated his status."}]}
    [post] = read_posts(["-"], stdin=io.BytesIO(json.dumps(archive).encode()))
    assert (post.text, post.author, post.platform) == ("Old times", "Sam Lee", "facebook")


@pytest.mark.parametrize("damaged, repaired", [
    ("Caf\u00c3\u00a9", "Café"),
    ("\u00f0\u009f\u0098\u008d", "😍"),
    ("Gr\u00c3\u00bc\u00c3\u009fe", "Grüße"),
    ("Café", "Café"),                  # real Latin-1 text is not damaged
    ("plain ascii", "plain ascii"),
    ("emoji already fine 😍", "emoji already fine 😍"),
])
def test_mojibake_repair(damaged, repaired):
    assert repair_text(damaged) == repaired


def test_mojibake_repair_reaches_nested_strings():
    assert repair_tree({"a": ["Caf\u00c3\u00a9", {"b": "\u00e2\u009c\u00a8"}], "n": 1}) == {
        "a": ["Café", {"b": "✨"}], "n": 1}


@pytest.mark.parametrize("title, author", [
    ("Jane Doe updated her status.", "Jane Doe"),
    ("Amélie Durand shared a link.", "Amélie Durand"),
    ("Am\u00c3\u00a9lie Durand shared a link.", "(archive owner)"),   # still damaged
    ("A memory from 2019", "(archive owner)"),
    (None, "(archive owner)"),
])
def test_facebook_author_only_from_a_clean_title(title, author):
    assert author_from_title(title) == author


# --- forcing and detecting --------------------------------------------------------

def test_forced_shape_overrides_detection():
    page = {"data": [{"id": "9", "video_description": "Forced read", "username": "sam"}]}
    items = list(read_posts(["-"], stdin=io.BytesIO(json.dumps(page).encode()),
                            input_format="tiktok-research"))
    assert [(post.platform, post.author) for post in items] == [("tiktok", "@sam")]


def test_forced_container_reads_canonical_fields(tmp_path):
    path = tmp_path / "posts.txt"
    path.write_text("caption,handle\nhello,@a\n")
    [post] = read_posts([str(path)], input_format="csv")
    assert (post.text, post.author) == ("hello", "@a")


def test_input_format_names_are_case_and_separator_tolerant(tmp_path):
    items = list(read_posts([str(FIXTURES / "youtube_videos.json")], input_format="YouTube_Data"))
    assert len(items) == 3


def test_column_map_overrides_a_platform_field():
    page = {"data": [{"id": "1", "caption": "Caption", "alt_text": "Spoken words", "media_type": "VIDEO"}]}
    [post] = read_posts(["-"], stdin=io.BytesIO(json.dumps(page).encode()),
                        column_map={"transcript": "alt_text"})
    assert (post.text, post.transcript) == ("Caption", "Spoken words")
