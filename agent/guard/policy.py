"""Load ``guardrails/policy.yaml`` + ``guardrails/lexicons/*.yaml`` and compile the rules.

The policy is data QA can review; this module validates it (bad files raise ``InvalidInput``
naming the file and rule) and turns each rule's pattern families into compiled regexes.
"""

from __future__ import annotations

import re
from pathlib import Path
from re import _constants as _C  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from agent.errors import InvalidInput
from agent.guard.models import Violation
from agent.vocab import RuleSeverity, Stage, ViolationCategory

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 20× faster start-up
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_SCOPES = ("before", "after", "clause", "sentence", "text")


class Source(BaseModel):
    file: str
    section: str


class PlaybookRef(BaseModel):
    """The playbook (corpus) entry a rule enforces: its must-avoid item id, the entry id and title."""

    model_config = {"extra": "forbid"}
    id: str
    entry: str
    title: str


class Context(BaseModel):
    """Regexes (macros allowed) searched in a scope around a hit."""

    model_config = {"extra": "forbid"}
    before: str | None = None  # the clause text before the hit
    after: str | None = None  # the sentence text after the hit
    clause: str | None = None
    sentence: str | None = None
    text: str | None = None


class Examples(BaseModel):
    fail: list[str] = Field(min_length=1)
    pass_: list[str] = Field(min_length=1, alias="pass")


class Rule(BaseModel):
    model_config = {"extra": "forbid", "populate_by_name": True}
    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    category: ViolationCategory
    severity: RuleSeverity
    stages: list[Stage] | Literal["all"] = "all"
    source: Source
    playbook: list[PlaybookRef] = Field(min_length=1)
    description: str
    fix_hint: str
    patterns: list[str] = Field(min_length=1)
    negation: bool = True  # a negator just before the hit (same clause) cancels it
    unless: Context = Field(default_factory=Context)
    requires: Context = Field(default_factory=Context)
    check: Literal["id_checksum", "luhn"] | None = None
    min_hits: int = 1
    examples: Examples

    @field_validator("stages", mode="before")
    @classmethod
    def _all(cls, value: object) -> object:
        return "all" if value in ("all", None) else value

    def violation(self, original: str, start: int, end: int) -> Violation:
        """This rule's hit on ``original[start:end]``, explained with its source and fix hint."""
        excerpt = original[start:end]
        return Violation(
            category=self.category,
            rule_id=self.id,
            severity=self.severity,
            start=start,
            end=end,
            excerpt=excerpt,
            message=f"“{excerpt}”:{self.description}(依据 {self.citation})",
            fix_hint=self.fix_hint,
        )

    @property
    def citation(self) -> str:
        """The playbook entries behind the rule: 《title》(must-avoid id), as shown to agents."""
        return ";".join(f"《{p.title}》{p.id}" for p in self.playbook)

    def applies_to(self, stage: Stage) -> bool:
        return self.stages == "all" or stage in self.stages


class NonTextual(BaseModel):
    behaviour: str
    stage: Stage | None = None
    source: Source
    reason: str


class LearnedSettings(BaseModel):
    """The learned layer (guardrails/learned.npz, built by ``wuye guard train``)."""

    model_config = {"extra": "forbid"}
    enabled: bool = True
    severity: RuleSeverity = RuleSeverity.block
    # categories the classifier reports sentence by sentence (a phrase carries them)
    sentence: list[ViolationCategory] = Field(default_factory=list)
    # categories that are a property of the whole reply (no concrete action anywhere): scored on the
    # whole text only, and only when it is at most `whole_max_chars` long
    whole: list[ViolationCategory] = Field(default_factory=list)
    whole_max_chars: int = 200


class PolicyFile(BaseModel):
    model_config = {"extra": "forbid"}
    version: int
    # what guardrails-ai does when a category fails: reask = re-draft the stage, noop = flag only
    on_fail: dict[ViolationCategory, Literal["reask", "noop"]] = Field(default_factory=dict)
    learned: LearnedSettings = Field(default_factory=LearnedSettings)
    negators: str  # macro-expanded regex of words that negate what follows
    negation_window: int = 6
    rules: list[Rule]
    non_textual: list[NonTextual] = Field(default_factory=list)


