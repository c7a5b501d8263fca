"""The Python API (CONTRACTS §3): the issue's own examples, Traditional script, spans, draft sets."""

from __future__ import annotations

import pytest

from agent.guard import GuardResult, Violation

# (text, stage, expected category or None for "must pass") — quoted in the Guardrails issue
ISSUE_EXAMPLES = [
    ("这不是您的错", "empathize", None),
    ("我已转交工程部王主管,两小时内回电,我也会跟进", "act", None),
    ("明天中午前一定给您答复", "act", None),
    ("您放心,我们保证全额赔偿", "negotiate", "overpromising"),
    ("如有疑问请拨打公司热线400-800-1234,您的工单号是GD20240612001。", "thank", None),
    ("如果还有其他问题,请随时致电客服中心", "thank", None),
    ("我们会尽快处理的", "act", "vague"),
    ("今天下午三点前由维修班长李师傅上门", "act", None),
]


@pytest.mark.parametrize(("text", "stage", "category"), ISSUE_EXAMPLES)
def test_issue_examples(checker, text, stage, category):
    result = checker.check(text, stage)
    if category is None:
        assert result.passed and not result.violations, result.violations
    else:
        assert category in result.categories and not result.passed


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("您說的根本不對,我們上週就檢修過了。", "arguing"),
        ("都是您自己沒關窗,雨水才灌進來的。", "blaming"),
        ("這事我們管不了。", "refusing"),
        ("您去找開發商吧,房子質量問題不歸我們。", "buck_passing"),
        ("請問您的身分證號是多少?", "privacy_probing"),
        ("這麼點小事也值得投訴?", "disrespect"),
        ("對不起行了吧?", "grudging_apology"),
        ("謝謝您的理解和支持!", "empty_thanks"),
        ("我們會盡快安排處理。", "vague"),
        ("樓上業主的電話是13812345678。", "pii_leak"),
        ("我們一定給您免單。", "overpromising"),
    ],
)
def test_traditional_script_is_caught(checker, text, category):
    assert category in checker.check(text, "thank").categories


def test_traditional_near_misses_pass(checker):
    for text in ["這不是您的錯,是我們巡查不到位。", "我已轉交工程部王主管,兩小時內回電,我也會跟進。",
                 "如果還有其他問題,請隨時致電客服中心。"]:
        assert checker.check(text, "act").passed


def test_spans_point_into_the_original_string(checker):
    text = "　您好！對不起行了吧？另外，樓上業主電話是 139-1234-5678，您自己去找他。"
    result = checker.check(text, "thank")
    assert {"grudging_apology", "pii_leak", "buck_passing"} <= result.categories
    for v in result.violations:
        assert text[v.start:v.end] == v.excerpt
    phone = next(v for v in result.violations if v.category == "pii_leak")
    assert phone.excerpt == "139-1234-5678"


def test_violation_fields_and_json_contract(checker):
    result = checker.check("您说的根本不对。", "listen")
    assert isinstance(result, GuardResult) and isinstance(result.violations[0], Violation)
    data = result.model_dump(mode="json")
    assert data["passed"] is False
    v = data["violations"][0]
    assert set(v) == {"category", "rule_id", "severity", "start", "end", "excerpt", "message", "fix_hint"}
    assert v["rule_id"] == "arguing.contradict_owner" and v["severity"] == "block"
    assert "您说的根本不对" in v["message"]
    # cites the playbook entry (title + must-avoid id), not the seed file's hashed name
    assert "《听：先让业主把情绪和事情都说出来》listen.avoid.3" in v["message"] and ".txt" not in v["message"]


def test_warn_only_result_still_passes(checker):
    text = "谢谢您!真的非常感谢您!太感谢您了,谢谢谢谢!师傅下午两点上门。"
    result = checker.check(text, "thank")
    assert [v.rule_id for v in result.violations] == ["empty_thanks.repeated"]
    assert result.violations[0].severity == "warn" and result.passed


def test_check_set_one_pass_for_a_draft_set(checker):
    drafts = {
        "listen": "您别着急,慢慢说,我都记着呢。",
        "empathize": "换了谁遇到这种事都会着急,这不是您的错。",
        "ask": "您结婚了吗?",
        "act": "已经转给工程部了,您等他们通知吧。",
        "negotiate": "所有损失我们全赔。",
        "thank": "谢谢您的反馈,已安排师傅明早九点上门。",
    }
    results = checker.check_set(drafts)
    assert list(results) == list(drafts)
    assert results["listen"].passed and results["empathize"].passed and results["thank"].passed
    assert "privacy_probing" in results["ask"].categories
    assert "buck_passing" in results["act"].categories
    assert "overpromising" in results["negotiate"].categories


def test_context_negation_subject_and_ownership(checker):
    assert checker.check("维修费用不会让您承担,请放心。", "negotiate").passed
    assert checker.check("我们不会推给别的部门,这件事由我负责到底。", "act").passed
    assert checker.check("我来帮您联系楼上业主,约好时间后今晚八点前通知您。", "act").passed
    assert "buck_passing" in checker.check("您自己去找楼上业主协商吧。", "act").categories
    assert checker.check("如果超出我的权限,我会马上请示主管,半小时内给您回话。", "act").passed
    assert "refusing" in checker.check("这个我们帮不了您。", "act").categories


def test_pii_exceptions(checker):
    for text in ["客服热线400-800-1234", "服务热线95598", "工单号GD20240612001已登记",
                 "2024-06-12 14:30 已处理,费用120元", "您登记的手机号(尾号5678)师傅会联系您,今天下午三点上门"]:
        assert checker.check(text, "act").passed, text
    assert "pii_leak" in checker.check("身份证号11010519491231002X已核对", "act").categories
    # 18 digits with a wrong check digit and no ID context is not treated as an ID number
    assert checker.check("订单流水110105194912310021已受理,今天下午三点前李师傅上门", "act").passed


def test_fix_hints_are_deduplicated(checker):
    result = checker.check("您说的不对,您说的根本不对。", "listen")
    assert len(result.violations) == 2
    hints = checker.fix_hints(result.violations)
    assert len(hints) == 1 and hints[0] == result.violations[0].fix_hint
