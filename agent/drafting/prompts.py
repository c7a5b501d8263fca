"""Versioned prompt templates (``prompts/*.j2``): YAML front matter + a Jinja2 body.

Front matter declares ``id``, ``part``, ``version`` and ``variables``. Templates are validated
when loaded: every variable the body uses must be declared, and every declared variable must be
used. Rendering uses ``StrictUndefined`` and refuses missing or unknown variables, so a prompt
never silently loses a piece of context. All parts of one prompt pack (e.g. ``draft``) must
carry the same ``id`` and ``version``; that pair is recorded with every draft set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, meta

from agent.drafting.request import DraftRequest
from agent.errors import InvalidInput

_ENV = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                   trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    part: str
    version: str
    variables: tuple[str, ...]
    source: str
    path: Path
    compiled: Any = field(default=None, compare=False, repr=False)

    def render(self, **values: object) -> str:
        given, declared = set(values), set(self.variables)
        if given != declared:
            raise InvalidInput(
                f"提示词模板 {self.path.name} 的变量不匹配:缺少 {sorted(declared - given)},多出 {sorted(given - declared)}",
                f"prompt template {self.path.name}: missing variables {sorted(declared - given)}, "
                f"unknown variables {sorted(given - declared)}",
            )
        return (self.compiled or _ENV.from_string(self.source)).render(**values).strip()


@dataclass(frozen=True)
class PromptPack:
    """The templates that together make one prompt (system, user, repair), sharing id + version."""

    id: str
    version: str
    parts: dict[str, PromptTemplate]

    def __getitem__(self, part: str) -> PromptTemplate:
        return self.parts[part]

    @property
    def ref(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version}


def _bad(path: Path, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"提示词模板 {path.name} 无效:{zh}", f"invalid prompt template {path.name}: {en}")


def parse_template(path: Path) -> PromptTemplate:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _bad(path, "无法读取文件", f"cannot read it ({exc})") from exc
    if not raw.startswith("---\n") or "\n---\n" not in raw[4:]:
        raise _bad(path, "缺少 --- 包围的 YAML 头", "missing the YAML front matter between --- lines")
    head, body = raw[4:].split("\n---\n", 1)
    try:
        front = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        raise _bad(path, "YAML 头格式错误", f"front matter is not valid YAML ({exc})") from exc
    missing = [key for key in ("id", "part", "version", "variables") if key not in front]
    if missing:
        raise _bad(path, f"YAML 头缺少 {missing}", f"front matter lacks {missing}")
    variables = tuple(front["variables"] or ())
    try:
        used = meta.find_undeclared_variables(_ENV.parse(body))
    except TemplateSyntaxError as exc:
        raise _bad(path, f"第 {exc.lineno} 行模板语法错误", f"syntax error at line {exc.lineno}: {exc.message}") from exc
    if used != set(variables):
        raise _bad(
            path,
            f"模板用到但未声明 {sorted(used - set(variables))},声明了却未使用 {sorted(set(variables) - used)}",
            f"undeclared variables {sorted(used - set(variables))}, unused declared variables "
            f"{sorted(set(variables) - used)}",
        )
    return PromptTemplate(str(front["id"]), str(front["part"]), str(front["version"]), variables, body, path,
                          _ENV.from_string(body))


def load_pack(prompts_dir: Path, pack: str = "draft", parts: tuple[str, ...] = ("system", "user", "repair")) -> PromptPack:
    """Load ``prompts/<pack>.<part>.j2`` for every part; cached per directory and file mtimes."""
    paths = [Path(prompts_dir) / f"{pack}.{part}.j2" for part in parts]
    for path in paths:
        if not path.is_file():
            raise _bad(path, f"文件不存在({path})", f"file not found ({path})")
    return _load_pack_cached(tuple(paths), tuple(p.stat().st_mtime_ns for p in paths), pack, parts)


@lru_cache(maxsize=16)
def _load_pack_cached(paths: tuple[Path, ...], _mtimes: tuple[int, ...], pack: str, parts: tuple[str, ...]) -> PromptPack:
    templates = {part: parse_template(path) for part, path in zip(parts, paths, strict=True)}
    for part, template in templates.items():
        if template.id != pack or template.part != part:
            raise _bad(template.path, f"id/part 应为 {pack}/{part}", f"id/part must be {pack}/{part}")
    versions = {template.version for template in templates.values()}
    if len(versions) != 1:
        raise _bad(paths[0], f"同一套提示词的版本号不一致 {sorted(versions)}",
                   f"the parts of prompt pack {pack!r} disagree on version: {sorted(versions)}")
    return PromptPack(pack, versions.pop(), templates)


def render_messages(pack: PromptPack, request: DraftRequest) -> list[dict[str, str]]:
    """The chat messages for one drafting call: the system prompt, then the user prompt carrying
    the masked complaint (``<complaint>``) and ``request.context()`` (``<context_json>``)."""
    user = pack["user"].render(
        complaint=request.complaint, context_json=json.dumps(request.context(), ensure_ascii=False),
        history=[turn.model_dump() for turn in request.history], failing=request.failing())
    return [{"role": "system", "content": pack["system"].render()}, {"role": "user", "content": user}]


def repair_message(pack: PromptPack, request: DraftRequest, error: str) -> str:
    """The one follow-up message after an answer that did not parse."""
    return pack["repair"].render(error=error, expected_stages=[s.value for s in request.stages])