class CompiledRule:
    """A rule with its regexes compiled (scopes of ``unless``/``requires`` too).

    Each regex also carries ``need``: characters of which every match contains at least one
    (from the regex syntax tree); a text without any of them skips the regex entirely.
    """

    __slots__ = ("rule", "patterns", "need", "unless", "requires")

    def __init__(self, rule: Rule, expand) -> None:  # type: ignore[no-untyped-def]
        self.rule = rule
        self.patterns = [LazyRegex(p) for p in map(expand, rule.patterns)]
        needs = [p.need for p in self.patterns]
        self.need = None if any(n is None for n in needs) else frozenset().union(*needs)
        self.unless = {
            s: re.compile(expand(v)) for s in _SCOPES if (v := getattr(rule.unless, s)) is not None
        }
        self.requires = {
            s: re.compile(expand(v)) for s in _SCOPES if (v := getattr(rule.requires, s)) is not None
        }


_COMMON = set("您你我们的是不了这那就也有在会都要吗呢吧啊一个们人说好")


def _cost(chars: frozenset[str]) -> int:
    return sum(8 if c in _COMMON else 1 for c in chars)


def _must_seq(items) -> frozenset[str] | None:  # type: ignore[no-untyped-def]
    best: frozenset[str] | None = None
    for op, av in items:
        found = _must_item(op, av)
        if found is not None and (best is None or _cost(found) < _cost(best)):
            best = found
    return best


def _must_item(op, av) -> frozenset[str] | None:  # type: ignore[no-untyped-def]
    if op is _C.LITERAL:
        return frozenset(chr(av))
    if op is _C.IN:
        chars = set()
        for iop, iav in av:
            if iop is not _C.LITERAL:
                return None
            chars.add(chr(iav))
        return frozenset(chars)
    if op is _C.SUBPATTERN:
        return _must_seq(av[-1])
    if op is _C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _must_seq(branch)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _must_seq(sub) if low >= 1 else None
    if op is _C.ATOMIC_GROUP:
        return _must_seq(av)
    return None  # assertions, anchors, categories: no requirement


def required_sets(pattern: str) -> list[frozenset[str]]:
    """Up to two character sets, rarest first, such that every match of ``pattern`` contains a
    character of each (two different mandatory parts of the regex). Raises ``re.error`` for an
    invalid pattern; an empty list means “no requirement known”."""
    parsed = _sre_parse.parse(pattern)
    try:
        found = [m for op, av in parsed if (m := _must_item(op, av)) is not None]
    except Exception:  # noqa: BLE001 - a prefilter only; fall back to always running the regex
        return []
    return sorted(found, key=_cost)[:2]


def required_chars(pattern: str) -> frozenset[str] | None:
    """Characters of which every match of ``pattern`` contains at least one (None = unknown)."""
    sets = required_sets(pattern)
    return sets[0] if sets else None


class LazyRegex:
    """A syntax-checked pattern compiled on first use: a run pays only for the regexes its texts
    can reach (compiling all ~500 up front costs ~0.4 s of start-up)."""

    __slots__ = ("source", "need", "need2", "_compiled")

    def __init__(self, source: str) -> None:
        self.source = source
        sets = required_sets(source)  # also validates the syntax now
        self.need = sets[0] if sets else None  # indexed by the engine
        self.need2 = sets[1] if len(sets) > 1 else None  # checked for the candidates
        self._compiled: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled


