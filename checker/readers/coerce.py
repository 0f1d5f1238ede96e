"""Turning a field's raw value into the type `Post` wants.

Obvious spellings are accepted ("44,100" followers, "yes", "GB, IE", a Unix
time); values of the wrong kind raise `ValueProblem`, whose message completes
the sentence "field 'X' ...".
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from .records import kind_of
from .vocabulary import format_name, platform_name


class ValueProblem(ValueError):
    pass


_TRUE = frozenset({"true", "yes", "y", "1", "on", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "off", "f", "none"})
_COUNTRY_FIXES = {"UK": "GB", "EL": "GR"}   # common, but not ISO 3166 alpha-2
_UNDETERMINED_LANGUAGES = frozenset({"und", "zxx", "mis", "mul"})
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
_COUNT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([kKmM])$")
_GROUPED_THOUSANDS = re.compile(r"^\d{1,3}(?:[,. \u00a0\u202f']\d{3})+$")
_UNIX_MILLISECONDS = 10**11


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueProblem(f"must be a string, got {kind_of(value)}")


def spoken_text(value: Any) -> str:
    """Transcripts and on-screen text also come as lists of lines or of
    timed segments ({"text": ..., "start": ...})."""
    if isinstance(value, list):
        return "\n".join(_segment_text(segment) for segment in value)
    return text(value)


def _segment_text(segment: Any) -> str:
    if isinstance(segment, str):
        return segment
    if isinstance(segment, dict) and isinstance(segment.get("text"), str):
        return segment["text"]
    raise ValueProblem(f"must be a string or a list of strings, got a list holding {kind_of(segment)}")


def identifier(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip()
    raise ValueProblem(f"must be a string or a number, got {kind_of(value)}")


def name(value: Any) -> str:
    """An author or brand. A profile object ({"username": ...}) gives its handle."""
    if isinstance(value, dict):
        for key in ("username", "handle", "screen_name", "unique_id", "name"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
        raise ValueProblem("must be a name, got an object without a username")
    return identifier(value)


def platform(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"must be a platform name such as 'instagram', got {kind_of(value)}")
    return platform_name(value)


def post_format(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"must be a format name such as 'reel', got {kind_of(value)}")
    return format_name(value)


def markets(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        codes = [part for part in re.split(r"[\s,;|/]+", value) if part]
    elif isinstance(value, list) and all(isinstance(code, str) for code in value):
        codes = [code.strip() for code in value if code.strip()]
    else:
        raise ValueProblem("must be a list of country codes or a string such as 'GB,IE', "
                           f"got {kind_of(value)}")
    return tuple(dict.fromkeys(_country(code) for code in codes))


@lru_cache(maxsize=512)     # a handful of codes, read on every record
def _country(code: str) -> str:
    upper = code.upper()
    if not re.fullmatch(r"[A-Z]{2}", upper):
        raise ValueProblem(f"has '{code}', which is not a two-letter country code (ISO 3166-1 alpha-2)")
    return _COUNTRY_FIXES.get(upper, upper)


def language(value: Any) -> str | None:
    """The primary language subtag, lower-case: 'en-US' -> 'en'. Codes that
    mean "no language" or "unknown" give None."""
    if not isinstance(value, str):
        raise ValueProblem(f"must be a language code such as 'en', got {kind_of(value)}")
    return _language_code(value)


@lru_cache(maxsize=512)
def _language_code(value: str) -> str | None:
    match = _LANGUAGE.match(value.strip())
    if not match:
        raise ValueProblem(f"must be a language code such as 'en' or 'de-AT', got '{value}'")
    primary = match.group(1).lower()
    if primary in _UNDETERMINED_LANGUAGES or re.fullmatch(r"q[a-t][a-z]", primary):
        return None
    return primary


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    shown = f"'{value}'" if isinstance(value, str) else kind_of(value)
    raise ValueProblem(f"must be true or false, got {shown}")


def count(value: Any) -> int:
    """A follower count: 44100, "44,100", "44 100", "44.1k", "1.2M"."""
    if isinstance(value, bool):
        raise ValueProblem("must be a whole number, got true/false")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return _non_negative(value)
    if isinstance(value, str):
        parsed = _count_from_text(value.strip())
        if parsed is not None:
            return _non_negative(parsed)
        raise ValueProblem(f"must be a whole number, got '{value}'")
    raise ValueProblem(f"must be a whole number, got {kind_of(value)}")


def _count_from_text(written: str) -> int | None:
    if len(written) > 30:   # no audience is that large; int() of thousands of digits is refused
        return None
    if written.isascii() and written.isdigit():
        return int(written)
    if _GROUPED_THOUSANDS.match(written):
        return int(re.sub(r"\D", "", written))
    scaled = _COUNT.match(written)
    if scaled:
        number = float(scaled.group(1).replace(",", "."))
        return round(number * (1_000 if scaled.group(2) in "kK" else 1_000_000))
    return None


def _non_negative(number: int) -> int:
    if number < 0:
        raise ValueProblem(f"must not be negative, got {number}")
    return number


def timestamp(value: Any) -> str:
    """ISO 8601 text is kept as given; Unix times (seconds or milliseconds,
    as numbers or digits) become ISO 8601 in UTC."""
    if isinstance(value, bool):
        raise ValueProblem("must be a date and time, got true/false")
    if isinstance(value, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", value.strip()):
        value = float(value)
    if isinstance(value, (int, float)):
        return _from_unix(value)
    if not isinstance(value, str):
        raise ValueProblem(f"must be a date and time, got {kind_of(value)}")
    given = value.strip()
    if parse_iso(given) is None and not _REDUCED_PRECISION.fullmatch(given):
        raise ValueProblem(f"must be an ISO 8601 date such as 2025-10-18T12:45:00Z, got '{value}'")
    return given


# ISO 8601 dates of reduced precision: a year ("2017") or a month ("2018-12"),
# as regulators' decisions and archives often date a post.
_REDUCED_PRECISION = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")


def _from_unix(seconds: float) -> str:
    if seconds > _UNIX_MILLISECONDS:
        seconds /= 1000
    try:
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueProblem(f"must be a date and time, got the number {seconds:g}") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(given: str) -> datetime | None:
    """Python 3.10's fromisoformat knows neither 'Z' nor '+0000'; both are ISO 8601."""
    normalised = re.sub(r"[zZ]$", "+00:00", given)
    normalised = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", normalised)
    try:
        return datetime.fromisoformat(normalised)
    except ValueError:
        return None


def url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"must be a web address, got {kind_of(value)}")
    return value.strip()


def expected(value: Any) -> dict:
    """Labelled data: an object such as {"verdict": "undisclosed"}, or just the verdict."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        written = value.strip()
        if written.startswith("{"):
            try:
                parsed = json.loads(written)
            except ValueError:
                raise ValueProblem("holds text that starts like a JSON object but is not valid JSON") from None
            if isinstance(parsed, dict):
                return parsed
        return {"verdict": written}
    raise ValueProblem(f"must be an object such as {{\"verdict\": \"undisclosed\"}}, got {kind_of(value)}")
