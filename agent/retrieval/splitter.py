"""Split a raw .txt / .md playbook document into passages, keeping the original text.

Rules: Markdown headings and short title-like lines set the current title; numbered items
(1. 1、 (1) 一、 第一 …), blank lines and a line ending a sentence close a passage; long
paragraphs are cut at sentence ends. Everything after a "related articles" marker is
flagged as the page's tail. Website furniture (copyright lines, view counters, "related articles"
teasers cut off with an ellipsis) is recognised here and reported as boilerplate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.retrieval.text import normalise

_HEADING_MD = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
_NUMBERED = re.compile(
    r"^\s*(?:[(（]?\d{1,2}[)）.、,，:：]|\d{1,2}\s|[一二三四五六七八九十]{1,3}[、.．]|第[一二三四五六七八九十\d]+[条点步章节]"
    r"|[•·●▪◆■\-*]\s*|[①-⑳])")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_SENTENCE_FINAL = re.compile(r"[。！？!?；;…」”\"]$")
_PUNCT = re.compile(r"[，。！？、；：,.!?;:“”\"'‘’（）()《》【】\[\]\s]")


@dataclass
class Passage:
    file: str
    number: int
    title: str
    original: str
    boilerplate: str = ""          # the reason when this is website furniture
    tail: bool = False             # after a "related articles" marker
    normalised: str = field(init=False)

    def __post_init__(self) -> None:
        self.normalised = normalise(self.original)

    @property
    def source(self) -> str:
        return f"{self.file} § {self.title} · 段 {self.number}" if self.title else f"{self.file} § 段 {self.number}"


def _is_title_like(line: str, limit: int) -> bool:
    """A short line with no sentence punctuation reads as a heading ("处理投诉的基本原则")."""
    core = line.strip()
    return 0 < len(core) <= limit and not re.search(r"[。！？!?；;，,]", core)


def _boilerplate_reason(text: str, rules: dict) -> str:
    norm = normalise(text)
    for marker in rules.get("markers", []):
        if marker in norm:
            return f"marker:{marker}"
    if any(norm.rstrip().endswith(s) for s in rules.get("truncated_suffixes", [])):
        return "truncated teaser"
    return ""


def _chunks(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    out, current = [], ""
    for sentence in filter(None, _SENTENCE_END.split(text)):
        if current and len(current) + len(sentence) > max_chars:
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return out


def split_document(name: str, text: str, rules: dict) -> list[Passage]:
    """Passages in document order; boilerplate passages carry a reason and are not indexed."""
    max_chars = int(rules.get("max_chars", 320))
    boiler = rules.get("boilerplate", {})
    tail_markers = [normalise(m) for m in boiler.get("tail_markers", [])]
    blocks: list[tuple[str, list[str], bool]] = []   # (title, lines, in the related-articles tail)
    title, current, in_tail = "", [], False

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append((title, current, in_tail))
        current = []

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _HEADING_MD.match(raw)
        if heading:
            flush()
            title = heading.group(1).strip()
            continue
        if any(marker in normalise(line) for marker in tail_markers):
            flush()
            in_tail = True
        numbered = bool(_NUMBERED.match(line))
        if _boilerplate_reason(line, boiler) or numbered:
            flush()
            current = [line]
            if not numbered:   # a furniture line stands alone
                flush()
        elif not current and _is_title_like(line, 30):
            title = line
            continue
        else:
            current.append(line)
        if _SENTENCE_FINAL.search(line):
            flush()
    flush()

    passages: list[Passage] = []
    for block_title, lines, tail in blocks:
        for chunk in _chunks("".join(lines) if _mostly_cjk(lines) else " ".join(lines), max_chars):
            number = len(passages) + 1
            passages.append(Passage(name, number, block_title, chunk, _boilerplate_reason(chunk, boiler), tail))
    return passages


def _mostly_cjk(lines: list[str]) -> bool:
    text = "".join(lines)
    return sum("\u3400" <= ch <= "\u9fff" for ch in text) >= len(text) / 3


def content_chars(text: str) -> int:
    return len(_PUNCT.sub("", text))
