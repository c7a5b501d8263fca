"""Find, parse and validate suite files. Problems become ``LoadIssue``s (file, line, field,
bilingual message); a bad case is skipped, a bad suite is skipped, the rest still run."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.errors import WuyeError
from agent.settings import Settings
from evals.model import LOWER_IS_BETTER, LoadIssue, Suite
from evals.yamlpos import Located, SourceError, load_any, load_yaml

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "suite.schema.json"
RECORDED_SUFFIX = ".recorded.yaml"

_CASE_DEFS = {"drafting": "drafting_case", "guardrail": "guardrail_case", "retrieval": "retrieval_case"}


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _validator(definition: str | None):  # type: ignore[no-untyped-def]
    import jsonschema

    schema = _schema()
    if definition is None:  # the suite envelope without its cases (each case is checked alone)
        top = {k: v for k, v in schema.items() if k != "allOf"}
        return jsonschema.Draft202012Validator(top)
    sub = {"$defs": schema["$defs"], **schema["$defs"][definition]}
    return jsonschema.Draft202012Validator(sub)


def _field(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error) -> str:  # type: ignore[no-untyped-def]
    """A short bilingual message for one jsonschema error (descending into oneOf branches)."""
    if error.validator == "required":
        return f"缺少必填字段 / missing required field: {error.message.split(' is a required')[0]}"
    if error.validator == "additionalProperties":
        return f"未知字段 / unknown field: {error.message}"
    if error.validator == "enum":
        return f"取值不在允许范围内 / value not allowed: {error.instance!r} (allowed: {error.validator_value})"
    if error.validator in ("oneOf", "anyOf") and error.context:
        import jsonschema

        best = jsonschema.exceptions.best_match(error.context)
        return _describe(best)
    return f"格式不符 / invalid: {error.message}"


def _schema_issues(validator, data: Any, located: Located, prefix: tuple) -> list[LoadIssue]:  # type: ignore[no-untyped-def]
    issues = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = (*prefix, *error.absolute_path)
        if error.validator in ("oneOf", "anyOf") and error.context:
            import jsonschema

            best = jsonschema.exceptions.best_match(error.context)
            where = (*prefix, *best.absolute_path)
        issues.append(LoadIssue(located.path, located.line_of(where), _field(where), _describe(error)))
    return issues[:20]


def discover(paths: list[Path] | None) -> list[Path]:
    """Suite files to run: the given files, ``*.yaml`` inside given folders, or every shipped suite."""
    if not paths:
        paths = [SUITES_DIR]
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.glob("*.yaml") if not p.name.endswith(RECORDED_SUFFIX))
        else:
            found.append(path)
    return found


@lru_cache(maxsize=4)
def _corpus_ids_cached(corpus_dir: str, stamp: float) -> frozenset[str]:
    try:
        from agent.retrieval.loader import load_corpus
    except ImportError:  # the corpus package is optional for guardrail-only runs
        ids: set[str] = set()
        for file in Path(corpus_dir).glob("*.yaml"):
            for entry in load_yaml(file).data or []:
                if isinstance(entry, dict) and "id" in entry:
                    ids.add(str(entry["id"]))
        return frozenset(ids)
    return frozenset(entry.id for entry in load_corpus(Path(corpus_dir)))


def corpus_ids(settings: Settings) -> frozenset[str]:
    """Every technique id in the corpus (cached until a corpus file changes)."""
    files = list(Path(settings.corpus_dir).glob("*.yaml"))
    stamp = max((f.stat().st_mtime for f in files), default=0.0)
    return _corpus_ids_cached(str(settings.corpus_dir), stamp)


def _cited_ids(kind: str, case: dict[str, Any]) -> list[tuple[tuple, str]]:
    """(path inside the case, technique id) for every id the case names."""
    out: list[tuple[tuple, str]] = []
    if kind == "retrieval":
        out += [(("expected", i), cid) for i, cid in enumerate(case.get("expected", []))]
    elif kind == "drafting":
        for i, cid in enumerate(case.get("expect", {}).get("techniques_cited", [])):
            out.append((("expect", "techniques_cited", i), cid))
        for r, response in enumerate(case.get("model_responses", []) or []):
            if isinstance(response, dict):
                for s, stage in enumerate(response.get("stages", []) or []):
                    for t, cid in enumerate(stage.get("techniques", []) or []):
                        out.append((("model_responses", r, "stages", s, "techniques", t), cid))
    return out


def _from_complaints(records: list[Any]) -> list[Any]:
    """Turn evals/drafting/complaints.jsonl records into offline-drafter drafting cases."""
    cases = []
    for record in records:
        if not isinstance(record, dict):
            cases.append(record)
            continue
        expect: dict[str, Any] = {
            "drafter": "offline",
            "llm_calls": 1,  # the offline drafter is one (local) model call
            "guardrail": {"all": {"passed": True}},
        }
        if isinstance(record.get("expected"), dict):
            expect["classification"] = record["expected"]
        if record.get("pii"):
            expect["not_contains"] = list(record["pii"])
        if record.get("script"):
            expect["script"] = record["script"]
        cases.append({"id": record.get("id"), "complaint": record.get("text"), "tags": ["complaint_set"],
                      "expect": expect})
    return cases


def _thresholds(raw: dict[str, Any]) -> dict[str, dict[str, float]]:
    out = {}
    for metric, value in (raw or {}).items():
        if isinstance(value, dict):
            out[metric] = {k: float(v) for k, v in value.items()}
        else:
            out[metric] = {"max" if metric in LOWER_IS_BETTER else "min": float(value)}
    return out


def load_suite(path: Path, settings: Settings) -> tuple[Suite | None, list[LoadIssue]]:
    """Parse and validate one suite file. Returns the suite (None when unusable) and its issues."""
    try:
        located = load_yaml(path)
    except SourceError as exc:
        return None, [LoadIssue(exc.path, exc.line, "", exc.message)]
    data = located.data
    if not isinstance(data, dict):
        return None, [LoadIssue(path, 1, "", "套件文件必须是一个映射 / a suite file must be a YAML mapping")]
    issues = _schema_issues(_validator(None), data, located, ())
    if issues:
        return None, issues
    kind = data["kind"]
    has_cases, has_source = "cases" in data, "source" in data
    if has_cases == has_source:
        return None, [LoadIssue(path, 1, "cases/source",
                                "必须且只能提供 cases 或 source 之一 / give exactly one of `cases` or `source`")]

    cases_doc, prefix = located, ("cases",)
    if has_source:
        source = (path.parent / data["source"]).resolve()
        try:
            cases_doc = load_any(source)
        except SourceError as exc:
            return None, [LoadIssue(path, located.line_of(("source",)), "source",
                                    f"无法读取数据文件 / cannot load source {exc.path}:{exc.line}: {exc.message}")]
        prefix = ()
        raw_cases = cases_doc.data if isinstance(cases_doc.data, list) else None
        if raw_cases is None:
            return None, [LoadIssue(source, 1, "", "数据文件必须是列表 / the source must be a list of records")]
        if kind == "drafting":
            raw_cases = _from_complaints(raw_cases)
    else:
        raw_cases = data["cases"]

    try:
        known = corpus_ids(settings) if kind in ("retrieval", "drafting") else frozenset()
    except WuyeError as exc:  # a broken corpus: this suite cannot be checked, the others still run
        return None, [LoadIssue(path, 1, "", f"语料无法加载,无法校验技巧 id / corpus cannot be loaded: {exc.message}")]
    validator = _validator(_CASE_DEFS[kind])
    cases, lines, seen = [], [], set()
    for index, case in enumerate(raw_cases):
        here = (*prefix, index)
        case_issues = _schema_issues(validator, case, cases_doc, here)
        if not case_issues:
            if case["id"] in seen:
                case_issues.append(LoadIssue(cases_doc.path, cases_doc.line_of((*here, "id")), _field((*here, "id")),
                                             f"用例 id 重复 / duplicate case id {case['id']!r}"))
            if known:
                for sub, cid in _cited_ids(kind, case):
                    if cid not in known:
                        case_issues.append(LoadIssue(
                            cases_doc.path, cases_doc.line_of((*here, *sub)), _field((*here, *sub)),
                            f"语料中没有这个技巧 id / technique id not in the corpus: {cid!r}"))
        if case_issues:
            issues += case_issues
            continue
        seen.add(case["id"])
        cases.append(case)
        lines.append(cases_doc.line_of(here))
    if not cases:
        issues.append(LoadIssue(path, 1, "cases", "没有可运行的用例 / no runnable case left in the suite"))
        return None, issues
    suite = Suite(
        name=data["suite"], kind=kind, path=path, cases=cases, description=data.get("description", ""),
        source=cases_doc.path if has_source else None, k=int(data.get("k", 3)),
        thresholds=_thresholds(data.get("thresholds", {})), settings=dict(data.get("settings", {})),
        case_lines=lines, case_file=cases_doc.path,
    )
    return suite, issues


def load_suites(paths: list[Path] | None, settings: Settings) -> tuple[list[Suite], list[LoadIssue]]:
    suites: list[Suite] = []
    issues: list[LoadIssue] = []
    names: dict[str, Path] = {}
    for path in discover(paths):
        suite, found = load_suite(path, settings)
        issues += found
        if suite is None:
            continue
        if suite.name in names:
            issues.append(LoadIssue(path, 1, "suite",
                                    f"套件名重复 / duplicate suite name {suite.name!r} (also in {names[suite.name]})"))
            continue
        names[suite.name] = path
        suites.append(suite)
    return suites, issues
