"""`wuye check`: one reply, --jsonl with a bad line in the middle, --eval."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_single_reply_is_a_gate_exit_1_on_failure_0_on_pass():
    result = runner.invoke(app, ["check", "--stage", "act", "我们会尽快处理的。"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is False and data["violations"][0]["category"] == "vague"
    # the message cites the playbook entry (title + id), never the seed file's hashed name
    assert "《" in data["violations"][0]["message"] and ".txt" not in data["violations"][0]["message"]
    result = runner.invoke(app, ["check", "--stage", "act", "今天下午三点前由维修班长李师傅上门。"])
    assert result.exit_code == 0 and json.loads(result.stdout)["passed"] is True


def test_single_reply_needs_a_stage_and_a_known_one():
    result = runner.invoke(app, ["check", "您好"])
    assert result.exit_code == 2 and "--stage" in result.stderr
    result = runner.invoke(app, ["check", "--stage", "reply", "您好"])
    assert result.exit_code == 2 and "unknown stage" in result.stderr
    assert "Traceback" not in result.output


def test_jsonl_bad_line_in_the_middle_is_reported_and_the_rest_processed(tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "stage": "act", "text": "今天下午三点前由维修班长李师傅上门。", "note": "x"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c", "stage": "closing", "text": "谢谢"}, ensure_ascii=False),
        json.dumps({"id": "d", "stage": "act", "text": ""}, ensure_ascii=False),
        json.dumps({"id": "e", "stage": "thank", "text": 42}),
        json.dumps({"id": "f", "text": "缺阶段"}, ensure_ascii=False),
        "",
        json.dumps({"id": "g", "stage": "listen", "text": "您说的根本不对。"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--jsonl", str(path)])
    assert result.exit_code == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "c", "d", "e", "f", "g"]
    assert out[0] == {"id": "a", "passed": True, "violations": []}
    assert out[1]["line"] == 2 and out[1]["error"]["code"] == "invalid_json"
    assert out[2]["line"] == 3 and out[2]["error"]["code"] == "unknown_stage"
    assert out[3]["error"]["code"] == "empty_text" and out[4]["error"]["code"] == "not_a_string"
    assert out[5]["error"]["code"] == "missing_field"
    assert out[6]["passed"] is False and out[6]["violations"][0]["category"] == "arguing"
    for err in out[1:6]:
        assert err["error"]["message_zh"] and err["error"]["message_en"]
    assert "line 2" in result.stderr and "line 3" in result.stderr and "line 8" not in result.stderr


def test_jsonl_exit_1_when_any_text_fails_0_when_all_pass(tmp_path):
    path = tmp_path / "mixed.jsonl"
    rows = [{"id": 1, "stage": "thank", "text": "谢谢您!"},
            {"id": 2, "stage": "act", "text": "今天下午三点前由维修班长李师傅上门。"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["check", "--jsonl", str(path)])
    assert result.exit_code == 1 and "1 reply(ies) failed" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["violations"][0]["category"] == "empty_thanks"
    path.write_text(json.dumps(rows[1], ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--jsonl", str(path)])
    assert result.exit_code == 0 and json.loads(result.stdout)["passed"] is True


def test_missing_file_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["check", "--jsonl", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_eval_prints_metrics(tmp_path):
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"id": "1", "stage": "act", "text": "我们会尽快处理的。", "expected": ["vague"]},
        {"id": "2", "stage": "act", "text": "今天下午三点前由维修班长李师傅上门。", "expected": []},
        {"id": "3", "stage": "listen", "text": "您说的根本不对。", "expected": ["arguing"]},
        {"id": "4", "stage": "act", "text": "好的,我记下了。", "expected": ["refusing"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["check", "--eval", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replies"] == 4 and data["clean"] == 1
    assert data["false_positive_rate"] == 0.0
    assert data["overall_recall"] == round(2 / 3, 4)
    assert data["per_category"]["refusing"]["recall"] == 0.0
    assert data["per_category"]["vague"]["precision"] == 1.0
    table = runner.invoke(app, ["check", "--eval", str(path)])
    assert "| vague |" in table.stdout and "false-positive rate" in table.stdout


@pytest.mark.slow
def test_real_entry_point_checks_jsonl(tmp_path):
    """The console script path (`wuye check …` = `python -m cli.main check …`), in a subprocess."""
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"id": 1, "stage": "act", "text": "我们会尽快处理的。"}, ensure_ascii=False) + "\n"
        + "oops\n"
        + json.dumps({"id": 3, "stage": "thank", "text": "如果还有其他问题,请随时致电客服中心。"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, "-m", "cli.main", "check", "--jsonl", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert out[0]["violations"][0]["category"] == "vague"
    assert out[1]["line"] == 2 and out[2] == {"id": 3, "passed": True, "violations": []}
    assert "line 2" in proc.stderr and "Traceback" not in proc.stderr
