"""Text normalisation and query validation shared by indexing, search and ingest.

Indexing always sees the Simplified, NFKC-normalised, lower-cased form; callers keep
the original text for display.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from agent.errors import InvalidInput

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # small C extension, ~40 ms

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), Traditional → Simplified, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = to_simplified(text).lower()
    return _SPACES.sub(" ", text).strip()


def has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in _ALLOWED_CONTROLS for ch in text)


def validate_query(query: object, max_chars: int) -> str:
    """Return the query stripped, or raise InvalidInput with a bilingual reason."""
    if not isinstance(query, str):
        raise InvalidInput("查询内容必须是文本。", "The query must be a string.")
    if has_control_chars(query):
        raise InvalidInput("查询中含有控制字符,请删除后重试。",
                           "The query contains control characters; remove them and try again.")
    stripped = query.translate(_INVISIBLE).strip()
    if not stripped:
        raise InvalidInput("查询内容为空,请输入业主反映的问题或想查的话术。",
                           "The query is empty; type the owner's complaint or the technique you need.")
    if len(stripped) > max_chars:
        raise InvalidInput(f"查询过长({len(stripped)} 字),上限为 {max_chars} 字,请精简后再查。",
                           f"The query is too long ({len(stripped)} characters; the limit is {max_chars}).",
                           length=len(stripped), limit=max_chars)
    return stripped
