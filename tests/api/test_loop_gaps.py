"""The knowledge-gaps report over HTTP (SQLite and PostgreSQL), in the console and from
`wuye corpus gaps`, on a scripted history: drafts approved as drafted, one heavily edited, one
rejected; the retrieval confidence is the real retriever's against the shipped playbook."""

from __future__ import annotations

import asyncio
import json

from typer.testing import CliRunner

from tests.api.conftest import make_settings, running
from tests.workflow.conftest import CLEAN

LEAK = "楼上漏水三天了,我家天花板都泡坏了!"
LEAK2 = "楼上又漏水了,卫生间天花板一直滴水,你们管不管?"
CHARGER = "小区充电桩一直坏着"  # (with "一直没人修" it scores 0.29: generic phrases lift the confidence)
ELEVATOR = "电梯坏了三天了,一直没人修!"
HEAVY = CLEAN["act"] + CLEAN["negotiate"]  # 46 characters added to act: a heavy edit


async def _history(api) -> dict[str, str]:  # noqa: ANN001
    agent = await api.key("agent")
    ids = {}
    for name, complaint in (("leak", LEAK), ("leak2", LEAK2), ("charger", CHARGER), ("elevator", ELEVATOR)):
        ids[name] = (await api.draft(agent, complaint=complaint))["id"]

    async def decide(draft_id: str, **body: object) -> None:
        r = await api.client.post(f"/v1/drafts/{draft_id}/decision", json=body, headers=agent)
        assert r.status_code == 200, r.text

    await decide(ids["leak"], action="approve")
    await decide(ids["leak2"], action="edit", stages={"act": HEAVY})
    await decide(ids["charger"], action="reject", reason="这类问题话术库里没有,重新起草")
    await decide(ids["elevator"], action="approve")
    return ids


async def test_gaps_report_over_http(any_db_api) -> None:  # noqa: ANN001
    api = any_db_api
    ids = await _history(api)
    sup = await api.key("supervisor")
    retriever = api.core.context.retriever
    charger_conf = retriever.confidence(CHARGER)[0]
    leak_conf = [retriever.confidence(t)[0] for t in (LEAK, LEAK2)]
    # the shipped playbook has nothing close to a charging pile; it does have leaks and repairs
    assert charger_conf < 0.08 <= min(leak_conf)

    r = await api.client.get("/v1/analytics/gaps", headers=sup)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["complaints"] == 4 and not report["truncated"]
    by = {t["topic"]: t for t in report["topics"]}
    assert [t["topic"] for t in report["topics"]] == ["充电桩故障", "楼上漏水"]  # 电梯: approved as drafted
    charger = by["充电桩故障"]
    assert (charger["complaints"], charger["low_retrieval"], charger["heavily_edited"], charger["rejected"],
            charger["gaps"]) == (1, 1, 1, 1, 1)
    assert charger["mean_confidence"] == round(charger_conf, 4)
    assert charger["examples"][0]["draft_id"] == ids["charger"] and "充电桩" in charger["examples"][0]["excerpt"]
    leak = by["楼上漏水"]
    assert (leak["complaints"], leak["decided"], leak["low_retrieval"], leak["heavily_edited"], leak["gaps"],
            leak["gap_rate"]) == (2, 2, 0, 1, 1, 0.5)
    assert [c["key"] for c in leak["edited_stages"]] == ["act"]
    cited = (await api.client.get(f"/v1/drafts/{ids['leak2']}", headers=sup)).json()
    act_technique = next(s for s in cited["stages"] if s["stage"] == "act")["techniques"][0]["id"]
    assert leak["techniques_edited_away"] == [{"key": act_technique, "n": 1}]
    assert [e["draft_id"] for e in leak["examples"]] == [ids["leak2"]]

    # thresholds and filters
    loose = (await api.client.get("/v1/analytics/gaps?heavy_edit_chars=1000&min_confidence=0", headers=sup)).json()
    assert [t["topic"] for t in loose["topics"]] == ["充电桩故障"]  # only the rejection is left
    assert (await api.client.get("/v1/analytics/gaps?project=别的小区", headers=sup)).json()["topics"] == []
    assert (await api.client.get("/v1/analytics/gaps?min_confidence=2", headers=sup)).status_code == 422
    agent = await api.key("agent")
    assert (await api.client.get("/v1/analytics/gaps", headers=agent)).status_code == 403


def test_wuye_corpus_gaps(_isolated_data_dir, shared_clients) -> None:  # noqa: ANN001
    from agent.retrieval.cli import app
    from agent.retrieval.index import build_index
    from agent.settings import get_settings

    async def history() -> dict[str, str]:
        async with running(make_settings(_isolated_data_dir), shared_clients) as api:
            return await _history(api)

    ids = asyncio.run(history())
    build_index(get_settings(), progress=False)  # the CLI opens the playbook index of the data dir
    runner = CliRunner()
    out = runner.invoke(app, ["gaps", "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert [t["topic"] for t in report["topics"]] == ["充电桩故障", "楼上漏水"]
    assert report["topics"][0]["examples"][0]["draft_id"] == ids["charger"]
    text = runner.invoke(app, ["gaps"])
    assert text.exit_code == 0 and "■ 充电桩故障" in text.output and "4 条投诉" in text.output
    bad = runner.invoke(app, ["gaps", "--since", "yesterday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output and "Traceback" not in bad.output
    later = runner.invoke(app, ["gaps", "--since", "2100-01-01", "--json"])
    assert later.exit_code == 0 and json.loads(later.output)["complaints"] == 0
