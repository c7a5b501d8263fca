"""`wuye draft` with the embedded offline drafter: --json, --jsonl (a bad line is reported on its own
line, the others are processed, exit 2) and --report over labelled complaints."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_draft_json(_isolated_data_dir):
    result = runner.invoke(app, ["draft", "小区垃圾桶三天没人清理,臭得楼道里都闻得到,电话13712345678", "--json"])
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    assert set(draft) >= {"id", "status", "classification", "stages", "model", "prompt", "llm_calls", "timings_ms"}
    assert set(draft["classification"]) == {"category", "severity", "urgency", "mindset", "escalate", "reason",
                                           "issues", "language"}
    assert (draft["model"], draft["drafter"], draft["llm_calls"]) == ("wuye-offline/drafter", "offline", 1)
    assert [s["stage"] for s in draft["stages"]] == ["listen", "empathize", "ask", "act", "negotiate", "thank"]
    for stage in draft["stages"]:
        assert stage["guardrail"]["passed"] and stage["techniques"][0]["id"].count(".") >= 1
        assert set(stage["techniques"][0]) == {"id", "title", "source"}
    assert "13712345678" not in result.stdout
    assert draft["prompt"]["id"] == "draft"


def test_draft_jsonl_reports_bad_lines_and_keeps_going(_isolated_data_dir, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "ok-1", "text": "电梯又停了,我家老人上不了楼"}, ensure_ascii=False),
        "{broken",
        json.dumps({"id": "empty", "text": "  "}),
        "",
        json.dumps({"id": "ok-2", "text": "停車場的燈壞了好幾天都沒人修"}, ensure_ascii=False),
    ]), encoding="utf-8")
    result = runner.invoke(app, ["draft", "--jsonl", str(path)])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["ok-1", "line-2", "empty", "ok-2"]
    assert lines[1]["error"]["code"] == "invalid_input" and lines[1]["line"] == 2
    assert "error" in lines[2] and lines[0]["status"] == "pending_approval"
    assert lines[3]["script"] == "traditional" and "燈" in lines[3]["complaint_masked"]


def test_draft_report(_isolated_data_dir, tmp_path):
    cases = [
        {"id": "r1", "text": "家里燃气味道特别重,好像漏气了,赶紧派人来!",
         "expected": {"urgency": "urgent"}},
        {"id": "r2", "text": "楼下装修周末一大早就砸墙,吵得没法休息,电话13612345678",
         "expected": {"urgency": "normal"}},
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["draft", "--jsonl", str(path), "--report", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "classification accuracy · urgency" in result.stdout and "PASS" in result.stdout
    assert "PII echoed in drafts" in result.stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_draft_needs_exactly_one_input(_isolated_data_dir, tmp_path):
    result = runner.invoke(app, ["draft"])
    assert result.exit_code == 2 and "二选一" in result.stderr
    result = runner.invoke(app, ["draft", "--jsonl", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "cannot read" in result.stderr
    assert "Traceback" not in result.output


def test_console_entry_point_dispatches_to_draft(tmp_path):
    """The real `wuye` entry point (not CliRunner): `wuye draft …` must reach the draft command."""
    import subprocess
    import sys

    from agent.settings import PROJECT_ROOT

    missing = tmp_path / "missing.jsonl"
    code = "import sys; from cli.main import main; sys.argv = ['wuye', *sys.argv[1:]]; main()"
    proc = subprocess.run([sys.executable, "-c", code, "draft", "--jsonl", str(missing)], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_the_offline_draft_imports_nothing_it_does_not_use(_isolated_data_dir):
    """No model configured: neither litellm nor the API, Alembic (once the schema exists) or the evals."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom cli.main import main\nsys.argv = ['wuye', 'draft', '电梯坏了两天了', '--json']\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "heavy = sorted(m for m in ('litellm', 'fastapi', 'alembic', 'api', 'evals') if m in sys.modules)\n"
            "print('HEAVY', heavy, code, file=sys.stderr)")
    env = {**os.environ, "WUYE_DATA_DIR": str(_isolated_data_dir)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert "HEAVY ['alembic'] 0" in first.stderr, first.stderr[-1500:]  # the first run creates the schema
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert "HEAVY [] 0" in done.stderr, done.stderr[-1500:]


def test_bad_settings_are_one_bilingual_line_and_exit_2(_isolated_data_dir):
    import os
    import subprocess

    env = {**os.environ, "WUYE_DATA_DIR": str(_isolated_data_dir), "WUYE_API_KEY": "sk-…", "WUYE_MODEL": "openai/x"}
    done = subprocess.run(_wuye("draft", "电梯坏了"), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "WUYE_API_KEY" in done.stderr and "占位密钥" in done.stderr and "placeholder" in done.stderr
    env = {**os.environ, "WUYE_DATA_DIR": str(_isolated_data_dir), "WUYE_TIMEOUT": "soon"}
    done = subprocess.run(_wuye("check", "--stage", "act", "好的"), env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "WUYE_TIMEOUT" in done.stderr


def _wuye(*args: str) -> list[str]:
    import sys
    from pathlib import Path

    return [str(Path(sys.executable).parent / "wuye"), *args]


def test_a_reader_that_goes_away_is_no_error(_isolated_data_dir):
    """`wuye … | head -1`: the pipe closes under the command; it stops quietly (exit 0, nothing on stderr)."""
    import os
    import subprocess

    read, write = os.pipe()
    os.close(read)
    try:
        env = {**os.environ, "WUYE_DATA_DIR": str(_isolated_data_dir)}
        done = subprocess.run(_wuye("understand", "pii-eval", "--split", "dev"), env=env, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 0 and done.stderr == "", done.stderr
