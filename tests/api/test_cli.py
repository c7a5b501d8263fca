"""`wuye keys create|list|revoke` and the `wuye serve` wiring."""

from __future__ import annotations

import asyncio
import json

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_keys_create_list_revoke(_isolated_data_dir):
    created = runner.invoke(app, ["keys", "create", "--role", "supervisor", "--project", "翠湖苑",
                                  "--project", "金桂园", "--name", "客服主管老陈", "--json"])
    assert created.exit_code == 0, created.output
    info = json.loads(created.stdout)
    assert set(info) == {"id", "key"} and info["key"].startswith("wuye_")

    listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)
    assert listed == [{"id": info["id"], "name": "客服主管老陈", "role": "supervisor", "projects": ["翠湖苑", "金桂园"],
                       "created_at": listed[0]["created_at"], "revoked_at": None}]
    assert info["key"] not in runner.invoke(app, ["keys", "list"]).stdout

    from agent.settings import get_settings
    from agent.workflow.store.database import Database
    from agent.workflow.store.keys import authenticate

    async def check() -> bool:
        db = await Database.open(get_settings())
        async with db.connect() as conn:
            ok = await authenticate(conn, token=info["key"]) is not None
        await db.dispose()
        return ok

    assert asyncio.run(check())
    revoked = runner.invoke(app, ["keys", "revoke", info["id"]])
    assert revoked.exit_code == 0 and info["id"] in revoked.stdout
    assert not asyncio.run(check())
    assert json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)[0]["revoked_at"]


def test_keys_errors_are_bilingual_and_non_zero(_isolated_data_dir):
    bad_role = runner.invoke(app, ["keys", "create", "--role", "boss", "--project", "a", "--name", "n"])
    assert bad_role.exit_code == 2 and "未知角色" in bad_role.stderr and "Unknown role" in bad_role.stderr
    missing = runner.invoke(app, ["keys", "revoke", "k_nope"])
    assert missing.exit_code == 2 and "找不到密钥" in missing.stderr and "No API key" in missing.stderr
    assert "Traceback" not in bad_role.output + missing.output


def test_keys_human_output_shows_the_key_once(_isolated_data_dir):
    out = runner.invoke(app, ["keys", "create", "--role", "agent", "--project", "*", "--name", "前台"])
    assert out.exit_code == 0 and "wuye_" in out.stdout and "只显示这一次" in out.stdout
    assert "前台" in runner.invoke(app, ["keys", "list"]).stdout


def test_serve_is_registered():
    out = runner.invoke(app, ["serve", "--help"])
    assert out.exit_code == 0 and "--port" in out.stdout and "--host" in out.stdout
