import pytest

from agent.errors import InvalidInput, NotFound
from agent.retrieval.search import Hit
from agent.vocab import Stage, Topic


@pytest.mark.parametrize("query, expected", [
    ("家里水管爆了,水一直往下滴", "act.repair_dispatch"),
    ("樓上漏水好幾天了沒人來修", "act.repair_dispatch"),
    ("业主在前台破口大骂,还拍桌子", "empathize.calm_down"),
    ("業主情緒很激動一直吼", "empathize.calm_down"),
    ("他要我们赔钱", "negotiate.compensation"),
    ("好几十个业主拉横幅堵在小区门口", "group.crowd_at_gate"),
    ("业主拖着物业费不交怎么催", "fees.overdue_reminder"),
    ("业主说话老被我们打断", "listen.let_finish"),
])
def test_colloquial_queries_find_the_technique(retriever, query, expected):
    hits = retriever.search(query, k=3)
    assert expected in [h.id for h in hits]
    assert hits[0].score >= hits[-1].score


def test_hit_fields(retriever):
    hit = retriever.search("水管爆了", k=1)[0]
    assert isinstance(hit, Hit)
    assert (hit.id, hit.stage, hit.topic) == ("act.repair_dispatch", Stage.act, Topic.repair_ticket)
    assert hit.source == "002_a3eb74fcb7cc74eb.txt § 报修处理"
    assert hit.entry.id == hit.id and hit.title == hit.entry.title
    assert set(hit.to_dict()) == {"id", "stage", "topic", "title", "score", "source"}


def test_stage_filter_puts_stage_entries_first_then_stageless_of_topic(retriever):
    hits = retriever.search("漏水一直没修好", stage="act", k=5)
    assert hits[0].id == "act.repair_dispatch"
    assert all(h.stage in (Stage.act, None) for h in hits)
    # the only act entry comes first; a stage-less repair entry may follow, other topics may not
    assert [h.id for h in hits] == ["act.repair_dispatch", "repair.general_notice"]


def test_topic_filter(retriever):
    hits = retriever.search("业主不满意", topic=Topic.fee_collection, k=5)
    assert [h.id for h in hits] == ["fees.overdue_reminder"]


def test_search_stages_matches_per_stage_search(retriever):
    query = "楼上漏水,业主很生气要求赔偿"
    per_stage = retriever.search_stages(query, k=2)
    assert list(per_stage) == list(Stage)
    for stage in Stage:
        assert [h.id for h in per_stage[stage]] == [h.id for h in retriever.search(query, stage=stage, k=2)]
        assert per_stage[stage][0].stage is stage
    only = retriever.search_stages(query, stages=[Stage.act, "thank"], k=1)
    assert list(only) == [Stage.act, Stage.thank]


@pytest.mark.parametrize("kwargs, match", [
    ({"query": ""}, "empty"),
    ({"query": "   "}, "empty"),
    ({"query": "漏水\x07"}, "control"),
    ({"query": "漏" * 501}, "too long"),
    ({"query": "漏水", "stage": "listening"}, "Unknown stage"),
    ({"query": "漏水", "topic": "gossip"}, "Unknown topic"),
    ({"query": "漏水", "k": 0}, "k must be"),
    ({"query": "漏水", "k": 51}, "k must be"),
])
def test_bad_input_raises_typed_errors(retriever, kwargs, match):
    with pytest.raises(InvalidInput, match=match):
        retriever.search(**kwargs)


def test_search_stages_rejects_unknown_stage(retriever):
    with pytest.raises(InvalidInput, match="Unknown stage"):
        retriever.search_stages("漏水", stages=["nope"])


def test_get(retriever):
    assert retriever.get("thank.follow_up_call").stage is Stage.thank
    with pytest.raises(NotFound):
        retriever.get("thank.nothing")


def test_query_limit_follows_settings(built):
    from agent.retrieval.search import Retriever

    short = Retriever.open(built.model_copy(update={"max_query_chars": 5}))
    with pytest.raises(InvalidInput, match="limit is 5"):
        short.search("楼上漏水好几天了")
