"""`wuye corpus …` through the real CLI app (in process)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def cli(settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WUYE_CORPUS_DIR", str(settings.corpus_dir))
    from agent.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        get_settings.cache_clear()
        return runner.invoke(app, ["corpus", *args])

    return run


def test_build_reports_counts_and_is_idempotent(cli):
    first = cli("build")
    assert first.exit_code == 0, first.output
    assert "新增 added 9" in first.stdout and "未变 unchanged 0" in first.stdout
    again = cli("build", "--json")
    data = json.loads(again.stdout)
    assert (data["added"], data["updated"], data["removed"], data["unchanged"]) == (0, 0, 0, 9)


def test_search_text_and_json(cli):
    cli("build")
    out = cli("search", "樓上水管爆了", "--k", "2")
    assert out.exit_code == 0
    assert "act.repair_dispatch" in out.stdout and "办·act" in out.stdout
    data = json.loads(cli("search", "业主骂人", "--stage", "empathize", "--k", "1", "--json").stdout)
    assert data["results"][0]["id"] == "empathize.calm_down"
    assert set(data["results"][0]) == {"id", "stage", "topic", "title", "score", "source"}


def test_search_batch_jsonl(cli, tmp_path):
    cli("build")
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "a", "query": "水管爆了"}, ensure_ascii=False),
        json.dumps({"id": "b", "query": "一群業主拉橫幅"}, ensure_ascii=False),
        "",
    ]), encoding="utf-8")
    out = cli("search", "--jsonl", str(batch), "--k", "2")
    assert out.exit_code == 0
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["results"][0]["id"] == "act.repair_dispatch"
    assert lines[1]["results"][0]["id"] == "group.crowd_at_gate"
    assert len(lines[0]["results"]) == 2


def test_batch_with_bad_lines_reports_each_and_fails(cli, tmp_path):
    cli("build")
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1, "query": "漏水"}\nnot json\n{"id": 3, "query": "  "}\n{"id": 4}\n', encoding="utf-8")
    out = cli("search", "--jsonl", str(batch))
    assert out.exit_code == 2
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [bool(line.get("error")) for line in lines] == [False, True, True, True]
    assert lines[2]["error"]["code"] == "invalid_input"
    assert "3 line(s) failed" in out.stderr


@pytest.mark.parametrize("args, zh, en", [
    (["search", ""], "查询内容为空", "empty"),
    (["search", "   "], "查询内容为空", "empty"),
    (["search", "漏" * 600], "查询过长", "too long"),
    (["search", "漏水\x01"], "控制字符", "control characters"),
    (["search", "漏水", "--stage", "chat"], "未知的阶段", "Unknown stage"),
    (["search", "漏水", "--topic", "gossip"], "未知的主题", "Unknown topic"),
    (["search"], "二选一", "either one query"),
    (["search", "--jsonl", "/nonexistent/q.jsonl"], "无法读取", "Cannot read"),
])
def test_bad_input_exit_2_bilingual_no_traceback(cli, args, zh, en):
    cli("build")
    out = cli(*args)
    assert out.exit_code == 2
    assert zh in out.stderr and en in out.stderr
    assert "Traceback" not in out.output and out.exception is None or isinstance(out.exception, SystemExit)


def test_search_builds_a_missing_index_on_first_use(cli):
    out = cli("search", "漏水", "--json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["results"]
    assert cli("search", "漏水").exit_code == 0  # the second time the index is there


def test_missing_index_without_a_corpus_tells_to_build(cli, settings):
    import shutil

    shutil.rmtree(settings.corpus_dir)
    out = cli("search", "漏水")
    assert out.exit_code == 2
    assert "wuye corpus build" in out.stderr and "检索索引不存在" in out.stderr


def test_bad_corpus_is_reported(cli, settings):
    (settings.corpus_dir / "broken.yaml").write_text("- id: BAD\n  topic: x\n", encoding="utf-8")
    out = cli("build")
    assert out.exit_code == 2 and "broken.yaml" in out.stderr and "BAD" in out.stderr


def test_ingest_cli_reports_and_fails_on_bad_file(cli, tmp_path):
    bad = tmp_path / "old.txt"
    bad.write_bytes("物業投訴".encode("big5"))
    out = cli("ingest", str(FIXTURES / "ingest"), str(bad))
    assert out.exit_code == 2
    assert "合计 total" in out.stdout and "11 passage(s) added" in out.stdout
    assert "old.txt" in out.stderr and "not UTF-8" in out.stderr
    data = json.loads(cli("ingest", str(FIXTURES / "ingest"), "--json").stdout)
    assert data["added"] == 0 and data["totals"]["already_indexed"] == 11


def test_eval_command(cli, tmp_path):
    queries = tmp_path / "q.yaml"
    queries.write_text(
        "- {id: q1, query: 水管爆了, expected: [act.repair_dispatch]}\n"
        "- {id: q2, query: 業主一直罵人, expected: [empathize.calm_down]}\n"
        "- {id: q3, query: 明天天气怎么样, expected: [thank.follow_up_call]}\n", encoding="utf-8")
    data = json.loads(cli("eval", "--queries", str(queries), "--json").stdout)
    assert data["overall"]["count"] == 3
    assert data["by_script"]["traditional"]["count"] == 1
    assert data["overall"]["hit@3"] >= 2 / 3
    assert data["overall"]["hit@1"] <= data["overall"]["hit@3"]
    text = cli("eval", "--queries", str(queries)).stdout
    assert "hit@3" in text and "MRR" in text
    compare = json.loads(cli("eval", "--queries", str(queries), "--compare", "--json").stdout)
    assert any(row["design"].endswith("(default)") for row in compare)
    missing = cli("eval", "--queries", str(tmp_path / "none.yaml"))
    assert missing.exit_code == 2 and "not found" in missing.stderr
