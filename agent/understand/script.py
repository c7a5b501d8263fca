"""Simplified / Traditional Chinese: detect what the owner wrote, convert drafts to match (OpenCC).

Detection counts characters that change under OpenCC ``t2s`` (Traditional-only characters) against
those that change under ``s2t`` (Simplified-only characters); ties and text without Chinese are
Simplified. Drafts are written in Simplified and converted with ``s2twp`` (Taiwan standard, with
Taiwanese phrasing such as 資訊、軟體) or, when the owner's text reads as Hong Kong Chinese
(Cantonese particles 嘅/咗/唔/冇/喺…, or the HK form 裏), with ``s2hk``.
"""

from __future__ import annotations

import operator
import re
from functools import lru_cache

from agent.vocab import Script

_HK_MARKERS = re.compile(r"[嘅咗唔冇喺哋佢啲嚟嗰噉乜]|點解|邊個|係咪|裏")


@lru_cache(maxsize=8)
def _converter(config: str):  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC(config)


def _changed_chars(text: str, config: str) -> int:
    converted = _converter(config).convert(text)
    if converted == text:
        return 0
    if len(converted) == len(text):
        return sum(map(operator.ne, text, converted))
    return sum(1 for ch in set(text) if _converter(config).convert(ch) != ch)


def detect_script(text: str) -> Script:
    """``Script.traditional`` when the text has more Traditional-only than Simplified-only characters."""
    if not text:
        return Script.simplified
    traditional = _changed_chars(text, "t2s")
    simplified = _changed_chars(text, "s2t")
    return Script.traditional if traditional > simplified else Script.simplified


def detect_variant(text: str) -> str:
    """``"hk"`` for Hong Kong-style Traditional text, else ``"tw"``."""
    return "hk" if _HK_MARKERS.search(text or "") else "tw"


@lru_cache(maxsize=1024)
def to_simplified(text: str) -> str:
    """Traditional (any variant) -> Simplified; Simplified text is returned unchanged. Remembered for
    the last 1,024 texts: one request converts its complaint and drafts in several places."""
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str, variant: str = "tw") -> str:
    """Simplified -> natural Traditional: ``s2twp`` for ``tw`` (default), ``s2hk`` for ``hk``."""
    if not text:
        return text
    return _converter("s2hk" if variant == "hk" else "s2twp").convert(text)


def to_script(text: str, script: Script | str, variant: str = "tw") -> str:
    """Convert ``text`` to ``script``. Drafts are written in Simplified; this is the last step."""
    if Script(script) is Script.traditional:
        return to_traditional(text, variant)
    return to_simplified(text)


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")  # counted by runs: a long letter has thousands of characters
_NOT_WORDS = re.compile(r"〔[^〕]*〕|[A-Za-z]\d+|\d+[A-Za-z]+|(?<![A-Za-z])(?:QQ|VX|WX|ID|OK|APP|app|Wi-?Fi|wifi|KTV|WeChat)(?![A-Za-z])")


def detect_language(text: str) -> str:
    """Which language the owner wrote in: ``zh-Hans``, ``zh-Hant``, ``en`` or ``mixed``.

    English words (two letters or more; plates, placeholders and common acronyms such as QQ/KTV do not
    count) against Chinese characters: English only → ``en``; at least three English words and some
    Chinese, with English a real part of the text → ``mixed``; otherwise Chinese, in its script."""
    if not text:
        return "zh-Hans"
    cleaned = _NOT_WORDS.sub(" ", text)
    words = _LATIN_WORD.findall(cleaned)
    if words:  # no English word: Chinese (counting the Chinese characters of a long letter takes time)
        cjk = sum(m.end() - m.start() for m in _CJK_RUN.finditer(cleaned))
        latin_chars = sum(len(w) for w in words)
        if cjk <= 2 and latin_chars >= 6:
            return "en"
        if len(words) >= 3 and cjk and latin_chars >= 0.2 * cjk:
            return "mixed"
    return "zh-Hant" if detect_script(text[:400]) is Script.traditional else "zh-Hans"  # the script shows early
