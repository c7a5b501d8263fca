"""Retrieval quality on the shipped corpus (in memory, no Chroma): guards the lexicon and scoring."""

from pathlib import Path

import pytest

from agent.retrieval.embedding import ChineseHashEmbedding
from agent.retrieval.evaluate import load_queries, run
from agent.retrieval.loader import load_corpus
from agent.retrieval.search import Retriever
from agent.settings import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EVAL_SET = PROJECT_ROOT / "evals" / "retrieval" / "queries.yaml"


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    settings = Settings()
    return Retriever.from_entries(settings, load_corpus(settings.corpus_dir), ChineseHashEmbedding())


@pytest.mark.skipif(not EVAL_SET.exists(), reason="evals/retrieval/queries.yaml not present")
def test_eval_set_hit_at_3(shipped):
    cases = load_queries(EVAL_SET)
    result = run(shipped, cases, 3)
    assert len(cases) >= 60 and result["by_script"]["traditional"]["count"] >= 10
    assert result["overall"]["hit@3"] >= 0.90, result["misses"]
    assert result["by_script"]["traditional"]["hit@3"] >= 0.85


@pytest.mark.parametrize("name", ["retrieval_dev.yaml", "retrieval_dev2.yaml", "retrieval_dev3.yaml"])
def test_differently_phrased_sets(shipped, name):
    result = run(shipped, load_queries(FIXTURES / name), 3)
    assert result["overall"]["hit@3"] >= 0.80, result["misses"]
