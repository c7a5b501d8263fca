"""Classification that reads context (issue 12): live danger vs negated / hypothetical / elsewhere /
over; how long, how many and who; multi-issue lists; language; the learned model; the real eval CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.understand import learned
from agent.understand.classify import classify_offline
from agent.understand.script import detect_language
from agent.vocab import Category, Severity, Urgency


@pytest.mark.parametrize(
    "text",
    [
        "地库车位被外来车辆占满,保安也不管,难道非要等到打起来出了人命才有领导重视吗?",
        "物业乱收停车费的事我反映了很久,没有一家媒体敢报道,我已经打过12345了。",
        "隔壁小区上个月着火了,烧了两层楼,我们小区的消防栓也要检查一下吧。",
        "我已经打了12345,也给住建局写了信,小区门口的垃圾还是没人清。",
        "万一电梯哪天掉下来怎么办?请物业多检查检查。",
        "前几年小区车库起过一次火,早就修好了,现在我们想问问车位租金的事。",
    ],
)
def test_passing_mentions_are_not_major(text: str) -> None:
    result = classify_offline(text)
    assert result.severity is not Severity.major, result.reason


@pytest.mark.parametrize(
    "text",
    [
        "楼上正在砸承重墙,整栋楼都在震,物业说管不了!",
        "我们整栋楼停水两个月了,老人孩子每天下楼提水。",
        "小区的栏杆松了,上个月有个孩子从这里摔下去,人没了,现在栏杆还是坏的。",
        "The lift is stuck between floors and my mother is trapped inside, please come now!",
    ],
)
def test_real_danger_is_major(text: str) -> None:
    result = classify_offline(text)
    assert result.severity is Severity.major
    assert result.escalate and result.reason


def test_long_lasting_many_households_and_vulnerable_people_make_it_important() -> None:
    text = ("我们单元的电梯已经停了半年,物业说在等配件,一直没有修好。单元里住了三十多户,有两位坐轮椅的老人,"
            "半年来没下过楼,孩子上学也要爬二十多层。我们多次找物业,都说再等等,请尽快解决。")
    result = classify_offline(text)
    assert result.severity is Severity.important
    assert result.category is Category.facilities


def test_commercial_noise_is_environment_and_developer_fees_are_other() -> None:
    noise = classify_offline("楼下新开的烧烤店每天营业到凌晨三点,油烟和噪音直接进我们卧室,已经持续两个月。"
                             "我们找过物业也找过城管,烧烤店照样营业,整栋楼的住户都睡不好,希望有关部门管一管。")
    assert noise.category is Category.environment
    developer = classify_offline("开发商交房一年了还办不下房产证,又让我们交一笔契税和维修基金才给办证,"
                                 "售楼时根本没说过这些费用。我们几十户业主多次去售楼处,每次都说在走流程,"
                                 "恳请有关部门催开发商早日把证办下来。")
    assert developer.category is Category.other


def test_a_multi_issue_complaint_lists_every_issue_primary_first() -> None:
    text = ("电梯坏了一个星期没人修。楼道里的垃圾三天没人清理,臭得不行。"
            "物业还把这个月的物业费涨了五十块,也没有公示。")
    masked = text
    result = classify_offline(masked)
    categories = [issue.category for issue in result.issues]
    assert categories[0] is result.category
    assert {Category.facilities, Category.environment, Category.fees} <= set(categories)
    for issue in result.issues:
        start, end = issue.span
        assert issue.summary and issue.summary[:4] in masked[start:end]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("电梯又坏了,困了我半小时", "zh-Hans"),
        ("電梯又壞了,困了我半小時", "zh-Hant"),
        ("The lift has been broken for two weeks and nobody answers the phone.", "en"),
        ("我家的 lift 又坏了, the management office never answers, 请尽快处理", "mixed"),
        ("我的QQ号和车牌粤B12345都登记过了", "zh-Hans"),
    ],
)
def test_language_is_recognised(text: str, language: str) -> None:
    assert detect_language(text) == language
    assert classify_offline(text).language == language


def test_english_complaints_are_classified() -> None:
    assert classify_offline("Why did the management fee go up again without any notice?").category is Category.fees
    noisy = classify_offline("My neighbour upstairs is renovating every weekend, the drilling never stops.")
    assert noisy.category is Category.neighbor
    assert noisy.urgency is Urgency.normal


def test_the_learned_model_ships_and_gives_probabilities() -> None:
    probs = learned.probabilities("电梯坏了一个星期没人修")
    assert probs is not None and abs(sum(probs.values()) - 1) < 1e-4
    assert max(probs, key=probs.get) is Category.facilities


def test_training_is_deterministic_and_fits_its_data() -> None:
    texts = ["电梯坏了", "电梯困人", "物业费涨价", "停车费太贵", "邻居装修太吵", "楼上邻居半夜跺脚"]
    labels = [learned.CLASSES.index(c) for c in ("facilities", "facilities", "fees", "fees", "neighbor", "neighbor")]
    first = learned.train(texts, labels, epochs=60)
    second = learned.train(texts, labels, epochs=60)
    assert (first[0] == second[0]).all() and (first[1] == second[1]).all()
    scores = learned._matrix(texts) @ first[0] + first[1]
    assert list(scores.argmax(axis=1)) == labels


def test_real_eval_prints_totals_only(tmp_path: Path) -> None:
    from cli.main import build_app

    complaints = tmp_path / "complaints.jsonl"
    secret = "业主郑秋实反映3栋1202楼上漏水半个月了"
    complaints.write_text(json.dumps({"id": "x1", "text": secret}, ensure_ascii=False) + "\n"
                          + json.dumps({"id": "x2", "text": "小区垃圾没人清"}, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(row) for row in [
        {"id": "x1", "category": "facilities", "severity": "important", "urgency": "normal", "escalate": False,
         "mindset": "vent", "language": "zh-Hans"},
        {"id": "x2", "category": "environment", "severity": "general", "urgency": "normal", "escalate": False,
         "mindset": "vent", "language": "zh-Hans"}]) + "\n", encoding="utf-8")
    pii = tmp_path / "pii.jsonl"
    pii.write_text(json.dumps({"id": "x1", "spans": [{"type": "name", "start": 2, "end": 5},
                                                     {"type": "room", "start": 7, "end": 13}]}) + "\n",
                   encoding="utf-8")
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"dev": ["x1", "x2"], "test": []}), encoding="utf-8")
    result = CliRunner().invoke(build_app("understand"), [
        "understand", "eval", "--complaints", str(complaints), "--labels", str(labels), "--pii", str(pii),
        "--splits", str(split), "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert "category" in result.output and "name       1/1" in result.output and "room       1/1" in result.output
    assert "郑秋实" not in result.output and "漏水" not in result.output
    missing = CliRunner().invoke(build_app("understand"), [
        "understand", "eval", "--complaints", str(tmp_path / "nope.jsonl"), "--split", "dev"])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
