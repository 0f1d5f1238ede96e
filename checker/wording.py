"""Small pieces of wording every message uses: counts and suggestions."""
from __future__ import annotations

import difflib
from typing import Iterable


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 finding`, `2 findings`; `many` for irregular plurals."""
    word = noun if count == 1 else (many or noun + "s")
    return f"{count:,} {word}"


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate `word` is most likely a misspelling of, if any is close."""
    options = list(dict.fromkeys(candidates))
    folded = {option.casefold(): option for option in options}
    if word.casefold() in folded:
        return folded[word.casefold()]
    found = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=cutoff)
    return folded[found[0]] if found else None


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """` (did you mean 'X'?)`, or nothing when no candidate is close."""
    match = closest(word, candidates, cutoff)
    return f" (did you mean {match!r}?)" if match and match != word else ""


def listing(items: Iterable[str], limit: int = 5) -> str:
    """`a, b, c` or `a, b, c and 7 more`."""
    items = list(items)
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit:,} more"
