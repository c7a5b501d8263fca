"""Channel-aware replies and one-click rewrites (issue 16)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from agent.drafting.channel import sentences
from tests.api.conftest import ScriptedModel, make_settings, running
from tests.workflow.conftest import BAD_ACT, chat, context_of

COMPLAINT = "楼上漏水一个星期了,报修两次都没人来,天花板都发霉了。"


async def _draft(api: Any, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    r = await api.client.post("/v1/drafts", headers=headers, json={"complaint": COMPLAINT, "project": "翠湖苑", **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _texts(draft: dict[str, Any]) -> dict[str, str]:
    return {s["stage"]: s["text"] for s in draft["stages"]}


async def test_channel_changes_the_offline_drafts_form(tmp_path, shared_clients) -> None:
    async with running(make_settings(tmp_path, model=None), shared_clients) as api:
        agent = await api.key("agent")
        plain = _texts(await _draft(api, agent))
        letter = await _draft(api, agent, channel="letter")
        wechat = await _draft(api, agent, channel="wechat")
        sms = await _draft(api, agent, channel="sms")
        phone = await _draft(api, agent, channel="phone")
        for draft in (letter, wechat, sms, phone):
            assert all(s["guardrail"]["passed"] for s in draft["stages"]), draft["meta"]["channel"]
        letter_t, wechat_t, sms_t, phone_t = map(_texts, (letter, wechat, sms, phone))
        assert letter_t["listen"].startswith("尊敬的业主") and "此致" in letter_t["thank"]
        assert not any("尊敬的" in t or "此致" in t for t in [*wechat_t.values(), *phone_t.values()])
        assert all(len(sentences(t)) <= 2 for t in wechat_t.values())
        assert all(len(sentences(t)) <= 2 for t in sms_t.values())
        assert sum(map(len, wechat_t.values())) < sum(map(len, plain.values())) < sum(map(len, letter_t.values()))
        assert phone_t["listen"].startswith("您好")
        assert letter["meta"]["channel"] == "letter"


async def test_the_prompt_carries_the_channel_form_and_the_project_default(tmp_path, shared_clients) -> None:
    contexts: list[dict[str, Any]] = []

    class Capture(ScriptedModel):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            contexts.append(context_of(request))
            return super().__call__(request)

    settings = make_settings(tmp_path, default_channels={"翠湖苑": "wechat"})
    async with running(settings, shared_clients, Capture()) as api:
        agent = await api.key("agent")
        defaulted = await _draft(api, agent)
        assert defaulted["meta"]["channel"] == "wechat" and contexts[-1]["channel"]["name"] == "wechat"
        await _draft(api, agent, channel="phone")
        assert contexts[-1]["channel"]["register"] == "spoken" and "口语" in contexts[-1]["channel"]["form"]


async def test_offline_rewrites_are_guarded_audited_and_not_applied(tmp_path, shared_clients) -> None:
    async with running(make_settings(tmp_path, model=None), shared_clients) as api:
        agent = await api.key("agent")
        draft = await _draft(api, agent)
        before = _texts(draft)
        out = {}
        for style in ("shorter", "warmer", "more_formal", "more_specific", "traditional"):
            r = await api.client.post(f"/v1/drafts/{draft['id']}/rewrite", headers=agent,
                                      json={"stage": "thank", "style": style})
            assert r.status_code == 200, r.text
            out[style] = r.json()
            assert out[style]["guardrail"]["passed"] is True and out[style]["before"] == before["thank"]
        assert len(out["shorter"]["text"]) < len(before["thank"])
        assert out["warmer"]["text"] != before["thank"]
        assert "謝謝" in out["traditional"]["text"] or "謝" in out["traditional"]["text"]
        # not in the draft until the agent accepts it with an edit
        assert _texts((await api.client.get(f"/v1/drafts/{draft['id']}", headers=agent)).json()) == before
        r = await api.client.post(f"/v1/drafts/{draft['id']}/decision", headers=agent,
                                  json={"action": "edit", "stages": {"thank": out["warmer"]["text"]}})
        assert r.status_code == 200 and r.json()["final"]["thank"] == out["warmer"]["text"]
        sup = await api.key("supervisor")
        audit = (await api.client.get("/v1/audit", headers=sup, params={"draft_id": draft["id"]})).json()["items"]
        assert [e["action"] for e in audit].count("rewrite") == 5
        # an approved draft takes no more rewrites
        r = await api.client.post(f"/v1/drafts/{draft['id']}/rewrite", headers=agent,
                                  json={"stage": "act", "style": "shorter"})
        assert r.status_code == 409


class RewritesBadly(ScriptedModel):
    """Drafts cleanly; a rewrite request gets an act that passes the buck."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "改写要求" in body["messages"][-1]["content"]:
            return httpx.Response(200, json=chat(json.dumps({"text": BAD_ACT}, ensure_ascii=False)))
        return super().__call__(request)


async def test_a_rewrite_that_introduces_a_violation_is_refused_with_the_violation(tmp_path, shared_clients) -> None:
    async with running(make_settings(tmp_path), shared_clients, RewritesBadly()) as api:
        agent = await api.key("agent")
        draft = await _draft(api, agent)
        r = await api.client.post(f"/v1/drafts/{draft['id']}/rewrite", headers=agent,
                                  json={"stage": "act", "style": "warmer"})
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "rewrite_blocked" and error["message_zh"] and error["message_en"]
        details = error["details"]
        assert details["text"] == BAD_ACT
        hit = next(v for v in details["guardrail"]["violations"] if v["severity"] == "block")
        assert BAD_ACT[hit["start"]:hit["end"]] == hit["excerpt"] and re.search(r"管不了|开发商|自己", hit["excerpt"])
        assert details["violations"][0]["stage"] == "act"
        assert _texts((await api.client.get(f"/v1/drafts/{draft['id']}", headers=agent)).json()) == _texts(draft)
        sup = await api.key("supervisor")
        audit = (await api.client.get("/v1/audit", headers=sup, params={"draft_id": draft["id"]})).json()["items"]
        assert audit[-1]["action"] == "rewrite_blocked" and audit[-1]["rule_hits"]
