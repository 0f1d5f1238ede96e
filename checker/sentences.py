"""Where the sentences of a text field begin and end.

Context is judged within a sentence: "wearing" makes the @mention next to it
a brand tag, a negation scoped to its sentence cancels only what it stands
with. Captions punctuate loosely, so a line break and the separators people
put between phrases (" / ", " | ", " • ") end a sentence too.
"""
from __future__ import annotations

import re
from bisect import bisect_right

# Final punctuation before a space or the end (not the dots of a URL or
# a handle), a line break, or a spaced separator.
_BOUNDARY = re.compile(r"[.!?…]+(?=\s|$)|\n|\s[/|•·]\s")


class Sentences:
    """The sentence boundaries of one text, found once."""

    __slots__ = ("ends",)

    def __init__(self, text: str) -> None:
        self.ends = [match.end() for match in _BOUNDARY.finditer(text)]

    def index(self, offset: int) -> int:
        """The number of the sentence `offset` falls in (0 for the first)."""
        return bisect_right(self.ends, offset)

    def same(self, first: int, second: int) -> bool:
        return self.index(first) == self.index(second)

    def bounds(self, index: int, length: int) -> tuple[int, int]:
        """Where sentence `index` of a text of `length` characters starts and ends."""
        start = self.ends[index - 1] if index > 0 else 0
        return start, self.ends[index] if index < len(self.ends) else length
