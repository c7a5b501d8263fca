"""`wuye draft --report grounding,repetition,fit` (agent/drafting/report.py): each metric fails on
what it is meant to catch; the CLI options (--labels, --split-file/--split, --sample/--seed)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agent.drafting.report import DraftRow, fit, grounding, repetition
from cli.main import app

COMPLAINT = "楼道的灯坏了三天了，晚上下楼黑漆漆的，我家老人差点摔倒。"


def test_grounding_fails_on_an_invented_specific() -> None:
    good = DraftRow("a", COMPLAINT, {"listen": "您说楼道的灯坏了三天，老人晚上下楼很不安全，我都记下了。"})
    bad = DraftRow("b", COMPLAINT, {"listen": "您说的5区电梯困人险情，我们马上处理。"})
    assert grounding([good])["ok"] and grounding([good])["ungrounded_sets"] == 0
    result = grounding([good, bad])
    assert not result["ok"] and result["ungrounded_sets"] == 1
    assert {e[1] for e in result["examples"][0]["ungrounded"]} >= {"5区", "电梯"}


def test_repetition_flags_a_stock_sentence() -> None:
    rows = [DraftRow(str(i), COMPLAINT, {"thank": f"谢谢您告诉我们这件事。第{i}号的改进我们会落实到位。"})
            for i in range(20)]
    result = repetition(rows)
    assert not result["ok"] and result["stages"]["thank"]["max_share"] == 1.0
    varied = [DraftRow(str(i), COMPLAINT, {"thank": f"第{i}号的改进我们会落实到位。"}) for i in range(20)]
    assert repetition(varied)["ok"]


def test_fit_counts_topic_citations_and_group_misuse() -> None:
    rows = [DraftRow("leak", COMPLAINT, {}, {"act": ["repair.dispatch"]}),
            DraftRow("fee", COMPLAINT, {}, {"act": ["act.overview"], "negotiate": ["group.coordinate"]})]
    labels = {"leak": {"category": "facilities", "severity": "important"},
              "fee": {"category": "fees", "severity": "general"}}
    result = fit(rows, labels)
    assert result["fit"] == 0.5 and result["group_for_non_major"] == 1 and not result["ok"]
    assert fit(rows[:1], labels)["ok"]


def test_cli_reports_split_and_sample(_isolated_data_dir, tmp_path) -> None:  # noqa: ANN001
    texts = ["楼道的灯坏了三天了，晚上下楼黑漆漆的。", "物业费今年涨了，也没有公示依据，请解释一下。",
             "楼上每天半夜拖椅子，吵得睡不着。", "小区门口的垃圾两天没人清了，很臭。"]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"c{i}", "text": t}, ensure_ascii=False)
                              for i, t in enumerate(texts)), encoding="utf-8")
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"dev": ["c0", "c1", "c2"], "test": ["c3"]}), encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps({"id": f"c{i}", "category": c, "severity": "general"})
                                for i, c in enumerate(["facilities", "fees", "neighbor", "environment"])),
                      encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["draft", "--jsonl", str(path), "--report", "grounding,repetition,fit",
                                 "--labels", str(labels), "--split-file", str(split), "--split", "dev"])
    reports = {r["report"]: r for r in (json.loads(line) for line in result.stdout.splitlines()
                                         if line.startswith('{"report"'))}
    assert set(reports) == {"grounding", "repetition", "fit"}, result.output
    assert reports["grounding"]["sets"] == 3 and reports["grounding"]["ungrounded_sets"] == 0
    assert reports["fit"]["labelled"] == 3 and reports["fit"]["group_for_non_major"] == 0
    sample = runner.invoke(app, ["draft", "--jsonl", str(path), "--sample", "2", "--seed", "5", "--json"])
    again = runner.invoke(app, ["draft", "--jsonl", str(path), "--sample", "2", "--seed", "5", "--json"])
    ids = [json.loads(line)["id"] for line in sample.stdout.splitlines()]
    assert len(ids) == 2 and ids == [json.loads(line)["id"] for line in again.stdout.splitlines()]
    bad = runner.invoke(app, ["draft", "--jsonl", str(path), "--report", "grounding,nonsense"])
    assert bad.exit_code == 2


def test_cli_writes_the_blind_read_input(_isolated_data_dir, tmp_path) -> None:  # noqa: ANN001
    texts = ["楼道的灯坏了三天了，晚上下楼黑漆漆的。我电话13812345678。", "物业费今年涨了，也没有公示依据，请解释一下。",
             "楼上每天半夜拖椅子，吵得睡不着。"]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"c{i}", "text": t}, ensure_ascii=False)
                              for i, t in enumerate(texts)), encoding="utf-8")
    review = tmp_path / "review.jsonl"
    runner = CliRunner()
    args = ["draft", "--jsonl", str(path), "--sample", "2", "--seed", "3", "--review", str(review), "-o",
            str(tmp_path / "full.jsonl")]
    assert runner.invoke(app, args).exit_code == 0
    first = review.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in first.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert set(row) == {"id", "complaint", "stages"}  # nothing that tells how the draft was made
        assert [s["stage"] for s in row["stages"]] == ["listen", "empathize", "ask", "act", "negotiate", "thank"]
        assert all(set(s) == {"stage", "text"} and s["text"] for s in row["stages"])
        assert "13812345678" not in row["complaint"]  # the masked complaint
    assert runner.invoke(app, args).exit_code == 0 and review.read_text(encoding="utf-8") == first  # fixed seed
    assert runner.invoke(app, ["draft", "楼道灯坏了", "--review", str(review)]).exit_code == 2
