"""Fast scanning of long letters: a regex tried only where a match can start.

Python's regex engine tries a pattern at every character of the text unless the pattern begins with a
plain character or character class. A pattern that begins with a look-ahead (``(?=[0-9一二…])…``) or a
word boundary is therefore tried ~2 000 times on a long letter, and fails at almost every place.
``finditer_at`` gives exactly what ``pattern.finditer(text)`` gives, trying the pattern only at the
offsets where one of its matches can start (found by one fast pass of a plain character class).
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def starts(first: re.Pattern[str], text: str) -> list[int]:
    """Every offset of ``text`` where ``first`` (a class of possible first characters) matches."""
    return [m.start() for m in first.finditer(text)]


def finditer_at(pattern: re.Pattern[str], text: str, offsets: list[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, for a pattern that never matches the empty string and whose every
    match starts at one of ``offsets`` (ascending): leftmost matches, none overlapping the one before."""
    end = 0
    for offset in offsets:
        if offset < end:
            continue
        match = pattern.match(text, offset)  # look-behinds and \b still see the text before the offset
        if match:
            yield match
            end = match.end()
