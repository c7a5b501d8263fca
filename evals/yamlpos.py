"""YAML / JSONL loading that remembers where every value came from (file line), so schema
errors can say ``file:line: field``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class SourceError(Exception):
    """A file could not be parsed at all: carries the 1-based line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass
class Located:
    """Parsed data plus a map from a JSON path (keys / list indexes) to a 1-based line."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, where: Path_) -> int:
        """The line of the deepest known prefix of ``where`` (a missing field → its parent)."""
        where = tuple(where)
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, here: Path_, lines: dict[Path_, int]) -> None:
    lines[here] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _walk(value_node, (*here, key), lines)
            lines[(*here, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*here, index), lines)


def _yaml_error(path: Path, exc: yaml.YAMLError) -> SourceError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc)
    return SourceError(path, line, f"YAML 语法错误 / YAML syntax error: {problem}")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceError(path, 1, "文件不存在 / file not found") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, 1, "不是 UTF-8 编码 / not UTF-8 encoded") from exc
    except OSError as exc:
        raise SourceError(path, 1, f"无法读取 / cannot read: {exc.strerror}") from exc


def load_yaml(path: Path) -> Located:
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from exc
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return Located(path=path, data=data, lines=lines)


def load_jsonl(path: Path) -> Located:
    """A JSON-lines file as a list; list index i → its line. Blank lines are skipped."""
    items: list[Any] = []
    lines: dict[Path_, int] = {(): 1}
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            items.append(json.loads(raw))
        except json.JSONDecodeError as exc:
            raise SourceError(path, number, f"不是合法的 JSON / invalid JSON: {exc.msg}") from exc
        lines[(len(items) - 1,)] = number
    return Located(path=path, data=items, lines=lines)


def load_any(path: Path) -> Located:
    return load_jsonl(path) if path.suffix == ".jsonl" else load_yaml(path)
