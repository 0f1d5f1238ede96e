"""Instagram Graph API media objects.

`GET /{ig-user-id}/media?fields=id,caption,media_type,media_product_type,
permalink,timestamp,username` returns `{"data": [...], "paging": {...}}`;
business discovery nests the same list under
`business_discovery.media.data`, next to the account's `followers_count`.
"""
from __future__ import annotations

from typing import Any

from .records import Envelope, Fields, Given, RawRecord
from .shape import Shape, handle, put

_MEDIA_TYPES = frozenset({"IMAGE", "VIDEO", "CAROUSEL_ALBUM"})
_PRODUCT_FORMATS = {"STORY": "story", "REELS": "reel", "FEED": "post", "AD": "post"}
_FLAG_FIELDS = ("is_paid_partnership", "paid_partnership", "branded_content")
_PARTNER_FIELDS = ("branded_content_partner", "branded_content_partners",
                   "sponsor_tags", "paid_partnership_partners")


def _matches(record: dict, envelope: Envelope) -> bool:
    # A permalink alone is not enough: the project's own exports carry one too.
    return (record.get("media_type") in _MEDIA_TYPES or "media_product_type" in record
            or "business_discovery" in envelope.members)


def _to_fields(raw: RawRecord) -> Fields:
    media = raw.value
    account = _account(raw)
    fields: Fields = {"platform": Given("", "instagram")}
    put(fields, "id", "id", media.get("id"))
    put(fields, "text", "caption", media.get("caption"))
    put(fields, "author", "username", handle(media.get("username") or account.get("username")))
    put(fields, "url", "permalink", media.get("permalink"))
    put(fields, "posted_at", "timestamp", media.get("timestamp"))
    put(fields, "followers", "followers_count", account.get("followers_count"))
    fields["format"] = Given("media_product_type", _format(media))
    _put_partnership(fields, media)
    return fields


def _account(raw: RawRecord) -> dict:
    """The account the media belongs to: the business-discovery object, or
    the media's own `owner` expansion."""
    discovery = raw.envelope.members.get("business_discovery")
    if isinstance(discovery, dict):
        return discovery
    owner = raw.value.get("owner")
    return owner if isinstance(owner, dict) else {}


def _format(media: dict) -> str:
    product = media.get("media_product_type")
    if isinstance(product, str) and product.upper() in _PRODUCT_FORMATS:
        if product.upper() == "FEED" and media.get("media_type") == "VIDEO":
            return "video"
        return _PRODUCT_FORMATS[product.upper()]
    return "video" if media.get("media_type") == "VIDEO" else "post"


def _put_partnership(fields: Fields, media: dict) -> None:
    for name in _FLAG_FIELDS:
        if media.get(name) is not None:
            fields["paid_partnership"] = Given(name, media[name])
            break
    for name in _PARTNER_FIELDS:
        partners = _partner_names(media.get(name))
        if partners:
            fields["paid_partnership"] = Given(name, True)
            fields["brand"] = Given(name, handle(partners[0]))
            return


def _partner_names(value: Any) -> list[str]:
    """Partners come as a name, an account object, a list of either, or a
    Graph edge ({"data": [...]})."""
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        value = value["data"]
    if not isinstance(value, list):
        value = [value]
    names = []
    for partner in value:
        if isinstance(partner, dict):
            partner = partner.get("username") or partner.get("name")
        if isinstance(partner, str) and partner.strip():
            names.append(partner.strip())
    return names


INSTAGRAM_GRAPH = Shape("instagram-graph", _matches, _to_fields)
