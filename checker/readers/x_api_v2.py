"""X API v2 post lookups.

`GET /2/tweets?ids=...&expansions=author_id&tweet.fields=created_at,lang,note_tweet
&user.fields=username,public_metrics` returns `{"data": [...], "includes":
{"users": [...]}}`; `data` is a single object for one post. Posts longer than
280 characters carry their full text in `note_tweet.text`.
"""
from __future__ import annotations

from typing import Any

from .records import Envelope, Fields, Given, RawRecord
from .shape import Shape, handle, member, put


def _matches(record: dict, envelope: Envelope) -> bool:
    return (isinstance(record.get("edit_history_tweet_ids"), list)
            or isinstance(record.get("note_tweet"), dict)
            or ("author_id" in record and "text" in record and bool(_users(envelope))))


def _to_fields(raw: RawRecord) -> Fields:
    post = raw.value
    author = _users(raw.envelope).get(str(post.get("author_id")), {})
    username = author.get("username") if isinstance(author.get("username"), str) else None
    fields: Fields = {"platform": Given("", "x"), "format": Given("", "post")}
    put(fields, "id", "id", post.get("id"))
    _put_text(fields, post)
    put(fields, "author", "includes.users.username" if username else "author_id",
        handle(username) if username else post.get("author_id"))
    put(fields, "followers", "includes.users.public_metrics.followers_count",
        member(author, "public_metrics.followers_count"))
    put(fields, "posted_at", "created_at", post.get("created_at"))
    put(fields, "language", "lang", post.get("lang"))
    post_id = post.get("id")
    if isinstance(post_id, (str, int)) and str(post_id):
        fields["url"] = Given("id", f"https://x.com/{username or 'i/web'}/status/{post_id}")
    return fields


def _put_text(fields: Fields, post: dict) -> None:
    long_text = member(post, "note_tweet.text")
    if isinstance(long_text, str) and long_text.strip():
        fields["text"] = Given("note_tweet.text", long_text)
    else:
        put(fields, "text", "text", post.get("text"))


def _users(envelope: Envelope) -> dict[str, dict[str, Any]]:
    includes = envelope.members.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(users, list):
        return {}
    return {str(user.get("id")): user for user in users if isinstance(user, dict)}


X_API_V2 = Shape("x-api-v2", _matches, _to_fields, needs_whole_envelope=True)