class Policy:
    def __init__(self, spec: PolicyFile, lexicons: dict[str, list[str]], root: Path) -> None:
        self.spec = spec
        self.lexicons = lexicons
        self.root = root
        self.negator = re.compile(f"(?:{self.expand(spec.negators)})")
        self.rules = [self._compile(rule) for rule in spec.rules]
        self.by_id = {c.rule.id: c.rule for c in self.rules}

    def compile_all(self) -> None:
        """Compile every lazily compiled regex now (tests / policy review: catches what parsing
        alone cannot, e.g. a variable-width look-behind)."""
        for compiled in self.rules:
            for pattern in compiled.patterns:
                try:
                    pattern.regex  # noqa: B018
                except re.error as exc:
                    raise InvalidInput(
                        f"护栏策略规则 {compiled.rule.id} 的正则有误:{exc}",
                        f"guardrail policy rule {compiled.rule.id} has a bad regex: {exc}",
                        rule_id=compiled.rule.id,
                    ) from exc

    def _compile(self, rule: Rule) -> CompiledRule:
        try:
            return CompiledRule(rule, self.expand)
        except re.error as exc:
            raise InvalidInput(
                f"护栏策略规则 {rule.id} 的正则有误:{exc}",
                f"guardrail policy rule {rule.id} has a bad regex: {exc}",
                rule_id=rule.id,
            ) from exc

    def expand(self, pattern: str, depth: int = 0) -> str:
        if depth > 4:
            raise InvalidInput("词表宏嵌套过深", "lexicon macros nest too deeply", pattern=pattern)

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self.lexicons:
                raise InvalidInput(
                    f"护栏策略引用了不存在的词表 {{{name}}}",
                    f"guardrail policy uses an unknown lexicon {{{name}}}",
                    macro=name,
                )
            return "(?:" + "|".join(self.expand(w, depth + 1) for w in self.lexicons[name]) + ")"

        return _MACRO.sub(sub, pattern)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - safe loader
    except FileNotFoundError as exc:
        raise InvalidInput(f"找不到护栏文件 {path}", f"guardrail file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"护栏文件 {path} 不是合法的 YAML:{exc}", f"{path} is not valid YAML: {exc}") from exc


def load_lexicons(folder: Path) -> dict[str, list[str]]:
    lexicons: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _read_yaml(path)
        if not isinstance(data, dict):
            raise InvalidInput(f"词表 {path.name} 应为“名称: [词…]”映射", f"lexicon {path.name} must map NAME: [words]")
        for name, words in data.items():
            if not (isinstance(name, str) and _MACRO.fullmatch("{" + name + "}")):
                raise InvalidInput(f"词表 {path.name} 的名称 {name!r} 须为大写", f"lexicon name {name!r} in {path.name} must be UPPER_CASE")
            if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
                raise InvalidInput(f"词表 {path.name}:{name} 须为非空字符串列表", f"lexicon {path.name}:{name} must be a non-empty list of strings")
            if name in lexicons:
                raise InvalidInput(f"词表名称 {name} 重复({path.name})", f"duplicate lexicon name {name} ({path.name})")
            # longest first so alternation prefers the longest word
            lexicons[name] = sorted(words, key=len, reverse=True)
    return lexicons


def load_policy(guardrails_dir: Path) -> Policy:
    """Validate and compile ``policy.yaml`` + lexicons; raises ``InvalidInput`` naming the problem."""
    guardrails_dir = Path(guardrails_dir)
    data = _read_yaml(guardrails_dir / "policy.yaml")
    try:
        spec = PolicyFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        rule = ""
        if isinstance(data, dict) and first["loc"][:1] == ("rules",) and len(first["loc"]) > 1:
            try:
                rule = data["rules"][first["loc"][1]].get("id", "")
            except (IndexError, KeyError, TypeError, AttributeError):
                rule = ""
        raise InvalidInput(
            f"护栏策略 policy.yaml 有误(位置 {where} {rule}):{first['msg']}",
            f"guardrail policy.yaml is invalid at {where} {rule}: {first['msg']}",
        ) from exc
    ids = [r.id for r in spec.rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InvalidInput(f"护栏规则 id 重复:{dupes}", f"duplicate guardrail rule ids: {dupes}")
    return Policy(spec, load_lexicons(guardrails_dir / "lexicons"), guardrails_dir)
