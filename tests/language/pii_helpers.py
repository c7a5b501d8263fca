"""Assertions the PII tests share (test_pii_context.py, test_pii_forms.py)."""

from __future__ import annotations

from agent.understand.pii import find_pii, mask_pii, unmask


def values(text: str, kind: str) -> list[str]:
    """The values of ``kind`` found in ``text``, in order."""
    return [value for _s, _e, k, value in find_pii(text) if k == kind]


def kinds_of(text: str) -> dict[str, str]:
    return {value: kind for _s, _e, kind, value in find_pii(text)}


def assert_masked_as(text: str, value: str, kind: str) -> None:
    """``value`` is masked in ``text`` as ``kind`` and unmasking gives the text back."""
    masked = mask_pii(text)
    assert value not in masked.text, masked.text
    assert kinds_of(text).get(value) == kind, find_pii(text)
    assert unmask(masked.text, masked.mapping) == text


def assert_no_names(text: str) -> None:
    assert all(kind != "name" for _s, _e, kind, _v in find_pii(text)), find_pii(text)
