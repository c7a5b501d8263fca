"""The API when the model is down: the offline drafter answers, labelled, and counted in /metrics."""

from __future__ import annotations

import httpx

from .conftest import ScriptedModel, make_settings, running

COMPLAINT = "楼上漏水一个多星期了,报修三次都没人来,天花板都发霉了,你们到底管不管?"


class Down(ScriptedModel):
    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(401, json={"error": {"message": "bad key"}})


async def test_model_outage_falls_back_to_the_offline_drafter(tmp_path, shared_clients):
    async with running(make_settings(tmp_path), shared_clients, Down()) as api:
        agent = await api.key("agent")
        r = await api.client.post("/v1/drafts", json={"complaint": COMPLAINT, "project": "翠湖苑"}, headers=agent)
        metrics = (await api.client.get("/metrics")).text
        assert api.model.calls == 1  # an auth error is not retried
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["drafter"] == "offline_fallback" and draft["model"] == "wuye-offline/drafter"
    assert all(s["text"] for s in draft["stages"])
    assert "wuye_model_fallbacks_total 1.0" in metrics
