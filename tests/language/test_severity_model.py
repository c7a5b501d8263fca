"""The learned severity / escalation layer of long letters: cues, training, the shipped weights."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from agent.understand import severity_model as sm
from agent.understand.classify import classify_offline
from agent.vocab import Severity

# our own words, in the style of a public-board letter (title, then the body)
LIFT_LETTER = (
    "临江市青枫苑3栋电梯频繁困人，老人被困一小时。 尊敬的领导：我们是青枫苑3栋的住户，这栋楼三十多层只有两台电梯。"
    "本月电梯已经四次在运行中突然停住，昨天一位八十岁的老人被困在电梯里一个多小时，救出来时已经晕倒送医。"
    "物业每次只说已经报修，维保单位来看一眼就走，电梯至今仍在带病运行，全楼两百多户每天提心吊胆。"
    "恳请有关部门立即责令停用检修，保障住户的生命安全。"
)
LAWN_LETTER = (
    "关于临江市南湖苑小区草坪修剪的建议。 各位领导好，我是南湖苑的一名业主，小区的草坪最近长得比较高，"
    "有些地方还有落叶没有及时清扫，希望物业安排保洁人员定期修剪草坪、清扫落叶，让小区环境更整洁一些。"
    "另外小区门口的宣传栏有点旧了，如果方便的话也可以更新一下，上面贴的还是去年的通知。"
    "小区里的长椅也可以擦一擦，傍晚散步的人挺多的。这些都是小事，提出来供物业参考。谢谢。"
)


def test_numbers_in_words_and_digits() -> None:
    assert sm._number("12") == 12
    assert sm._number("三十多") == 30
    assert sm._number("上百") == 100
    assert sm._number("两") == 2


def test_cues_read_danger_in_context() -> None:
    live = sm.cues("电梯困人，老人被困在电梯里一个小时。" * 3, "电梯困人")
    said = dict(zip(sm.FEATURES, live, strict=True))
    assert said["danger_body"] > 0 and said["title_safety"] == 1.0 and said["vulnerable"] == 1.0
    hypothetical = dict(zip(sm.FEATURES, sm.cues("如果着火了后果不堪设想，万一有人被困怎么办。", ""), strict=True))
    assert hypothetical["danger_body"] == 0.0 and hypothetical["danger_not_live"] == 1.0


def test_fit_is_deterministic_and_respects_the_major_budget() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((60, len(sm.FEATURES)))
    severity = ["major" if row[0] > 0.8 else "important" for row in x]
    one, two = sm.fit(x, severity), sm.fit(x, severity)
    assert one.to_json() == two.to_json()
    predicted = sum(one.predict(row)[0] == "major" for row in x)
    assert predicted <= sm.MAJOR_RATIO * severity.count("major")
    again = sm.SeverityModel.from_json(one.to_json())
    assert [again.predict(row)[0] for row in x] == [one.predict(row)[0] for row in x]


def test_the_shipped_model_reads_a_danger_letter_as_major_and_a_routine_one_as_not() -> None:
    assert sm.load() is not None
    danger = classify_offline(LIFT_LETTER)
    assert danger.severity is Severity.major and danger.escalate
    assert "需立即上报" in danger.reason
    routine = classify_offline(LAWN_LETTER)
    assert routine.severity is not Severity.major and not routine.escalate and routine.reason == ""


def test_short_messages_keep_the_rules() -> None:
    assert not sm.is_letter("小区东门的路灯坏了,麻烦找人修一下", "")
    assert sm.is_letter(LAWN_LETTER, "关于临江市南湖苑小区草坪修剪的建议")


def test_a_mismatched_weights_file_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    from agent.errors import InvalidInput

    path = tmp_path / "bad.json"
    path.write_text('{"features": ["x"]}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="train-severity"):
        sm.load(path)


def test_cv_command_reports_a_missing_file_in_both_languages(tmp_path) -> None:  # noqa: ANN001
    from cli.main import app

    result = CliRunner().invoke(app, ["understand", "cv", "--complaints", str(tmp_path / "none.jsonl")])
    assert result.exit_code != 0
    assert "无法读取" in result.output and "cannot read" in result.output
    assert "Traceback" not in result.output


def test_demands_and_accusations_are_read_as_the_guide_names_them() -> None:
    said = dict(zip(sm.FEATURES, sm.cues("要求物业退还多收的物业费，否则我们就起诉。公共收益去向不明。", ""), strict=True))
    assert said["demand_money"] == 1.0 and said["demand_legal"] == 1.0 and said["misconduct"] == 1.0
    assert said["demand_replace"] == 0.0 and said["demand_punish"] == 0.0
    calm = dict(zip(sm.FEATURES, sm.cues("楼道的灯坏了，麻烦物业修一下。", ""), strict=True))
    assert calm["misconduct"] == 0.0 and calm["demand_money"] == 0.0


def test_escalation_follows_the_guide_from_severity_and_named_cues() -> None:
    # a model that calls nothing major and everything important: escalation is then the guide's cues alone
    flat = sm.SeverityModel((np.zeros(len(sm.FEATURES)), -10.0), (np.zeros(len(sm.FEATURES)), -10.0), 0.5, 0.5)
    quiet = np.zeros(len(sm.FEATURES))
    assert flat.predict(quiet)[:2] == ("important", False)
    for name in sm.ESCALATE_CUES:
        x = quiet.copy()
        x[sm.FEATURES.index(name)] = 1.0
        assert flat.predict(x)[:2] == ("important", True), name
        assert flat.reason(x, "important").endswith("需主管核实处理")
    # a long complaint (many households, for years) is important but not beyond the agent by itself
    busy = quiet.copy()
    for name in ("households", "scope", "duration", "repeated", "vulnerable"):
        busy[sm.FEATURES.index(name)] = 1.0
    assert flat.predict(busy)[:2] == ("important", False)
    # a general post never escalates, whatever it asks for
    calm = sm.SeverityModel((np.zeros(len(sm.FEATURES)), -10.0), (np.zeros(len(sm.FEATURES)), 10.0), 0.5, 0.5)
    demand = quiet.copy()
    demand[sm.FEATURES.index("demand_money")] = 1.0
    assert calm.predict(demand)[:2] == ("general", False)


def test_the_demand_cues_read_demands_not_pleas_or_passing_courts() -> None:
    plea = "请街道出面管一管，还我们清净的日子。" * 8
    refund = "物业多收的停车费请退还，还我们多交的钱。" * 8
    assert sm.cues(plea, "")[sm.FEATURES.index("demand_money")] == 0.0
    assert sm.cues(refund, "")[sm.FEATURES.index("demand_money")] == 1.0
    court = "售楼处说地块去年被法院查封过，房产证要再等等。" * 8
    suing = "我们已经请了律师，准备向法院起诉物业。" * 8
    assert sm.cues(court, "")[sm.FEATURES.index("demand_legal")] == 0.0
    assert sm.cues(suing, "")[sm.FEATURES.index("demand_legal")] == 1.0


def test_a_title_naming_a_wrongful_act_accuses_whoever_did_it() -> None:
    body = "我们多次向物业和街道反映,一直没有答复,请有关部门调查处理。" * 6
    wrongful = "临江市青禾苑违规收取地下车库管理费"
    plain = "临江市青禾苑地下车库管理费的问题"
    accuses = sm.FEATURES.index("title_accuses")
    assert sm.cues(wrongful + "。" + body, wrongful)[accuses] == 1.0
    assert sm.cues(plain + "。" + body, plain)[accuses] == 0.0


def test_harm_done_and_structural_danger_are_read_in_context() -> None:
    harmed, structure = sm.FEATURES.index("harmed_live"), sm.FEATURES.index("structure_live")
    filler = "我们多次向物业反映,一直没有答复。" * 8
    hurt = "上周三号楼电梯突然下坠,一位老人摔伤送医。" + filler
    feared = "如果电梯再这样下去,迟早会有人受伤。" + filler
    assert sm.cues(hurt, "")[harmed] == 1.0 and sm.cues(feared, "")[harmed] == 0.0
    wall = "楼上住户装修时拆除了承重墙,整栋楼的住户都很担心。" + filler
    assert sm.cues(wall, "")[structure] == 1.0 and sm.cues(filler, "")[structure] == 0.0


def test_misconduct_is_the_company_s_own_act_in_one_clause() -> None:
    misconduct = sm.FEATURES.index("misconduct")
    filler = "我们多次反映,一直没有答复,请有关部门处理。" * 6
    own = "物业私自把小区绿地改成停车场收费。" + filler
    other = "有车主总把车停在物业门口,天天非法堵住消防车道。" + filler
    assert sm.cues(own, "")[misconduct] == 1.0 and sm.cues(other, "")[misconduct] == 0.0


def test_written_letters_train_but_the_major_budget_is_set_on_real_posts() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((60, len(sm.FEATURES)))
    severity = ["major" if row[0] > 0.85 else "important" for row in x]
    written_x = rng.random((40, len(sm.FEATURES)))
    written = (written_x, ["major"] * 40, [True] * 40)  # our letters: far more majors than real posts
    model = sm.fit(x, severity, written=written)
    assert sum(model.predict(row)[0] == "major" for row in x) <= sm.MAJOR_RATIO * severity.count("major")
    assert model.to_json() != sm.fit(x, severity).to_json()


def test_cross_validation_scores_real_posts_only() -> None:
    from agent.understand import cv

    rng = np.random.default_rng(2)
    x = rng.random((30, len(sm.FEATURES)))
    severity = ["major" if row[0] > 0.8 else "important" for row in x]
    escalate = [s == "major" for s in severity]
    written = (rng.random((20, len(sm.FEATURES))), ["general"] * 20, [False] * 20)
    result = cv.cross_validate(x, severity, escalate, repeats=1, extra=written)
    assert result["posts"] == 30 and result["majors_true"] == severity.count("major")
    assert result != cv.cross_validate(x, severity, escalate, repeats=1)


def test_the_written_training_letters_are_labelled_in_the_guide_s_values() -> None:
    import json

    from agent.understand.real_eval import ROOT
    from agent.vocab import Category

    rows = [json.loads(line) for line in (ROOT / "evals" / "understand" / "letters_train.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 260 and len({r["id"] for r in rows}) == 260
    for row in rows:
        Category(row["category"])
        assert row["severity"] in {"general", "important", "major"} and isinstance(row["escalate"], bool)
        assert row["severity"] != "general" or not row["escalate"]
        assert row["severity"] != "major" or row["escalate"]
