"""OpenAPI documents the streaming response, the 202 flow and the webhook payloads (issue 16)."""

from __future__ import annotations

from agent.settings import Settings
from api.app import create_app


def test_openapi_documents_streaming_async_and_webhooks(tmp_path) -> None:
    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    post = schema["paths"]["/v1/drafts"]["post"]
    assert "text/event-stream" in post["responses"]["200"]["content"]
    assert all(name in post["responses"]["200"]["description"] for name in ("classification", "stage", "revise", "done"))
    assert "Location" in post["responses"]["202"]["headers"]
    assert {p["name"] for p in post["parameters"]} >= {"prefer", "Idempotency-Key"}
    assert set(schema["webhooks"]) == {"draft.ready", "draft.flagged", "draft.escalated", "draft.approved"}
    hook = schema["webhooks"]["draft.ready"]["post"]
    assert {p["name"] for p in hook["parameters"]} >= {"x-wuye-signature", "x-wuye-delivery"}
    body = hook["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"id", "event", "draft_id", "draft"} <= set(schema["components"]["schemas"][body]["properties"])
    assert "/v1/drafts/{draft_id}/rewrite" in schema["paths"] and "/v1/drafts/{draft_id}/refresh" in schema["paths"]
    assert "/v1/admin/webhooks/deliveries" in schema["paths"]
