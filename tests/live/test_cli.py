"""`wuye webhooks …` (issue 16): add, list (no secret), deliveries, remove; bilingual refusals."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import build_app

runner = CliRunner()


def _run(*args: str) -> object:
    return runner.invoke(build_app("webhooks"), ["webhooks", *args])


def test_webhooks_add_list_deliveries_remove() -> None:
    r = _run("add", "--project", "翠湖苑", "--url", "http://127.0.0.1:9/hook", "--events", "draft.ready,draft.approved",
             "--secret", "a-long-enough-secret", "--json")
    assert r.exit_code == 0, r.output
    hook = json.loads(r.output)
    listed = json.loads(_run("list", "--json").output)
    assert [h["id"] for h in listed] == [hook["id"]] and listed[0]["events"] == ["draft.ready", "draft.approved"]
    assert "a-long-enough-secret" not in _run("list").output
    assert json.loads(_run("deliveries", "--json").output) == []
    assert _run("remove", hook["id"]).exit_code == 0
    again = _run("remove", hook["id"])
    assert again.exit_code == 2 and "找不到" in again.output


def test_webhooks_add_refuses_bad_input_bilingually() -> None:
    for args in (["--events", "draft.sent"], ["--url", "ftp://x"], ["--secret", "short"]):
        values = {"--project": "翠湖苑", "--url": "http://127.0.0.1:9/hook", "--events": "draft.ready",
                  "--secret": "a-long-enough-secret"}
        values[args[0]] = args[1]
        r = _run("add", *[x for kv in values.items() for x in kv])
        assert r.exit_code == 2 and " / " in r.output and "Traceback" not in r.output, r.output
