"""Load and validate the playbook YAML (corpus/*.yaml)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from agent.errors import InvalidInput
from agent.retrieval.models import Entry
from agent.retrieval.yamlio import YAMLError, load_yaml


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "entry"
    return f"{where}: {first.get('msg', 'invalid')}"


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"语料文件 {path.name} 不是 UTF-8 编码。", f"Corpus file {path.name} is not UTF-8.",
                           file=str(path)) from exc
    except OSError as exc:
        raise InvalidInput(f"无法读取语料文件 {path.name}:{exc.strerror}。",
                           f"Cannot read corpus file {path.name}: {exc.strerror}.", file=str(path)) from exc
    try:
        return load_yaml(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark else ""
        line_en = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"语料文件 {path.name} {line}的 YAML 格式有误。",
                           f"Corpus file {path.name} is not valid YAML{line_en}.", file=str(path)) from exc


def load_file(path: Path) -> list[Entry]:
    data = _read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise InvalidInput(f"语料文件 {path.name} 的顶层应是条目列表。",
                           f"Corpus file {path.name} must be a YAML list of entries.", file=str(path))
    entries: list[Entry] = []
    for position, raw in enumerate(data, start=1):
        name = raw.get("id", f"#{position}") if isinstance(raw, dict) else f"#{position}"
        try:
            entries.append(Entry.model_validate(raw))
        except ValidationError as exc:
            detail = _describe(exc)
            raise InvalidInput(f"语料文件 {path.name} 中的条目 {name} 不合规:{detail}",
                               f"Entry {name} in {path.name} is invalid: {detail}",
                               file=str(path), entry=str(name)) from exc
    return entries


def load_corpus(corpus_dir: Path) -> list[Entry]:
    """Every entry of every ``*.yaml`` / ``*.yml`` file in ``corpus_dir``, validated, ids unique."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise InvalidInput(f"找不到语料目录 {corpus_dir}。", f"Corpus directory {corpus_dir} does not exist.",
                           path=str(corpus_dir))
    files = sorted([*corpus_dir.glob("*.yaml"), *corpus_dir.glob("*.yml")])
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    avoid_seen: dict[str, str] = {}
    for path in files:
        for entry in load_file(path):
            if entry.id in seen:
                raise InvalidInput(f"条目 id {entry.id} 重复({seen[entry.id]} 与 {path.name})。",
                                   f"Duplicate entry id {entry.id} ({seen[entry.id]} and {path.name}).",
                                   entry=entry.id)
            seen[entry.id] = path.name
            for avoid in entry.must_avoid:
                if avoid.id in avoid_seen:
                    raise InvalidInput(f"禁忌 id {avoid.id} 重复(条目 {avoid_seen[avoid.id]} 与 {entry.id})。",
                                       f"Duplicate must_avoid id {avoid.id} ({avoid_seen[avoid.id]} and {entry.id}).",
                                       entry=entry.id)
                avoid_seen[avoid.id] = entry.id
            entries.append(entry)
    if not entries:
        raise InvalidInput(f"语料目录 {corpus_dir} 中没有任何条目。", f"No entries found in {corpus_dir}.",
                           path=str(corpus_dir))
    return entries
