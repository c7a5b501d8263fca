"""`wuye corpus ingest`: a company's own raw playbook documents → searchable passages.

Per file: read (UTF-8 .txt / .md), split into passages (splitter.py), then decide for each
passage, in this order: website boilerplate, too short, exact duplicate (same normalised
text), near duplicate (character-shingle Jaccard ≥ threshold against every passage kept so
far, including earlier ingests), off-topic (domain.yaml relevance score). Kept passages are
embedded into the ``<collection>_docs`` Chroma collection with their original text.
A bad file is reported with a bilingual reason and the other files continue.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.errors import InvalidInput
from agent.retrieval.splitter import Passage, content_chars, split_document
from agent.retrieval.yamlio import load_yaml
from agent.settings import Settings

DOMAIN_PATH = Path(__file__).resolve().parent / "domain.yaml"
SUPPORTED = {".txt", ".md", ".markdown"}
MAX_BYTES = 5 * 1024 * 1024
KEPT, INDEXED = "kept", "already_indexed"
REASONS = ("boilerplate", "too_short", "duplicate", "near_duplicate", "off_topic")


@lru_cache(maxsize=1)
def domain_rules() -> dict[str, Any]:
    return load_yaml(DOMAIN_PATH.read_text(encoding="utf-8"))


def relevance(norm: str, rules: dict[str, Any]) -> tuple[float, float]:
    """(on-domain weight, off-domain weight) of normalised text; each term counts at most twice."""
    def weight(groups: dict[str, list[str]]) -> float:
        total = 0.0
        for level, factor in (("strong", 1.0), ("weak", 0.4)):
            total += sum(min(norm.count(term), 2) * factor for term in groups.get(level, []))
        return total

    return weight(rules["domain"]), weight(rules["off_domain"])


def shingles(norm: str, n: int = 2) -> frozenset[str]:
    """Character n-grams of the text without punctuation and digits (item numbers differ)."""
    core = "".join(ch for ch in norm if ch.isalpha())
    return frozenset(core[i:i + n] for i in range(max(1, len(core) - n + 1)))


def text_hash(norm: str) -> str:
    core = "".join(ch for ch in norm if ch.isalnum())
    return hashlib.sha1(core.encode("utf-8")).hexdigest()[:20]


@dataclass
class Decision:
    number: int
    decision: str
    reason: str
    excerpt: str


@dataclass
class FileReport:
    path: str
    passages: int = 0
    counts: dict[str, int] = field(default_factory=Counter)
    decisions: list[Decision] = field(default_factory=list)
    error: dict[str, str] | None = None


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    added: int = 0

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    def totals(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for f in self.files:
            out.update(f.counts)
        return {key: out.get(key, 0) for key in (KEPT, INDEXED, *REASONS)}

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "totals": self.totals(),
                "files": [{**asdict(f), "counts": dict(f.counts)} for f in self.files]}


def read_document(path: Path) -> str:
    if path.suffix.lower() not in SUPPORTED:
        raise InvalidInput(f"不支持的文件类型:{path.name}(支持 .txt、.md)。",
                           f"Unsupported file type: {path.name} (use .txt or .md).", file=str(path))
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInput(f"文件 {path.name} 超过 5 MB,请拆分后再导入。",
                               f"{path.name} is larger than 5 MB; split it first.", file=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}:{exc.strerror or exc}。", f"Cannot read {path}: {exc.strerror or exc}.",
                           file=str(path)) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"文件 {path.name} 不是 UTF-8 编码,请另存为 UTF-8 后再导入。",
                           f"{path.name} is not UTF-8 encoded; save it as UTF-8 and try again.",
                           file=str(path)) from exc


class _Deduper:
    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.hashes: set[str] = set()
        self.kept: list[frozenset[str]] = []

    def add(self, norm: str) -> None:
        self.hashes.add(text_hash(norm))
        self.kept.append(shingles(norm))

    def near(self, norm: str) -> float:
        mine = shingles(norm)
        best = 0.0
        for other in self.kept:
            union = len(mine | other)
            if union:
                best = max(best, len(mine & other) / union)
        return best


def classify(passages: list[Passage], dedupe: _Deduper, stored: set[str], rules: dict[str, Any],
             report: FileReport) -> list[Passage]:
    """Decide every passage; return those to index."""
    chosen: list[Passage] = []
    for p in passages:
        h = text_hash(p.normalised)
        on, off = relevance(p.normalised, rules)
        if p.boilerplate:
            decision, reason = "boilerplate", p.boilerplate
        elif content_chars(p.normalised) < int(rules["min_chars"]):
            decision, reason = "too_short", f"{content_chars(p.normalised)} chars"
        elif p.tail:
            irrelevant = on < float(rules["min_on"]) or on < float(rules["on_to_off_ratio"]) * off
            decision = "off_topic" if irrelevant else "boilerplate"
            reason = f"related-articles tail; domain {on:.1f} vs off-domain {off:.1f}"
        elif h in stored and h not in dedupe.hashes:
            decision, reason = INDEXED, "same text already in the index"
        elif h in dedupe.hashes:
            decision, reason = "duplicate", "same normalised text as an earlier passage"
        elif (similarity := dedupe.near(p.normalised)) >= float(rules["near_duplicate_jaccard"]):
            decision, reason = "near_duplicate", f"jaccard {similarity:.2f}"
        elif on < float(rules["min_on"]) or on < float(rules["on_to_off_ratio"]) * off:
            decision, reason = "off_topic", f"domain {on:.1f} vs off-domain {off:.1f}"
        else:
            decision, reason = KEPT, f"domain {on:.1f} vs off-domain {off:.1f}"
        if decision in (KEPT, INDEXED):
            dedupe.add(p.normalised)
        if decision == KEPT:
            chosen.append(p)
        report.counts[decision] += 1
        report.decisions.append(Decision(p.number, decision, reason, p.original[:40]))
    return chosen


def ingest_paths(settings: Settings, paths: list[Path], *, progress: bool = False) -> IngestReport:
    from agent.retrieval.embedding import get_embedding
    from agent.retrieval.index import get_or_create, upsert_embedded
    from agent.retrieval.store import docs_collection_name, get_client

    rules = {**domain_rules()}
    embedding = get_embedding(settings)
    client = get_client(settings, create=True)
    collection, _ = get_or_create(client, docs_collection_name(settings), embedding)
    existing = collection.get(include=["documents", "metadatas"])
    stored = {m.get("hash", "") for m in existing["metadatas"]}
    dedupe = _Deduper(float(rules["near_duplicate_jaccard"]))
    for norm in existing["documents"]:
        dedupe.kept.append(shingles(norm))

    report = IngestReport()
    to_index: list[Passage] = []
    for path in _expand(paths):
        file_report = FileReport(str(path))
        report.files.append(file_report)
        try:
            text = read_document(path)
        except InvalidInput as exc:
            file_report.error = {"message_zh": exc.zh, "message_en": exc.en}
            continue
        passages = split_document(path.name, text, rules)
        file_report.passages = len(passages)
        to_index += classify(passages, dedupe, stored, rules, file_report)

    ids = [f"doc.{text_hash(p.normalised)}" for p in to_index]
    metas = [{"kind": "passage", "file": p.file, "title": p.title, "source": p.source, "original": p.original,
              "hash": text_hash(p.normalised)} for p in to_index]
    upsert_embedded(collection, embedding, ids, [p.normalised for p in to_index], metas,
                    progress=progress, label="导入文档 Ingesting passages")
    report.added = len(ids)
    return report


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
        else:
            out.append(path)
    return out
