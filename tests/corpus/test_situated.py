"""Retrieval that follows the understood situation (agent/retrieval/situated.py) on the shipped
corpus, in memory: a leak gets the repair procedure, a fee dispute the fee explanations, only a
real group incident the group-incident playbook; and the complaint-like query set."""

from __future__ import annotations

import pytest

from agent.retrieval.embedding import ChineseHashEmbedding
from agent.retrieval.evaluate import load_queries, run
from agent.retrieval.loader import load_corpus
from agent.retrieval.search import Retriever
from agent.retrieval.situated import is_group_incident, search_situated
from agent.settings import PROJECT_ROOT, Settings
from agent.understand.classify import classify_offline
from agent.understand.models import Classification
from agent.vocab import Severity, Stage

COMPLAINT_SET = PROJECT_ROOT / "evals" / "retrieval" / "complaint_queries.yaml"


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    settings = Settings()
    return Retriever.from_entries(settings, load_corpus(settings.corpus_dir), ChineseHashEmbedding())


def _ids(hits: dict) -> set[str]:
    return {h.id for stage_hits in hits.values() for h in stage_hits}


def test_a_leak_cites_the_repair_procedure(shipped) -> None:  # noqa: ANN001
    text = "楼上卫生间漏水到我家天花板，已经一个星期了，墙皮都泡起来了，麻烦尽快派人来修。"
    hits = search_situated(shipped, text, classify_offline(text))
    assert any(h.id.startswith("repair.") for h in hits[Stage.act]), [h.id for h in hits[Stage.act]]


def test_a_fee_dispute_gets_the_fee_explanation(shipped) -> None:  # noqa: ANN001
    text = "物业费今年突然涨了三成，没有任何公示，也没开业主大会，凭什么涨价？请把收费依据拿出来。"
    hits = search_situated(shipped, text, classify_offline(text))
    assert "fee.dispute" in _ids(hits)


def test_group_playbook_only_for_a_real_group_incident(shipped) -> None:  # noqa: ANN001
    many = "小区停车太难了，很多业主都有意见，晚上回来根本找不到车位，希望物业想想办法。"
    major = Classification(category="security", severity=Severity.major)
    assert not is_group_incident(many, major)
    assert not any(i.startswith("group.") for i in _ids(search_situated(shipped, many, major)))
    crowd = "今天上午几十位业主聚集在物业中心门口拉横幅，抗议停车费涨价，现场情绪很激动。"
    assert is_group_incident(crowd, major)
    assert any(i.startswith("group.") for i in _ids(search_situated(shipped, crowd, major)))


def test_complaint_like_queries(shipped) -> None:  # noqa: ANN001
    cases = load_queries(COMPLAINT_SET)
    assert len(cases) >= 20 and all(c["situated"] and len(c["query"]) >= 50 for c in cases)
    result = run(shipped, cases, 3)
    assert result["overall"]["hit@3"] >= 0.90, result["misses"]
