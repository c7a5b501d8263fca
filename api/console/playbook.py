"""What the console shows next to a draft: each rule's explanation and source (from the guardrail
policy) and what the playbook recommends instead (technique phrasings from the corpus).

Both files are read through their own loaders (``agent.guard.policy.load_policy``,
``agent.retrieval.loader.load_corpus``) and cached until a file changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.settings import Settings


@dataclass(frozen=True)
class RuleInfo:
    id: str
    category: str
    severity: str
    description: str
    fix_hint: str
    source: str


@dataclass(frozen=True)
class Technique:
    id: str
    title: str
    stage: str | None
    source: str
    phrasings: tuple[str, ...]
    avoid_categories: tuple[str, ...] = field(default=())


def _stamp(files: list[Path]) -> tuple[float, ...]:
    return tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files)


@lru_cache(maxsize=4)
def _rules(folder: str, _stamp: tuple[float, ...]) -> dict[str, RuleInfo]:
    from agent.guard.policy import load_policy

    policy = load_policy(Path(folder))
    return {r.id: RuleInfo(id=r.id, category=r.category.value, severity=r.severity.value,
                           description=r.description, fix_hint=r.fix_hint,
                           source=f"{r.source.file} § {r.source.section}") for r in policy.spec.rules}


@lru_cache(maxsize=4)
def _techniques(folder: str, _stamp: tuple[float, ...]) -> dict[str, Technique]:
    from agent.retrieval.loader import load_corpus

    return {e.id: Technique(id=e.id, title=e.title, stage=e.stage.value if e.stage else None, source=str(e.source),
                            phrasings=tuple(e.phrasings),
                            avoid_categories=tuple(m.category.value for m in e.must_avoid if m.category))
            for e in load_corpus(Path(folder))}


def rules(settings: Settings) -> dict[str, RuleInfo]:
    folder = settings.guardrails_dir.resolve()
    return _rules(str(folder), _stamp([folder / "policy.yaml", *sorted((folder / "lexicons").glob("*.yaml"))]))


def techniques(settings: Settings) -> dict[str, Technique]:
    folder = settings.corpus_dir.resolve()
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return _techniques(str(folder), _stamp(files))


def cited(settings: Settings, refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stage's cited techniques with their phrasings (when the corpus still has them)."""
    known = techniques(settings)
    out = []
    for ref in refs:
        entry = known.get(str(ref.get("id")))
        out.append({"id": ref.get("id"), "title": ref.get("title") or (entry.title if entry else ""),
                    "source": ref.get("source") or (entry.source if entry else ""),
                    "phrasings": list(entry.phrasings[:3]) if entry else []})
    return out


def instead(settings: Settings, stage: str, violations: list[dict[str, Any]], exclude: set[str],
            limit: int = 3) -> list[Technique]:
    """Techniques whose must-avoid notes cover the broken categories, this stage first."""
    cats = {str(v.get("category")) for v in violations}
    if not cats:
        return []
    found = [t for t in techniques(settings).values()
             if t.id not in exclude and cats.intersection(t.avoid_categories)]
    found.sort(key=lambda t: (t.stage != stage, t.stage is None, t.id))
    return found[:limit]
