"""`wuye corpus eval`: hit@1, hit@k and MRR of the retriever on a YAML query set.

Query file: a YAML list (or a mapping with ``cases:`` / ``queries:``) of
``{id, query, expected: [entry ids], stage?: <stage>, script?: simplified|traditional}``.
``--compare`` ranks the same queries with alternative retrieval designs (in memory, no
Chroma) so the choice of the default is reproducible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.errors import InvalidInput
from agent.retrieval.lexicon import AnalyzerOptions
from agent.retrieval.yamlio import YAMLError, load_yaml
from agent.settings import Settings

DEPTH = 10


def load_queries(path: Path) -> list[dict[str, Any]]:
    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"找不到查询集文件 {path}。", f"Query set {path} not found.") from None
    except (UnicodeDecodeError, YAMLError) as exc:
        raise InvalidInput(f"查询集文件 {path} 无法解析(须为 UTF-8 YAML)。",
                           f"Query set {path} is not readable UTF-8 YAML: {exc}") from None
    if isinstance(data, dict):
        data = data.get("cases") or data.get("queries")
    if not isinstance(data, list) or not data:
        raise InvalidInput(f"查询集 {path} 应是非空的列表。", f"Query set {path} must be a non-empty list.")
    cases = []
    for n, item in enumerate(data, 1):
        if not isinstance(item, dict) or not item.get("query") or not item.get("expected"):
            raise InvalidInput(f"查询集第 {n} 条缺少 query 或 expected。", f"Case #{n} needs 'query' and 'expected'.")
        expected = item["expected"] if isinstance(item["expected"], list) else [item["expected"]]
        cases.append({"id": str(item.get("id", n)), "query": str(item["query"]), "expected": expected,
                      "stage": item.get("stage"), "script": item.get("script") or _script(str(item["query"])),
                      "situated": bool(item.get("situated"))})
    return cases


def _script(text: str) -> str:
    from agent.retrieval.text import to_simplified

    return "traditional" if to_simplified(text) != text else "simplified"


def _summary(rows: list[dict[str, Any]], k: int) -> dict[str, float]:
    n = len(rows)
    ranks = [r["rank"] for r in rows]
    return {"count": n, "hit@1": sum(r == 1 for r in ranks) / n if n else 0.0,
            f"hit@{k}": sum(0 < r <= k for r in ranks) / n if n else 0.0,
            "mrr": sum(1 / r for r in ranks if r) / n if n else 0.0}


def run(retriever: Any, cases: list[dict[str, Any]], k: int) -> dict[str, Any]:
    rows = []
    for case in cases:
        if case.get("situated") and case.get("stage"):  # the workflow's path: classify, then retrieve by situation
            from agent.retrieval.situated import search_situated
            from agent.understand.classify import classify_offline
            from agent.vocab import Stage

            ranked = search_situated(retriever, case["query"], classify_offline(case["query"]), k=k)
            ids = [h.id for h in ranked[Stage(case["stage"])]]
        else:
            ids = [h.id for h in retriever.search(case["query"], stage=case["stage"], k=max(k, DEPTH))]
        rank = next((i + 1 for i, hid in enumerate(ids) if hid in case["expected"]), 0)
        rows.append({**case, "rank": rank, "top": ids[:k]})
    by_script = {s: _summary([r for r in rows if r["script"] == s], k) for s in ("simplified", "traditional")}
    misses = [{key: r[key] for key in ("id", "query", "expected", "top", "rank")} for r in rows
              if not 0 < r["rank"] <= k]
    return {"k": k, "overall": _summary(rows, k), "by_script": by_script, "misses": misses}


def evaluate(settings: Settings, cases: list[dict[str, Any]], k: int = 3) -> dict[str, Any]:
    """Metrics of the real retriever (the Chroma index; built first when missing)."""
    from agent.retrieval.index import ensure_index
    from agent.retrieval.search import Retriever

    ensure_index(settings)
    return run(Retriever.open(settings), cases, k)


def alternatives() -> list[tuple[str, dict[str, Any]]]:
    """(label, Retriever.from_entries keyword arguments) for every design compared."""
    from agent.retrieval.embedding import ChineseHashEmbedding
    from agent.retrieval.search import Fusion

    plain = AnalyzerOptions(bigrams=True, words=False, concepts=False)
    words = AnalyzerOptions(bigrams=True, words=True, concepts=False)
    full = AnalyzerOptions(bigrams=True, words=True, concepts=True)
    no_concepts, hashed = ChineseHashEmbedding(concept_weight=0.0), ChineseHashEmbedding()
    return [
        ("BM25 char bigrams", {"embedding": hashed, "fusion": Fusion("bm25"), "options": plain}),
        ("BM25 bigrams + jieba words", {"embedding": hashed, "fusion": Fusion("bm25"), "options": words}),
        ("BM25 + concept lexicon", {"embedding": hashed, "fusion": Fusion("bm25"), "options": full}),
        ("dense hash n-grams (no lexicon)", {"embedding": no_concepts, "fusion": Fusion("dense"), "options": full}),
        ("dense hash + concept lexicon", {"embedding": hashed, "fusion": Fusion("dense"), "options": full}),
        ("hybrid RRF (dense + BM25, lexicon)", {"embedding": hashed, "fusion": Fusion("rrf"), "options": full}),
        ("hybrid weighted, no lexicon", {"embedding": no_concepts, "fusion": Fusion("weighted"), "options": words}),
        ("hybrid weighted α=0.35", {"embedding": hashed, "fusion": Fusion("weighted", alpha=0.35), "options": full}),
        ("hybrid weighted α=0.5", {"embedding": hashed, "fusion": Fusion("weighted", alpha=0.5), "options": full}),
        ("hybrid weighted α=0.2 (default)", {"embedding": hashed, "fusion": Fusion(), "options": full}),
    ]


def compare_alternatives(settings: Settings, cases: list[dict[str, Any]], k: int = 3) -> list[dict[str, Any]]:
    from agent.retrieval.loader import load_corpus
    from agent.retrieval.search import Retriever

    entries = load_corpus(settings.corpus_dir)
    rows = []
    for label, kwargs in alternatives():
        result = run(Retriever.from_entries(settings, entries, **kwargs), cases, k)
        rows.append({"design": label, **result["overall"],
                     **{f"{s}_hit@{k}": v[f"hit@{k}"] for s, v in result["by_script"].items()}})
    return rows


def print_metrics(result: dict[str, Any], k: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"检索评测 Retrieval eval (k={k})")
    for col in ("集合 set", "条数 n", "hit@1", f"hit@{k}", "MRR"):
        table.add_column(col, justify="right" if col != "集合 set" else "left")
    for name, s in [("全部 all", result["overall"]), *[(f"{n}", v) for n, v in result["by_script"].items()]]:
        table.add_row(name, str(s["count"]), f"{s['hit@1']:.3f}", f"{s[f'hit@{k}']:.3f}", f"{s['mrr']:.3f}")
    console.print(table)
    if result["misses"]:
        console.print(f"未命中 Misses ({len(result['misses'])}):")
        for m in result["misses"]:
            console.print(f"  {m['id']}: {m['query']}  期望 expected {m['expected']} → 实得 got {m['top']} "
                          f"(rank {m['rank'] or '>' + str(DEPTH)})", markup=False, highlight=False, soft_wrap=True)


def print_comparison(rows: list[dict[str, Any]], k: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"检索方案对比 Retrieval alternatives (k={k})")
    for col in ("design", "hit@1", f"hit@{k}", "MRR", f"简 hit@{k}", f"繁 hit@{k}"):
        table.add_column(col, justify="left" if col == "design" else "right")
    for r in rows:
        table.add_row(r["design"], f"{r['hit@1']:.3f}", f"{r[f'hit@{k}']:.3f}", f"{r['mrr']:.3f}",
                      f"{r[f'simplified_hit@{k}']:.3f}", f"{r[f'traditional_hit@{k}']:.3f}")
    Console().print(table)
