"""Acceptance on the labelled drafting set with the embedded offline drafter: every stage draft
passes the guardrails, no owner PII is echoed, classification accuracy ≥ 0.85 per field and every
`major` case is caught — the same numbers `wuye draft --jsonl … --report` prints."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agent.settings import PROJECT_ROOT
from cli.main import app

COMPLAINTS = PROJECT_ROOT / "evals" / "drafting" / "complaints.jsonl"


@pytest.mark.slow
def test_offline_drafting_report_meets_the_bar(_isolated_data_dir, tmp_path):
    if not COMPLAINTS.exists():
        pytest.skip("evals/drafting/complaints.jsonl is not in this checkout")
    cases = [json.loads(line) for line in COMPLAINTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) >= 40
    out = tmp_path / "drafts.jsonl"
    result = CliRunner().invoke(app, ["draft", "--jsonl", str(COMPLAINTS), "--report", "--output", str(out)])
    assert "PASS" in result.stdout, result.stdout
    assert result.exit_code == 0
    drafts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(drafts) == len(cases) and all(d["drafter"] == "offline" for d in drafts)
    for case, draft in zip(cases, drafts, strict=True):
        assert all(stage["guardrail"]["passed"] for stage in draft["stages"]), case["id"]
        for value in case.get("pii") or []:
            value = value if isinstance(value, str) else str(value.get("value", ""))
            assert not value or value not in json.dumps(draft, ensure_ascii=False), case["id"]
