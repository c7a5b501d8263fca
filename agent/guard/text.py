"""Text preparation for matching: Traditional → Simplified, full-width → half-width, lower case,
with an offset map back into the original string, and clause / sentence boundaries."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

# one character in, one character out: offsets stay identical
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_WIDTH.update({0x3000: 0x20, 0xFF0D: 0x2D, 0xFF0B: 0x2B, 0xFF20: 0x40, 0xFF0E: 0x2E, 0xFF1A: 0x3A})
_WIDTH.update({0xFF0C: 0x2C, 0xFF01: 0x21, 0xFF1F: 0x3F, 0xFF1B: 0x3B, 0xFF08: 0x28, 0xFF09: 0x29})  # ，！？；（）
_WIDTH.update({0x2014: 0x2D, 0x2013: 0x2D, 0xFE63: 0x2D})  # dashes

CLAUSE_SPLIT = re.compile(r"[,，、;；。！!？?\n\r…~～:：“”\"「」『』()（）]+")
SENTENCE_SPLIT = re.compile(r"[。！!？?;；\n\r]+|…{2,}")


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified_same_length(text: str) -> str:
    """OpenCC t2s, guaranteed to keep one output character per input character."""
    conv = _converter()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:  # rare: a phrase conversion changed the length; map char by char
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


@dataclass
class Prepared:
    """The original text, its normalised twin (same length) and boundaries."""

    original: str
    norm: str
    clause_starts: list[int] = field(default_factory=list)
    clause_ends: list[int] = field(default_factory=list)
    sentence_starts: list[int] = field(default_factory=list)
    sentence_ends: list[int] = field(default_factory=list)
    chars: frozenset[str] = frozenset()  # the characters of ``norm``, for the regex prefilter
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # per-engine candidates

    def _span(self, starts: list[int], ends: list[int], pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return 0, len(self.norm)
        return starts[i], ends[i]

    def clause(self, pos: int) -> tuple[int, int]:
        return self._span(self.clause_starts, self.clause_ends, pos)

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._span(self.sentence_starts, self.sentence_ends, pos)


def _bounds(text: str, splitter: re.Pattern[str]) -> tuple[list[int], list[int]]:
    starts, ends, pos = [], [], 0
    for m in splitter.finditer(text):
        if m.start() > pos:
            starts.append(pos)
            ends.append(m.start())
        pos = m.end()
    if pos < len(text):
        starts.append(pos)
        ends.append(len(text))
    return starts, ends


@lru_cache(maxsize=1024)
def prepare(text: str) -> Prepared:
    """Cached: the validator families of one Guard call share the preparation."""
    norm = to_simplified_same_length(text).translate(_WIDTH)
    lowered = norm.lower()
    if len(lowered) != len(norm):  # e.g. "İ" lower-cases to two characters: keep offsets exact
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in norm)
    norm = lowered
    cs, ce = _bounds(norm, CLAUSE_SPLIT)
    ss, se = _bounds(norm, SENTENCE_SPLIT)
    return Prepared(text, norm, cs, ce, ss, se, frozenset(norm))
