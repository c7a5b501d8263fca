import pytest

from agent.errors import InvalidInput
from agent.retrieval.lexicon import get_analyzer
from agent.retrieval.text import normalise, validate_query


def test_normalise_traditional_fullwidth_and_case():
    assert normalise("業主投訴ＡＢＣ　電梯") == "业主投诉abc 电梯"


@pytest.mark.parametrize("query, match", [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("\u200b\u200b", "empty"),
    ("漏水\x00了", "control characters"),
    ("电梯\x1b[31m坏了", "control characters"),
    ("漏水\udcff", "control characters"),
    ("漏" * 501, "too long"),
    (None, "string"),
])
def test_bad_queries_rejected_bilingually(query, match):
    with pytest.raises(InvalidInput) as err:
        validate_query(query, 500)
    assert match in err.value.en
    assert err.value.zh and err.value.zh != err.value.en


def test_valid_query_is_stripped():
    assert validate_query("  楼上漏水 \n", 500) == "楼上漏水"
    assert validate_query("漏" * 500, 500) == "漏" * 500


def test_concepts_bridge_colloquial_words():
    analyzer = get_analyzer()
    burst = analyzer.tokens(normalise("家里水管爆了"))
    formal = analyzer.tokens(normalise("报修"))
    assert "@repair" in burst and "@repair" in formal
    assert "@group" in analyzer.tokens(normalise("一群業主拉橫幅堵門"))
    assert "@fees" in analyzer.tokens(normalise("催我交钱"))
    assert "@fees" not in burst
