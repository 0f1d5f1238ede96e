"""Platform and format names, folded onto the project's vocabulary, and what
a post's URL says about both."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from ..model import FORMATS, PLATFORMS

_PLATFORM_NAMES: dict[str, tuple[str, ...]] = {
    "instagram": ("instagram", "ig", "insta", "instagram reels", "instagram stories"),
    "tiktok": ("tiktok", "tik tok", "tt"),
    "youtube": ("youtube", "yt", "youtube shorts", "yt shorts"),
    "x": ("x", "twitter", "tweet", "x.com", "twitter.com", "x (twitter)"),
    "facebook": ("facebook", "fb"),
    "snapchat": ("snapchat", "snap"),
    "pinterest": ("pinterest",),
    "twitch": ("twitch",),
    "linkedin": ("linkedin",),
    "blog": ("blog", "website", "web", "substack", "wordpress", "medium", "newsletter"),
}
_FORMAT_NAMES: dict[str, tuple[str, ...]] = {
    "post": ("post", "feed", "image", "photo", "picture", "carousel", "carousel album", "album",
             "status", "tweet", "thread", "pin", "article", "blog post", "text"),
    "story": ("story", "stories"),
    "reel": ("reel", "reels", "clip", "clips"),
    "video": ("video", "long form", "igtv"),
    "short": ("short", "shorts"),
    "live": ("live", "livestream", "live stream", "stream", "broadcast", "live video"),
}
# A platform whose posts are all one format, when the input does not say.
DEFAULT_FORMATS = {"tiktok": "video", "youtube": "video", "twitch": "live"}

_HOSTS = (
    ("instagram.com", "instagram"), ("instagr.am", "instagram"),
    ("tiktok.com", "tiktok"), ("youtube.com", "youtube"), ("youtu.be", "youtube"),
    ("twitter.com", "x"), ("x.com", "x"), ("facebook.com", "facebook"), ("fb.com", "facebook"),
    ("fb.watch", "facebook"), ("snapchat.com", "snapchat"), ("pinterest.", "pinterest"),
    ("pin.it", "pinterest"), ("twitch.tv", "twitch"), ("linkedin.com", "linkedin"),
)
_URL_FORMATS = (
    ("instagram", "/reel/", "reel"), ("instagram", "/reels/", "reel"),
    ("instagram", "/stories/", "story"), ("instagram", "/tv/", "video"),
    ("youtube", "/shorts/", "short"), ("youtube", "/live/", "live"),
    ("youtube", "/watch", "video"), ("tiktok", "/video/", "video"),
)


def _fold(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_fold(name): canonical for canonical, names in table.items() for name in names}


_PLATFORMS = _lookup(_PLATFORM_NAMES)
_FORMATS = _lookup(_FORMAT_NAMES)
assert set(_PLATFORMS.values()) <= set(PLATFORMS) and set(_FORMATS.values()) <= set(FORMATS)


@lru_cache(maxsize=1024)
def platform_name(value: str) -> str:
    return _PLATFORMS.get(_fold(value), "other")


@lru_cache(maxsize=1024)
def format_name(value: str) -> str:
    return _FORMATS.get(_fold(value), "post")


def platform_from_url(url: str) -> str | None:
    host = _host(url)
    for suffix, platform in _HOSTS:
        if suffix.endswith(".") and (host.startswith(suffix) or f".{suffix}" in host):
            return platform
        if host == suffix or host.endswith("." + suffix):
            return platform
    return None


def format_from_url(url: str, platform: str) -> str | None:
    path = _split(url).path.lower()
    if _host(url) == "youtu.be":
        return "video"
    for url_platform, marker, format_ in _URL_FORMATS:
        if url_platform == platform and marker in path:
            return format_
    return None


def _host(url: str) -> str:
    return (_split(url).hostname or "").lower()


def _split(url: str):
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        return urlsplit(text)
    except ValueError:
        return urlsplit("")
