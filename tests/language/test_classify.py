"""Offline classifier: hand-picked cases per field, errors, the eval report command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import InvalidInput
from agent.understand.classify import classify_offline, load_rules
from agent.understand.classify_eval import evaluate, load_cases, main
from agent.vocab import Category, Mindset, Severity, Urgency

DATASET = Path(__file__).resolve().parents[2] / "evals" / "drafting" / "complaints.jsonl"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("3号楼电梯又坏了,等了半天", Category.facilities),
        ("小区垃圾好几天没人清,臭死了", Category.environment),
        ("我的电动车在车库被偷了,监控也说坏了", Category.security),
        ("物业费凭什么涨价,一点公示都没有", Category.fees),
        ("你们客服态度太差了,挂我电话", Category.service_attitude),
        ("隔壁邻居装修天天电钻", Category.neighbor),
        ("小区宽带网速太慢了", Category.other),
        ("請問今天天氣怎麼樣", Category.other),
        ("樓上又漏水了,天花板一直滴", Category.facilities),
        # a mahjong parlour is a business (guide: noise from shops is environment), not a neighbour
        ("楼下门面开了个麻将馆,每天吵到凌晨两点", Category.environment),
        # "安全隐患" says nothing of the kind: the thing named decides (here a building defect)
        ("南楼外墙瓷砖松动,存在安全隐患,物业一直不修", Category.facilities),
        # a building defect stays facilities when the developer is blamed for it (guide: building defects)
        ("开发商把楼顶的水管装错了", Category.facilities),
    ],
)
def test_category(text: str, category: Category) -> None:
    assert classify_offline(text).category is category


@pytest.mark.parametrize(
    "text",
    [
        "楼道里一股很重的煤气味,头都晕了",
        "我跟我妈被困在电梯里二十分钟了",
        "配电箱门开着,电线都露在外面,小孩就在旁边玩",
        "有人从楼上扔了个花盆下来,差点砸到人",
        "我们三十多户业主商量好了下周拉横幅",
        "再不处理我就找记者曝光你们",
        "这是第三次漏水了,地板全泡坏了",
        "樓道裡聞到煤氣味,好害怕",
    ],
)
def test_major_cases_are_caught_and_escalated(text: str) -> None:
    result = classify_offline(text)
    assert result.severity is Severity.major
    assert result.escalate and result.reason


def test_hypothetical_fire_is_not_major() -> None:
    result = classify_offline("消防通道天天被私家车堵着,真着火了消防车都进不来,我投诉了三次都没用")
    assert result.severity is Severity.important
    assert result.urgency is Urgency.normal


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("下水道反水了,现在还在往外冒,赶紧派人来", Urgency.urgent),
        ("闻到燃气味了", Urgency.urgent),
        ("路灯坏了好几天了,麻烦修一下", Urgency.normal),
        ("上礼拜我爸差点被关在电梯里", Urgency.normal),
    ],
)
def test_urgency(text: str, urgency: Urgency) -> None:
    assert classify_offline(text).urgency is urgency


@pytest.mark.parametrize(
    ("text", "mindset"),
    [
        ("地板泡坏了,损失你们必须赔", Mindset.compensation),
        ("这个月物业费必须给我减免", Mindset.compensation),
        ("保安骂我,我要他当面道歉", Mindset.respect),
        ("前台对我翻白眼,说话阴阳怪气", Mindset.respect),
        ("垃圾桶满了也没人收", Mindset.vent),
    ],
)
def test_mindset(text: str, mindset: Mindset) -> None:
    assert classify_offline(text).mindset is mindset


def test_a_letter_about_a_charge_wants_money_back() -> None:
    body = ("尊敬的领导:我们是临江市青禾苑的业主,物业从上个月起把地下车库月租从两百元提到四百元,"
            "没有公示,也没有开业主大会,我们多次到物业中心询问都没有答复,请有关部门调查。") * 2
    letter = classify_offline("临江市青禾苑物业擅自上调停车费。" + body)
    assert letter.mindset is Mindset.compensation
    # the same body under a title that names no charge keeps the plain reading
    assert classify_offline("临江市青禾苑物业中心的问题。" + body).mindset is Mindset.vent


def test_compensation_claim_escalates_without_promising() -> None:
    result = classify_offline("道闸杆落下来砸在我车顶上,我要求物业赔偿全部维修费")
    assert result.severity is Severity.important and result.escalate
    assert "赔偿" in result.reason


def test_routine_case_does_not_escalate() -> None:
    result = classify_offline("小区东门的路灯坏了,麻烦找人修一下")
    assert (result.severity, result.escalate, result.reason) == (Severity.general, False, "")


def test_placeholders_do_not_count() -> None:
    assert classify_offline("我叫〔姓名1〕,电话〔电话1〕").category is Category.other


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_bad_input_raises_bilingual_error(bad: object) -> None:
    with pytest.raises(InvalidInput) as info:
        classify_offline(bad)  # type: ignore[arg-type]
    assert "/" in info.value.message


def test_broken_rules_file_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "rules.yaml"
    broken.write_text("categories: [oops", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_rules(broken)
    assert "rules.yaml" in info.value.zh


def test_eval_report_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        {"id": "a", "text": "闻到燃气味了", "expected": {"category": "facilities", "severity": "major",
                                                      "urgency": "urgent", "mindset": "vent", "escalate": True}},
        {"id": "b", "text": "垃圾没人收", "expected": {"category": "fees", "severity": "general",
                                                    "urgency": "normal", "mindset": "vent", "escalate": False}},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases), encoding="utf-8")
    report = evaluate(load_cases(path))
    assert report["accuracy"]["category"] == 0.5
    assert report["major_recall"] == 1.0
    assert report["confusion"]["category"] == {"fees → environment": 1}
    assert main(["--eval", str(path), "--json"]) == 1  # category below 0.85
    assert json.loads(capsys.readouterr().out)["cases"] == 2
    assert main(["--eval", str(path), "--min-accuracy", "0.5"]) == 0
    assert "major recall" in capsys.readouterr().out
    assert main(["--eval", str(tmp_path / "missing.jsonl")]) == 2
    assert "无法读取" in capsys.readouterr().err
    path.write_text("{not json", encoding="utf-8")
    assert main(["--eval", str(path)]) == 2


@pytest.mark.skipif(not DATASET.is_file(), reason="evals/drafting/complaints.jsonl not present")
def test_accuracy_on_the_labelled_set() -> None:
    report = evaluate(load_cases(DATASET))
    assert all(accuracy >= 0.90 for accuracy in report["accuracy"].values()), report["accuracy"]
    assert report["major_recall"] == 1.0, [m for m in report["misses"] if m["expected"] == "major"]


def test_being_stuck_in_a_lift_is_major_even_in_passing():
    from agent.understand.classify import classify_offline

    assert classify_offline("电梯又坏了，困了我半小时").severity == "major"
    assert classify_offline("電梯又壞了，困了我半小時").severity == "major"
    assert classify_offline("电梯的事困了我好几天").severity != "major"  # 困 as "bothered"
