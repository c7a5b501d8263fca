"""Reading a cue in its context: is it negated, hypothetical, somewhere else, or over?

A safety cue ("火灾", "被困", "媒体") only makes a complaint major when it is live: said of this estate,
now, as a fact. ``live`` answers that for one regex match from the sentence around it; ``sentences``
splits a complaint into sentences with their offsets (the issues list is built from them).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
_HYPOTHETICAL = re.compile(
    r"如果|万一|要是|假如|假若|倘若|若是|一旦|等到|真要|难道|才会|才能|会不会|可能会|可能导致|可能引发|容易|极易|隐患|风险|"
    r"以免|避免|防止|预防|否则|迟早|随时可能|将会|会造成|会引发|会导致|小心|注意|if |in case")
_NEGATION = re.compile(r"(?:没有|没|未|无|不是|并非|不会|不曾|从未|不存在|并无|没发生)[^，,。]{0,3}$")
_ELSEWHERE = re.compile(r"其他小区|别的小区|其它小区|隔壁小区|别的地方|外地|新闻|报道称|据报道|听说|网上看到|某地|全国各地|有的小区|"
                        r"一些小区|很多小区")
# hearsay, read in the whole sentence: a rumour passed on or asked about, not a fact the owner states
_HEARSAY = re.compile(r"据说|传言|传闻|听.{1,4}说|是真的吗|是不是真的|真的假的")
_PAST = re.compile(r"去年|前年|\d+年前|以前|曾经|当年|过去|早年|上次|那次|有一次|那事|那件事|\d{4}年")
_NOW = re.compile(r"现在|至今|仍然|仍|还在|还是|目前|如今|一直|正在|今天|昨天|昨晚|刚才|今年|本月|这几天|每天|天天|已经|又")


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) for every sentence of ``text``."""
    return [(m.start(), m.end(), m.group(0)) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def sentence_at(text: str, position: int) -> tuple[int, str]:
    """The sentence holding ``position``: (its start, its text; the end mark included)."""
    stops = _sentence_stops(text)
    k = bisect_left(stops, position)  # stops[k - 1] < position <= stops[k]
    start = stops[k - 1] + 1 if k else 0
    end = stops[k] + 1 if k < len(stops) else len(text)
    return start, text[start:end]


_SENTENCE_STOP = re.compile("[。！？!?；;\n]")


@lru_cache(maxsize=8)
def _sentence_stops(text: str) -> tuple[int, ...]:
    """Offsets of every sentence end of ``text``, found once per text (every cue of a letter asks)."""
    return tuple(m.start() for m in _SENTENCE_STOP.finditer(text))


_CLAUSE_STOP = re.compile("[。！？!?；;\n，,]")


@lru_cache(maxsize=8)
def _clause_stops(text: str) -> tuple[int, ...]:
    """Offsets of every clause stop of ``text``, found once per text (every cue of a letter asks)."""
    return tuple(m.start() for m in _CLAUSE_STOP.finditer(text))


def _clause_at(text: str, position: int) -> tuple[int, str, str]:
    """The clause (between commas) holding ``position``: its start, its text, and the clause before it."""
    stops = _clause_stops(text)
    k = bisect_left(stops, position)  # stops[k - 1] < position <= stops[k]
    start = stops[k - 1] + 1 if k else 0
    end = stops[k] if k < len(stops) else len(text)
    before_start = stops[k - 2] + 1 if k >= 2 else 0
    previous = text[before_start:start - 1] if start and text[start - 1] in "，," else ""
    return start, text[start:end], previous


def live(text: str, match: re.Match[str]) -> bool:
    """True when the cue at ``match`` is stated as a present fact of this estate (read in its clause)."""
    start, clause, previous = _clause_at(text, match.start())
    before = clause[:match.start() - start]
    if _NEGATION.search(before) or _HYPOTHETICAL.search(clause) or _HYPOTHETICAL.search(previous) \
            or _ELSEWHERE.search(clause) or _HEARSAY.search(sentence_at(text, match.start())[1]):
        return False
    return not (_PAST.search(clause) and not _NOW.search(clause))


def first_live(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    """The first live match of any of ``patterns``."""
    for pattern in patterns:
        for match in pattern.finditer(text):
            if live(text, match):
                return match
    return None
