"""`wuye commitments due | overdue | done` and `wuye eval harvest` over a scripted history; the
harvested suite is schema-valid and `wuye eval` runs it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import yaml
from typer.testing import CliRunner

from tests.api.conftest import FLAG_ACT, make_settings, running
from tests.workflow.conftest import CLEAN

runner = CliRunner()
FIXED = "马上安排师傅上门查看！"
PHONE = "13812345678"


async def _history(data_dir, clients) -> dict[str, str]:  # noqa: ANN001
    async with running(make_settings(data_dir), clients) as api:
        agent = await api.key("agent")
        fixed = await api.draft(agent, complaint="FLAG 楼道灯坏了")
        r = await api.client.post(f"/v1/drafts/{fixed['id']}/decision", headers=agent,
                                  json={"action": "edit", "stages": {"act": FIXED}})
        assert r.status_code == 200, r.text
        styled = await api.draft(agent)
        r = await api.client.post(f"/v1/drafts/{styled['id']}/decision", headers=agent, json={
            "action": "edit", "stages": {"thank": CLEAN["thank"] + "有什么需要随时找我。"}})
        assert r.status_code == 200, r.text
        rejected = await api.draft(agent)
        r = await api.client.post(f"/v1/drafts/{rejected['id']}/decision", headers=agent,
                                  json={"action": "reject", "reason": f"语气太生硬,业主{PHONE}要求换人跟进"})
        assert r.status_code == 200
        return {"fixed": fixed["id"], "styled": styled["id"], "rejected": rejected["id"]}


def test_harvest_and_commitments_cli(_isolated_data_dir, shared_clients, tmp_path):  # noqa: ANN001
    from agent.loop.cli import app, harvest
    from evals.cli import run_eval

    ids = asyncio.run(_history(_isolated_data_dir, shared_clients))

    due = runner.invoke(app, ["due", "--hours", "720", "--json"])
    assert due.exit_code == 0, due.output
    late = runner.invoke(app, ["overdue", "--json"])
    assert late.exit_code == 0, late.output
    # "今天下班前" said after hours is already past: which list a promise is on depends on the hour
    now = datetime.now(UTC)
    upcoming, overdue = json.loads(due.output), json.loads(late.output)
    assert all(datetime.fromisoformat(c["due_at"]) > now for c in upcoming)
    assert all(datetime.fromisoformat(c["due_at"]) <= now for c in overdue)
    items = upcoming + overdue
    assert {c["draft_id"] for c in items} == {ids["fixed"], ids["styled"]}
    assert any(c["quote"] == FIXED.rstrip("！") for c in items)
    text = runner.invoke(app, ["overdue"])
    assert text.exit_code == 0 and f"overdue: {len(overdue)}" in text.output.splitlines()[0], text.output
    done = runner.invoke(app, ["done", items[0]["id"]])
    assert done.exit_code == 0 and items[0]["id"] in done.output
    again = runner.invoke(app, ["done", items[0]["id"]])
    assert again.exit_code == 2 and "already done" in again.output
    assert runner.invoke(app, ["done", "c_missing"]).exit_code == 2

    import typer

    cmd = typer.Typer()
    cmd.command("harvest")(harvest)
    cmd.callback()(lambda: None)
    out = tmp_path / "harvested.yaml"
    r = runner.invoke(cmd, ["harvest", "--since", "2000-01-01", "--out", str(out)])
    assert r.exit_code == 0, r.output
    suite = yaml.safe_load(out.read_text(encoding="utf-8"))
    cases = {c["id"]: c for c in suite["cases"]}
    draft_case = next(c for c in cases.values() if c["draft_id"] == ids["fixed"] and c["source"] == "draft")
    assert draft_case["text"] == FLAG_ACT and draft_case["expected"] == ["buck_passing", "refusing"]
    assert "buck_passing.send_elsewhere" in draft_case["linked_rules"] and len(draft_case["linked_rules"]) == 2
    agent_case = next(c for c in cases.values() if c["draft_id"] == ids["fixed"] and c["source"] == "agent")
    assert agent_case["text"] == FIXED and agent_case["expected"] == []
    styled = [c for c in cases.values() if c["draft_id"] == ids["styled"]]
    assert {c["source"] for c in styled} == {"draft", "agent"} and all(not c["linked_rules"] for c in styled)
    assert sum(c["draft_id"] == ids["rejected"] for c in cases.values()) == 6
    assert PHONE not in out.read_text(encoding="utf-8")  # masked

    import jsonschema

    from agent.settings import PROJECT_ROOT

    schema = json.loads((PROJECT_ROOT / "evals/schema/suite.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(suite, schema)
    assert run_eval([out], progress=False) == 0  # `wuye eval FILE` runs it, and it passes as harvested

    lines = tmp_path / "harvested.jsonl"
    assert runner.invoke(cmd, ["harvest", "--since", "2000-01-01", "--out", str(lines)]).exit_code == 0
    assert len(lines.read_text(encoding="utf-8").splitlines()) == len(cases)
    bad = runner.invoke(cmd, ["harvest", "--since", "yesterday", "--out", str(lines)])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
