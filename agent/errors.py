"""Typed, bilingual errors. Every user-facing failure is one of these: the CLI prints
``message`` and exits non-zero, the API turns it into a 4xx JSON body. Never a traceback."""

from __future__ import annotations


class WuyeError(Exception):
    """Base class. ``code`` is stable for machines; the two messages are for people."""

    code = "error"
    exit_code = 2

    def __init__(self, zh: str, en: str, *, code: str | None = None, **details: object) -> None:
        self.zh = zh
        self.en = en
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    def to_dict(self) -> dict:
        return {"code": self.code, "message_zh": self.zh, "message_en": self.en, **self.details}


class InvalidInput(WuyeError):
    """The caller gave something unusable (empty, too long, unknown vocabulary, bad file)."""

    code = "invalid_input"


class IndexMissing(WuyeError):
    """The Chroma index is missing or unreadable: the fix is `wuye corpus build`."""

    code = "index_missing"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "检索索引不存在或已损坏,请先运行 `wuye corpus build`。" + (f"({detail})" if detail else ""),
            "The retrieval index is missing or corrupt; run `wuye corpus build` first."
            + (f" ({detail})" if detail else ""),
        )


class ModelError(WuyeError):
    """The configured model failed (after retries and the repair attempt)."""

    code = "model_error"


class NotFound(WuyeError):
    code = "not_found"


class Conflict(WuyeError):
    """The request does not fit the current state (already decided, in progress …): HTTP 409."""

    code = "conflict"


class Forbidden(WuyeError):
    """The caller's role may not do this: HTTP 403."""

    code = "forbidden"
